"""The Autonomous Development sample on the real dev server.

Every workflow checks without a single diagnostic and compiles to code that passes ruff and
mypy --strict. incident-swarm auto-fixes when its diagnosis agents reach 70 % consensus or more
and escalates below it, and rolls the service back on its `rollback` signal; code-migration
rolls a failing step back and stops (incremental), undoes every applied step (batch), pauses and
resumes by signal and reports its progress; quality-gate runs its 8 checks in parallel, computes
the weighted score and decides whether the PR may merge (threshold, required vs optional checks,
automatic fixes); continuous-monitoring runs one incident swarm per alert, critical first;
plan-patch-pr merges only above its quality threshold; incremental-patch retries until its tests
pass; continuous-quality gates every PR update it is sent.

Expected numbers are recomputed here from the sample's own simulated data (the check reports,
the weights, the agents' confidences), never copied from a run.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle

from compiler import check_document, compile_project
from tests.support import samples
from tests.support.harness import import_package, running_worker, unique_id, write_package
from tests.support.package_check import ruff_and_mypy

SCALE = 0.01
"""Every wait of the graph, scaled: a 30 s backoff takes 0.3 s."""
RUN_TIMEOUT = timedelta(seconds=60)
"""A broken workflow fails its test after this long instead of hanging the session."""

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
ACTIVITY_COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED

WORKFLOWS = [
    "plan-patch-pr",
    "incremental-patch",
    "incident-swarm",
    "continuous-monitoring",
    "code-migration",
    "quality-gate",
    "continuous-quality",
]
DATA = samples.autonomous_dev_data()
"""The sample's simulated data, read from its document."""
STEPS = DATA.migration_steps


# helpers


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    document = samples.autonomous_dev("ad-sample-run", time_scale=SCALE)
    return import_package(document, tmp_path_factory.mktemp("ad-run"))


async def start(
    client: Client,
    task_queue: str,
    workflow: str,
    arg: Any,
    result_type: type | None = None,
    **options: Any,
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        workflow,
        arg,
        id=unique_id(workflow),
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
        result_type=result_type,
        **options,
    )


async def until(
    read: Callable[[], Awaitable[Any]], holds: Callable[[Any], bool], timeout: float = 20.0
) -> Any:
    """Reads until the value satisfies `holds`; fails the test when the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        value = await read()
        if holds(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout} s")
        await asyncio.sleep(0.02)


async def events(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return list((await handle.fetch_history()).events)


def decode(client: Client, payload: Payload) -> Any:
    return client.data_converter.payload_converter.from_payload(payload)


def activities(client: Client, found: list[HistoryEvent]) -> list[tuple[str, dict[str, Any]]]:
    """(activity type, input) of every scheduled activity, in history order."""
    return [
        (
            event.activity_task_scheduled_event_attributes.activity_type.name,
            decode(client, event.activity_task_scheduled_event_attributes.input.payloads[0]),
        )
        for event in found
        if event.event_type == SCHEDULED
    ]


def names(client: Client, found: list[HistoryEvent]) -> list[str]:
    return [name for name, _ in activities(client, found)]


def completed(client: Client, found: list[HistoryEvent], activity: str) -> list[str]:
    """The step ids of the executions of `activity` that completed, in completion order."""
    scheduled = {
        e.event_id: decode(client, e.activity_task_scheduled_event_attributes.input.payloads[0])
        for e in found
        if e.event_type == SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == activity
    }
    return [
        scheduled[e.activity_task_completed_event_attributes.scheduled_event_id]["step_id"]
        for e in found
        if e.event_type == ACTIVITY_COMPLETED
        and e.activity_task_completed_event_attributes.scheduled_event_id in scheduled
    ]


def inputs_of(client: Client, found: list[HistoryEvent], activity: str) -> list[dict[str, Any]]:
    return [args for name, args in activities(client, found) if name == activity]


# the document


def test_every_workflow_checks_without_a_diagnostic() -> None:
    document = samples.autonomous_dev()
    assert document["id"] == "autonomous-dev"
    assert [workflow["id"] for workflow in document["workflows"]] == WORKFLOWS
    assert check_document(json.dumps(document)).diagnostics == []
    by_id = {workflow["id"]: workflow for workflow in document["workflows"]}

    def handlers(workflow_id: str) -> set[tuple[str, str]]:
        return {
            (node["type"], node["config"]["name"])
            for node in by_id[workflow_id]["nodes"]
            if node["type"] in ("signal", "query", "update")
        }

    assert ("signal", "rollback") in handlers("incident-swarm")
    assert {
        ("signal", "pause_migration"),
        ("signal", "resume_migration"),
        ("query", "get_progress"),
    } <= handlers("code-migration")
    # the quality gate: 8 checks in parallel, weights that add up to 1
    gate = by_id["quality-gate"]
    parallel = next(node for node in gate["nodes"] if node["type"] == "parallel")
    branches = [e for e in gate["edges"] if e["source"] == parallel["id"]]
    assert len(branches) == len(DATA.check_weights) == 8
    weights = next(v["default"] for v in gate["state"] if v["name"] == "weights")
    assert sum(weights.values()) == pytest.approx(1.0)
    swarm = by_id["incident-swarm"]
    threshold = next(v["default"] for v in swarm["state"] if v["name"] == "threshold")
    assert threshold == 0.7
    assert all(node["label"] for workflow in by_id.values() for node in workflow["nodes"])


def test_generated_code_passes_ruff_and_mypy_strict(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = compile_project(samples.autonomous_dev())
    assert result.ok and result.diagnostics == []
    write_package(result, tmp_path)
    cache = tmp_path_factory.getbasetemp() / "sample-mypy-cache"
    ruff_and_mypy(result.package, tmp_path, cache)


# incident swarm


def alert(models: ModuleType, anomaly: str, signature: str, severity: str = "critical") -> Any:
    return models.Alert(
        alert_id=unique_id("ALERT"),
        service="checkout",
        severity=severity,
        title="checkout p99 latency above 2 s",
        metric_anomaly=anomaly,
        log_signature=signature,
    )


def consensus(causes: dict[str, str]) -> tuple[str, float, list[str]]:
    """The consensus the swarm should reach when each agent names the given cause."""
    confidence = DATA.diagnosis_confidence
    support: dict[str, float] = {}
    for agent_id, cause in causes.items():
        support[cause] = support.get(cause, 0.0) + confidence[agent_id]
    best = max(support.values())
    root = min(cause for cause, total in support.items() if total == best)
    agreeing = sorted(agent_id for agent_id, cause in causes.items() if cause == root)
    return root, round(best / len(causes), 2), agreeing


async def test_incident_swarm_auto_fixes_at_70_percent_and_escalates_below(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    pool = "db_connection_pool_exhausted"
    async with running_worker(client, sample) as task_queue:
        # metrics and logs point at the same cause: the three agents agree
        agreeing = await start(
            client,
            task_queue,
            "incident-swarm",
            models.IncidentSwarmInput(alert=alert(models, pool, pool)),
            models.IncidentResult,
        )
        # metrics point elsewhere: the metrics agent disagrees with the other two
        split = await start(
            client,
            task_queue,
            "incident-swarm",
            models.IncidentSwarmInput(alert=alert(models, "cpu_saturation", pool)),
            models.IncidentResult,
        )
        fixed, escalated = await agreeing.result(), await split.result()
        fixed_history, escalated_history = await events(agreeing), await events(split)

    root, confidence, agents = consensus({"metrics": pool, "logs": pool, "changes": pool})
    assert confidence >= DATA.auto_fix_confidence
    assert (fixed.status, fixed.root_cause, fixed.confidence) == ("auto_fixed", root, confidence)
    assert fixed.agreeing_agents == agents == ["changes", "logs", "metrics"]
    assert fixed.hotfix_pr == 789
    assert fixed.escalated_to == ""
    calls = names(client, fixed_history)
    assert (
        calls.index("generate_fix") < calls.index("run_fix_tests") < calls.index("create_hotfix_pr")
    )
    assert "notify_team" not in calls
    assert calls[-1] == "create_postmortem"

    root, confidence, agents = consensus(
        {"metrics": "cpu_saturation", "logs": pool, "changes": pool}
    )
    assert confidence < DATA.auto_fix_confidence
    assert (escalated.status, escalated.root_cause, escalated.confidence) == (
        "escalated",
        root,
        confidence,
    )
    assert escalated.agreeing_agents == agents == ["changes", "logs"]
    assert (escalated.hotfix_pr, escalated.escalated_to) == (0, "on-call engineer")
    calls = names(client, escalated_history)
    assert "generate_fix" not in calls and "create_hotfix_pr" not in calls
    pages = inputs_of(client, escalated_history, "notify_team")
    assert [page["channel"] for page in pages] == ["pagerduty:on-call"]
    assert "cpu_saturation" in pages[0]["message"]
    # every agent diagnosed in parallel: all three were scheduled before any completed
    diagnoses = {"diagnose_from_metrics", "diagnose_from_logs", "diagnose_from_changes"}
    order = [
        ("scheduled", e.activity_task_scheduled_event_attributes.activity_type.name)
        if e.event_type == SCHEDULED
        else ("completed", "")
        for e in escalated_history
        if e.event_type in (SCHEDULED, ACTIVITY_COMPLETED)
    ]
    first = next(i for i, (_, name) in enumerate(order) if name in diagnoses)
    assert {name for _, name in order[first : first + 3]} == diagnoses


async def test_incident_swarm_rolls_back_on_its_rollback_signal(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    pool = "db_connection_pool_exhausted"
    async with running_worker(client, sample) as task_queue:
        handle = await start(
            client,
            task_queue,
            "incident-swarm",
            models.IncidentSwarmInput(alert=alert(models, pool, pool)),
            models.IncidentResult,
            start_signal="rollback",
            start_signal_args=[models.IncidentSwarmRollbackSignal(reason="error budget burned")],
        )
        result = await handle.result()
        found = await events(handle)
    assert (result.status, result.rolled_back) == ("rolled_back", True)
    assert inputs_of(client, found, "rollback_deployment") == [
        {"service": "checkout", "reason": "error budget burned"}
    ]
    calls = names(client, found)
    assert "create_hotfix_pr" not in calls and "notify_team" not in calls
    assert calls[-1] == "create_postmortem"


async def test_continuous_monitoring_runs_one_swarm_per_alert_critical_first(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    pool = "db_connection_pool_exhausted"
    low = alert(models, pool, pool, severity="low")
    critical = alert(models, pool, pool, severity="critical")
    high = alert(models, "cpu_saturation", pool, severity="high")
    async with running_worker(client, sample) as task_queue:
        handle = await start(
            client,
            task_queue,
            "continuous-monitoring",
            models.ContinuousMonitoringInput(services=["checkout"], max_concurrent=1),
            start_signal="pauseMonitoring",
        )
        for fired in (low, critical, high, low):  # the second `low` is a duplicate
            await handle.signal(
                "alertFired", models.ContinuousMonitoringAlertFiredSignal(alert=fired)
            )
        stats = await until(
            lambda: handle.query("get_stats"), lambda s: s["queued"] == 3 and s["duplicates"] == 1
        )
        assert stats["active"] == [] and stats["paused"] is True
        await handle.signal("resumeMonitoring")
        await until(lambda: handle.query("get_stats"), lambda s: s["handled"] == 3)
        await handle.signal("stopMonitoring")
        outcome = await handle.result()
        found = await events(handle)
        results = {
            fired.alert_id: await client.get_workflow_handle(f"incident-{fired.alert_id}").result()
            for fired in (low, critical, high)
        }
    assert outcome == {"handled": 3, "failed": 0, "duplicates": 1}
    children = [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in found
        if e.event_type == INITIATED
    ]
    assert children == [f"incident-{a.alert_id}" for a in (critical, high, low)]
    recorded = {r["alert_id"]: r["status"] for r in inputs_of(client, found, "record_incident")}
    assert recorded == {a: r["status"] for a, r in results.items()}
    assert recorded == {
        low.alert_id: "auto_fixed",
        critical.alert_id: "auto_fixed",
        high.alert_id: "escalated",
    }


# code migration


def migration(models: ModuleType, target: str, mode: str) -> Any:
    return models.CodeMigrationInput(
        migration_type="react-upgrade",
        source_version="16.14.0",
        target_version=target,
        repository="example/storefront",
        mode=mode,
    )


async def test_code_migration_rolls_back_a_failing_step(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    async with running_worker(client, sample) as task_queue:
        failing = await start(
            client,
            task_queue,
            "code-migration",
            migration(models, DATA.canary, "incremental"),
            models.MigrationResult,
        )
        passing = await start(
            client,
            task_queue,
            "code-migration",
            migration(models, "18.2.0", "incremental"),
            models.MigrationResult,
        )
        batch = await start(
            client,
            task_queue,
            "code-migration",
            migration(models, DATA.canary, "batch"),
            models.MigrationResult,
        )
        failed, migrated, batched = (
            await failing.result(),
            await passing.result(),
            await batch.result(),
        )
        progress = await failing.query("get_progress")
        failed_history, migrated_history = await events(failing), await events(passing)
        batch_history = await events(batch)

    broken = STEPS.index("update-root-api")
    # incremental: the failing step is reverted, the ones before it stay, the rest never run
    assert failed.status == "rolled_back"
    assert failed.failed_step == "update-root-api"
    assert failed.completed_steps == STEPS[:broken]
    assert failed.rolled_back_steps == ["update-root-api"]
    assert "createRoot is not exported" in failed.failure
    assert failed.pr_number == 0
    assert [a["step_id"] for a in inputs_of(client, failed_history, "apply_migration_step")] == (
        STEPS[: broken + 1]
    )
    assert [
        a["step_id"] for a in inputs_of(client, failed_history, "generate_migration_step")
    ] == STEPS[: broken + 1]
    assert inputs_of(client, failed_history, "revert_migration_step") == [
        {
            "branch": "migrate/react-upgrade-" + DATA.canary,
            "step_id": "update-root-api",
            "commit_sha": "m1g-update-root-api",
        }
    ]
    assert "create_pull_request" not in names(client, failed_history)
    assert (progress["percent"], progress["failed_step"]) == (
        round(100 * broken / len(STEPS)),
        "update-root-api",
    )
    # the same migration to a stable release goes through and opens a PR
    assert (migrated.status, migrated.completed_steps, migrated.pr_number) == (
        "completed",
        STEPS,
        456,
    )
    assert "revert_migration_step" not in names(client, migrated_history)
    # batch: every applied step is undone, newest first
    assert (batched.status, batched.failed_step, batched.completed_steps) == (
        "rolled_back",
        "batch",
        [],
    )
    applied = [a["step_id"] for a in inputs_of(client, batch_history, "apply_migration_step")]
    reverted = [a["step_id"] for a in inputs_of(client, batch_history, "revert_migration_step")]
    assert "update-root-api" in reverted
    assert reverted == list(reversed(batched.rolled_back_steps))
    assert set(reverted) <= set(completed(client, batch_history, "apply_migration_step"))
    assert set(applied) <= set(STEPS)
    assert "create_pull_request" not in names(client, batch_history)


async def test_code_migration_pauses_and_resumes_by_signal(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    async with running_worker(client, sample) as task_queue:
        handle = await start(
            client,
            task_queue,
            "code-migration",
            migration(models, "18.2.0", "incremental"),
            models.MigrationResult,
            start_signal="pause_migration",
        )
        gates = await until(lambda: handle.query("pending_gates"), bool)
        progress = await handle.query("get_progress")
        before = names(client, await events(handle))
        await handle.signal("resume_migration")
        result = await handle.result()
        after = await handle.query("get_progress")
    assert [gate["gate"] for gate in gates] == ["migration paused (send resume_migration)"]
    assert progress["paused"] is True
    assert (progress["completed"], progress["total_steps"], progress["percent"]) == ([], 6, 0)
    assert "generate_migration_step" not in before
    assert result.completed_steps == STEPS
    assert (after["paused"], after["percent"], after["status"]) == (False, 100, "completed")


# quality gate


def expected_gate(
    auto_fix: bool, min_score: float, required: list[str]
) -> tuple[float, list[str], list[str], bool]:
    """(score, required failures, optional failures, can merge) from the sample's data."""
    weights = DATA.check_weights
    scores: dict[str, float] = {}
    passed: dict[str, bool] = {}
    for name, report in DATA.check_reports.items():
        fixed = auto_fix and not report["passed"] and name in DATA.auto_fixable
        scores[name] = DATA.fixed_score if fixed else report["score"]
        passed[name] = True if fixed else report["passed"]
    score = round(sum(scores[n] * weights[n] for n in weights) / sum(weights.values()), 1)
    required_failed = [n for n in weights if n in required and not passed[n]]
    optional_failed = [n for n in weights if n not in required and not passed[n]]
    return score, required_failed, optional_failed, not required_failed and score >= min_score


async def test_quality_gate_weighted_score_and_can_merge_decision(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    standard = DATA.required_checks
    scenarios = {
        # fixes lift the score over a high threshold
        "fixed": (True, 92.0, standard),
        # without fixes the same PR stays below it
        "unfixed": (False, 92.0, standard),
        # the score is enough, but a required check (coverage) fails
        "required": (False, 85.0, [*standard, "code_coverage"]),
    }
    async with running_worker(client, sample) as task_queue:
        handles = {
            key: await start(
                client,
                task_queue,
                "quality-gate",
                models.QualityGateInput(
                    pr_number=100 + index,
                    branch=f"feature/{key}",
                    min_score=min_score,
                    auto_fix=auto_fix,
                    required_checks=required,
                ),
                models.QualityGateResult,
            )
            for index, (key, (auto_fix, min_score, required)) in enumerate(scenarios.items())
        }
        results = {key: await handle.result() for key, handle in handles.items()}
        histories = {key: await events(handle) for key, handle in handles.items()}

    for key, (auto_fix, min_score, required) in scenarios.items():
        result = results[key]
        score, required_failed, optional_failed, can_merge = expected_gate(
            auto_fix, min_score, required
        )
        assert result.overall_score == score, key
        assert result.required_failed == required_failed, key
        assert result.optional_failed == optional_failed, key
        assert result.can_merge is can_merge, key
        assert [c.name for c in result.checks] == list(DATA.check_weights)
        status = inputs_of(client, histories[key], "update_pr_status")
        assert [s["state"] for s in status] == ["success" if can_merge else "failure"]
        # the 8 checks ran in parallel: all scheduled before the first one completed
        order = [
            e.event_type for e in histories[key] if e.event_type in (SCHEDULED, ACTIVITY_COMPLETED)
        ]
        assert order[:8] == [SCHEDULED] * 8, key

    fixed, unfixed, required = results["fixed"], results["unfixed"], results["required"]
    assert (fixed.overall_score, fixed.can_merge) == (95.1, True)
    assert sorted(fixed.fixes_applied) == sorted(DATA.auto_fixable)
    assert fixed.blocking_issues == []
    assert len(inputs_of(client, histories["fixed"], "auto_fix_check")) == 3
    assert (unfixed.overall_score, unfixed.can_merge) == (90.0, False)
    assert unfixed.blocking_issues == ["overall score 90.0 below 92.0"]
    assert "auto_fix_check" not in names(client, histories["unfixed"])
    assert (required.overall_score, required.can_merge) == (90.0, False)
    assert required.required_failed == ["code_coverage"]
    assert required.blocking_issues == [
        "code_coverage (required): " + DATA.check_reports["code_coverage"]["details"]
    ]


# delivery


async def test_plan_patch_pr_auto_merges_only_above_its_threshold(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]

    def requirement(threshold: float) -> Any:
        return models.PlanPatchPrInput(
            requirement="Add OAuth2 authentication",
            repository="example/app",
            base_branch="main",
            quality_threshold=threshold,
            auto_merge=True,
        )

    async with running_worker(client, sample) as task_queue:
        above = await start(client, task_queue, "plan-patch-pr", requirement(90.0), models.PRResult)
        below = await start(client, task_queue, "plan-patch-pr", requirement(97.0), models.PRResult)
        merged, held = await above.result(), await below.result()
        merged_history, held_history = await events(above), await events(below)
    score = expected_gate(True, 90.0, DATA.required_checks)[0]
    assert (merged.status, merged.merged, merged.quality_score) == ("merged", True, score)
    assert (merged.issues, merged.patches, merged.pr_number) == (4, 4, 456)
    assert merged.branch == f"auto/{above.id}"
    calls = names(client, merged_history)
    assert calls.count("generate_code") == calls.count("create_commit") == 4
    assert "merge_pull_request" in calls and "request_pr_review" not in calls
    assert not {"revert_commit", "close_pull_request", "delete_branch"} & set(calls)
    children = [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_type.name
        for e in merged_history
        if e.event_type == INITIATED
    ]
    assert children == ["quality-gate"]
    assert (held.status, held.merged, held.quality_score) == ("awaiting review", False, score)
    calls = names(client, held_history)
    assert "request_pr_review" in calls and "merge_pull_request" not in calls


async def test_incremental_patch_retries_until_its_tests_pass(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    async with running_worker(client, sample) as task_queue:
        handle = await start(
            client,
            task_queue,
            "incremental-patch",
            models.IncrementalPatchInput(
                issue_id="BUG-311",
                description="token refresh loops on 401",
                repository="example/app",
                base_branch="main",
                quality_threshold=85.0,
            ),
            models.PRResult,
        )
        result = await handle.result()
        found = await events(handle)
    assert (result.status, result.merged, result.patches) == ("merged", True, 2)
    assert [a["attempt"] for a in inputs_of(client, found, "run_tests")] == [1, 2]
    assert sum(e.event_type == TIMER_STARTED for e in found) == 1
    assert "delete_branch" not in names(client, found)


async def test_continuous_quality_gates_every_pr_update(
    client: Client, sample: dict[str, ModuleType]
) -> None:
    models = sample["models"]
    repository = unique_id("repo")
    async with running_worker(client, sample) as task_queue:
        handle = await start(
            client,
            task_queue,
            "continuous-quality",
            models.ContinuousQualityInput(repository=repository, min_score=85.0, max_concurrent=2),
        )
        updates = [(7, "aaa111"), (8, "bbb222"), (7, "aaa111"), (7, "ccc333")]
        for number, sha in updates:
            await handle.signal(
                "prUpdated",
                models.ContinuousQualityPrUpdatedSignal(
                    pr=models.PullRequestRef(pr_number=number, branch=f"pr-{number}", head_sha=sha)
                ),
            )
        await until(lambda: handle.query("get_stats"), lambda s: s["checked"] >= 3)
        await handle.signal("drain")
        outcome = await handle.result()
        found = await events(handle)
    assert outcome["checked"] == 3
    assert outcome["checked"] + outcome["duplicates"] == len(updates)
    recorded = sorted(
        (r["pr_number"], r["can_merge"]) for r in inputs_of(client, found, "record_quality_result")
    )
    assert recorded == [(7, True), (7, True), (8, True)]
    children = sorted(
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in found
        if e.event_type == INITIATED
    )
    assert children == sorted(
        f"quality-gate-{repository}-{number}-{sha}" for number, sha in set(updates)
    )
