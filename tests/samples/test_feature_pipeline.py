"""The Feature Development Pipeline sample on the real dev server.

Every workflow checks without a single diagnostic and compiles to code that passes ruff and
mypy --strict. The orchestrator runs all seven phases with its human approvals sent by signal
to the children that own the gates (found through getApprovalGates), honours pause, blockers
and priority changes on the way, and its children do what the proposal says: tasks run in
dependency order at most four at once, a task whose agent keeps failing gets three attempts
with backoff and then an alternative agent, eight test types run. Gates whose timeout passes
take their timeout paths (escalate then auto-reject, escalate then approve with a warning,
auto-reject), failed health checks and a manual trigger roll deployments back, and an emergency
stop ends the pipeline or rolls a running production deployment back.

Proofs come from what Temporal recorded: results, queries, and the workflows' histories.
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
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from compiler import check_document, compile_project
from language.durations import parse_duration
from tests.support import samples
from tests.support.harness import import_package, running_worker, unique_id, write_package
from tests.support.package_check import ruff_and_mypy

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

FAST = 1 / 3600
"""An hour of the graph takes a second: gates (24-72 s) never time out, checks every 4-8 ms."""
TIMEOUTS = 1 / 172800
"""A day of the graph takes half a second: the 24 h, 48 h and 72 h gates time out quickly."""
HEALTH_CHECKS = 3
"""Checks per monitoring window: the dev server fires even a 10 ms timer after about a second."""
RUN_TIMEOUT = timedelta(seconds=60)
"""A broken workflow fails its test after this long instead of hanging the session."""

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
TIMER_FIRED = EventType.EVENT_TYPE_TIMER_FIRED
INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
CHILD_COMPLETED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
SIGNAL_EXTERNAL = EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED

PHASES = [
    "intake",
    "planning",
    "development",
    "testing",
    "staging",
    "production-readiness",
    "production",
]
"""The orchestrator's phases, in the order a feature goes through them."""
DATA = samples.feature_pipeline_data()
"""The sample's simulated data (the test suites, the broken commit), read from its document."""

WORKFLOWS = [
    "feature-development-orchestrator",
    "requirement-intake",
    "task-planning",
    "development",
    "task-execution",
    "code-review",
    "testing",
    "staging-deployment",
    "production-readiness",
    "production-deployment",
]


# helpers


def scaled_project(project_id: str, scale: float, folder: Path) -> dict[str, ModuleType]:
    document = samples.feature_pipeline(project_id, time_scale=scale, health_checks=HEALTH_CHECKS)
    return import_package(document, folder)


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    return scaled_project("fp-sample-fast", FAST, tmp_path_factory.mktemp("fp-fast"))


@pytest.fixture(scope="module")
def quick_timeouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    return scaled_project("fp-sample-timeouts", TIMEOUTS, tmp_path_factory.mktemp("fp-timeouts"))


def request(models: ModuleType, *, auto_approve: bool = False) -> Any:
    return models.FeatureDevelopmentOrchestratorInput(
        feature_request="Saved searches for signed-in users",
        feature_slug="saved-searches",
        requester_id="pm-ada",
        project_id="search",
        repository_url="https://github.com/example/search",
        base_branch="main",
        priority="high",
        target_environment="production",
        auto_approve=auto_approve,
    )


async def start_orchestrator(
    client: Client, task_queue: str, models: ModuleType, *, auto_approve: bool = False
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        "feature-development-orchestrator",
        request(models, auto_approve=auto_approve),
        id=unique_id("feature"),
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
        result_type=models.FeatureOutcome,
    )


async def until(
    read: Callable[[], Awaitable[Any]], holds: Callable[[Any], bool], timeout: float = 40.0
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


async def pending_gate(handle: WorkflowHandle[Any, Any], name: str) -> dict[str, Any]:
    """The orchestrator's record of a child's approval gate, once it is pending."""
    gates = await until(
        lambda: handle.query("getApprovalGates"),
        lambda found: any(gate["name"] == name for gate in found),
    )
    assert [gate["status"] for gate in gates] == ["pending"]
    return next(gate for gate in gates if gate["name"] == name)


async def waiting_on(handle: WorkflowHandle[Any, Any], gate: str) -> list[str]:
    """The names of the gates the workflow itself waits on, once `gate` is among them."""
    found = await until(
        lambda: handle.query("pending_gates"),
        lambda pending: gate in [g["gate"] for g in pending],
    )
    return [g["gate"] for g in found]


async def events(client: Client, workflow_id: str) -> list[HistoryEvent]:
    return list((await client.get_workflow_handle(workflow_id).fetch_history()).events)


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


def activity_names(client: Client, found: list[HistoryEvent]) -> list[str]:
    return [name for name, _ in activities(client, found)]


def timer_seconds(found: list[HistoryEvent]) -> list[float]:
    return [
        round(
            event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds(),
            3,
        )
        for event in found
        if event.event_type == TIMER_STARTED
    ]


def children_in_flight(found: list[HistoryEvent]) -> tuple[list[str], list[str], int]:
    """(children in start order, children in completion order, most running at once)."""
    initiated = {
        event.event_id: event.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for event in found
        if event.event_type == INITIATED
    }
    started: list[str] = []
    finished: list[str] = []
    running = highest = 0
    for event in found:
        if event.event_type == INITIATED:
            started.append(initiated[event.event_id])
            running += 1
            highest = max(highest, running)
        elif event.event_type == CHILD_COMPLETED:
            attributes = event.child_workflow_execution_completed_event_attributes
            finished.append(initiated[attributes.initiated_event_id])
            running -= 1
    return started, finished, highest


async def never_started(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        return error.status == RPCStatusCode.NOT_FOUND
    return False


# the document


def test_every_workflow_checks_without_a_diagnostic() -> None:
    document = samples.feature_pipeline()
    assert document["id"] == "feature-pipeline"
    assert [workflow["id"] for workflow in document["workflows"]] == WORKFLOWS
    assert check_document(json.dumps(document)).diagnostics == []
    # the seeded project keeps the proposal's real durations
    by_id = {workflow["id"]: workflow for workflow in document["workflows"]}
    timeouts = {
        (workflow_id, node["label"]): node["config"].get("timeout")
        for workflow_id, workflow in by_id.items()
        for node in workflow["nodes"]
        if node["type"] == "wait"
    }
    assert timeouts[("requirement-intake", "Requirement approval (24 h)")] == "1d"
    assert timeouts[("requirement-intake", "Escalated approval (24 h more)")] == "1d"
    assert timeouts[("task-planning", "Task review (48 h)")] == "2d"
    assert timeouts[("production-readiness", "Production approval (72 h)")] == "3d"
    assert (
        timeouts[("staging-deployment", "Next check in 30 s (unless a rollback is triggered)")]
        == "30s"
    )
    assert (
        timeouts[("production-deployment", "Next check in 15 s (unless a rollback is triggered)")]
        == "15s"
    )
    orchestrator = by_id["feature-development-orchestrator"]
    handlers = {
        (node["type"], node["config"]["name"])
        for node in orchestrator["nodes"]
        if node["type"] in ("signal", "query")
    }
    assert handlers >= {
        ("signal", name)
        for name in (
            "pauseOrchestrator",
            "resumeOrchestrator",
            "emergencyStop",
            "addBlocker",
            "removeBlocker",
            "updatePriority",
        )
    } | {("query", name) for name in ("getStatus", "getTimeline", "getApprovalGates")}
    # monitoring windows: 5 minutes every 30 s in staging, 10 minutes every 15 s in production
    planned = {
        workflow_id: next(
            v["default"] for v in by_id[workflow_id]["state"] if v["name"] == "planned_checks"
        )
        for workflow_id in ("staging-deployment", "production-deployment")
    }
    assert planned == {"staging-deployment": 10, "production-deployment": 40}
    phases = [node["label"] for node in orchestrator["nodes"] if node["type"] == "phase"]
    assert len(phases) == len(PHASES) == 7
    # every node is labelled
    assert all(node["label"] for workflow in by_id.values() for node in workflow["nodes"])


def test_generated_code_passes_ruff_and_mypy_strict(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = compile_project(samples.feature_pipeline())
    assert result.ok and result.diagnostics == []
    write_package(result, tmp_path)
    cache = tmp_path_factory.getbasetemp() / "sample-mypy-cache"
    ruff_and_mypy(result.package, tmp_path, cache)


# the orchestrator, end to end


async def test_orchestrator_runs_every_phase_with_approvals_sent_by_signal(
    client: Client, fast: dict[str, ModuleType]
) -> None:
    models = fast["models"]
    async with running_worker(client, fast) as task_queue:
        handle = await start_orchestrator(client, task_queue, models)
        wid = handle.id
        gate = await pending_gate(handle, "requirement approval")
        assert gate["workflow_id"] == f"{wid}-intake"
        assert gate["phase"] == "intake"
        assert gate["signals"] == [
            "approveRequirement",
            "requestClarification",
            "rejectRequirement",
        ]
        # pause, block and change priority while the requirement waits for its approval
        await handle.signal(
            "pauseOrchestrator",
            models.FeatureDevelopmentOrchestratorPauseOrchestratorSignal(reason="release freeze"),
        )
        await handle.signal(
            "addBlocker",
            models.FeatureDevelopmentOrchestratorAddBlockerSignal(blocker="security sign-off"),
        )
        for priority in ("urgent", "critical"):
            await handle.signal(
                "updatePriority",
                models.FeatureDevelopmentOrchestratorUpdatePrioritySignal(priority=priority),
            )
        await client.get_workflow_handle(gate["workflow_id"]).signal(
            "approveRequirement", models.RequirementIntakeApproveRequirementSignal(approver="Ada")
        )
        # intake completes; planning waits while the pipeline is paused and blocked
        assert "clear to enter planning" in await waiting_on(handle, "clear to enter planning")
        status = await handle.query("getStatus")
        assert status["completed_phases"] == ["intake"]
        assert status["paused"] is True
        assert status["blockers"] == ["security sign-off"]
        assert status["priority"] == "critical"
        assert await never_started(client, f"{wid}-planning")
        await handle.signal("resumeOrchestrator")
        await until(lambda: handle.query("getStatus"), lambda s: s["paused"] is False)
        # still blocked
        assert "clear to enter planning" in await waiting_on(handle, "clear to enter planning")
        assert await never_started(client, f"{wid}-planning")
        await handle.signal(
            "removeBlocker",
            models.FeatureDevelopmentOrchestratorRemoveBlockerSignal(blocker="security sign-off"),
        )
        gate = await pending_gate(handle, "task review")
        assert (gate["workflow_id"], gate["phase"]) == (f"{wid}-planning", "planning")
        await client.get_workflow_handle(gate["workflow_id"]).signal(
            "approveTasks", models.TaskPlanningApproveTasksSignal(approver="Grace")
        )
        gate = await pending_gate(handle, "production approval")
        assert gate["workflow_id"] == f"{wid}-production-readiness"
        await client.get_workflow_handle(gate["workflow_id"]).signal(
            "approveProduction", models.ProductionReadinessApproveProductionSignal(approver="Linus")
        )
        outcome = await handle.result()
        timeline = await handle.query("getTimeline")
        gates_after = await handle.query("getApprovalGates")
        development = await events(client, f"{wid}-development")
        database_task = await events(client, f"{wid}-development-T1")
        api_task = await client.get_workflow_handle(f"{wid}-development-T2").result()
        database_result = await client.get_workflow_handle(f"{wid}-development-T1").result()
        testing = await events(client, f"{wid}-testing")
        staging = await client.get_workflow_handle(f"{wid}-staging").result()
        production = await client.get_workflow_handle(f"{wid}-production").result()
        intake = await client.get_workflow_handle(f"{wid}-intake").result()
        readiness = await client.get_workflow_handle(f"{wid}-production-readiness").result()

    assert outcome.status == "deployed"
    assert outcome.completed_phases == PHASES
    assert outcome.requirement_id == "REQ-142"
    assert outcome.branch == "feature/REQ-142-saved-searches"
    assert outcome.production_deployment_id == "production-a1b2c3d"
    assert outcome.rollback_triggered is False
    assert gates_after == []
    # the timeline: every phase started and completed, in order, with the control signals
    phase_events = [
        (entry["phase"], entry["event"])
        for entry in timeline
        if entry["event"] in ("started", "completed")
    ]
    assert phase_events == [
        (phase, event) for phase in PHASES for event in ("started", "completed")
    ]
    noted = [entry["event"] for entry in timeline]
    for event in (
        "paused: release freeze",
        "blocked: security sign-off",
        "ignored unknown priority: urgent",
        "priority: critical",
        "resumed",
        "unblocked: security sign-off",
    ):
        assert event in noted
    assert (intake["decision"], intake["decided_by"]) == ("approved", "Ada")
    assert (readiness["decided_by"], readiness["readiness_score"]) == ("Linus", 100.0)
    # development: dependency order, at most 4 task children at once
    started, finished, most = children_in_flight(development)
    tasks = [child.rsplit("-", 1)[1] for child in started if "-T" in child]
    assert sorted(tasks) == [f"T{n}" for n in range(1, 9)]
    assert most == 4
    for task, needs in {"T2": ["T1"], "T3": ["T2"], "T5": ["T2", "T3"]}.items():
        for need in needs:
            assert finished.index(f"{wid}-development-{need}") < started.index(
                f"{wid}-development-{task}"
            )
    assert started[-1] == f"{wid}-development-code-review"
    # the database task: 3 attempts of the assigned agent with backoff, then the specialist
    calls = activities(client, database_task)
    unit_tests = [args["implemented_by"] for name, args in calls if name == "run_task_unit_tests"]
    assert unit_tests == ["primary", "primary", "primary", "alternative"]
    agents = [args["agent_type"] for name, args in calls if name == "execute_agent_task"]
    assert agents == ["backend-architect"] * 3 + ["database-specialist"]
    first_backoff = parse_duration(samples.duration(30, FAST))
    assert timer_seconds(database_task) == [first_backoff, 2 * first_backoff]
    assert (database_result["agent"], database_result["attempts"]) == ("database-specialist", 4)
    assert (api_task["agent"], api_task["attempts"]) == ("backend-architect", 1)
    # testing: the eight test types
    suites = [
        args["test_type"] for name, args in activities(client, testing) if name == "run_test_suite"
    ]
    assert sorted(suites) == sorted(DATA.test_types)
    # deployments: every check of the monitoring windows passed
    assert (staging["checks"], staging["deployed"], staging["uat_passed"]) == (3, True, True)
    assert (production["checks"], production["failed_checks"], production["deployed"]) == (
        3,
        0,
        True,
    )


async def test_gates_whose_timeout_passes_take_their_timeout_paths(
    client: Client, quick_timeouts: dict[str, ModuleType]
) -> None:
    models = quick_timeouts["models"]
    async with running_worker(client, quick_timeouts) as task_queue:
        # nobody answers the requirement: 24 h -> escalate -> 24 h more -> rejected
        unanswered = await start_orchestrator(client, task_queue, models)
        # the requirement is approved by signal, nobody reviews the tasks (48 h -> escalate ->
        # 24 h more -> approved with a warning) nor approves production (72 h -> rejected)
        approved = await start_orchestrator(client, task_queue, models)
        gate = await pending_gate(approved, "requirement approval")
        await client.get_workflow_handle(gate["workflow_id"]).signal(
            "approveRequirement", models.RequirementIntakeApproveRequirementSignal(approver="Ada")
        )
        rejected_outcome = await unanswered.result()
        unanswered_intake = await client.get_workflow_handle(f"{unanswered.id}-intake").result()
        unanswered_history = await events(client, f"{unanswered.id}-intake")
        production_outcome = await approved.result()
        planning = await client.get_workflow_handle(f"{approved.id}-planning").result()
        planning_history = await events(client, f"{approved.id}-planning")
        readiness = await client.get_workflow_handle(f"{approved.id}-production-readiness").result()
        readiness_history = await events(client, f"{approved.id}-production-readiness")

    day = round(86400 * TIMEOUTS, 3)
    assert rejected_outcome.status == "rejected at intake"
    assert rejected_outcome.completed_phases == ["intake"]
    assert await never_started(client, f"{unanswered.id}-planning")
    assert (unanswered_intake["decision"], unanswered_intake["decided_by"]) == (
        "rejected",
        "timeout",
    )
    escalations = [
        args for name, args in activities(client, unanswered_history) if name == "escalate_approval"
    ]
    assert escalations == [
        {"gate": "requirement approval", "escalate_to": "project manager", "waited": "24h"}
    ]
    assert timer_seconds(unanswered_history) == [day, day]
    assert sum(e.event_type == TIMER_FIRED for e in unanswered_history) == 2
    assert "create_braingrid_requirement" not in activity_names(client, unanswered_history)

    assert production_outcome.status == "production rejected"
    assert production_outcome.completed_phases == PHASES[:-1]
    assert await never_started(client, f"{approved.id}-production")
    assert (planning["decision"], planning["decided_by"]) == ("approved", "timeout")
    assert planning["warnings"] == ["approved without a human review after 72 hours"]
    assert [
        args["escalate_to"]
        for name, args in activities(client, planning_history)
        if name == "escalate_approval"
    ] == ["senior developer"]
    assert timer_seconds(planning_history) == [2 * day, day]
    assert (readiness["approved"], readiness["decided_by"]) == (False, "timeout")
    assert readiness["rejection_reason"] == "no approval within 72 hours"
    assert timer_seconds(readiness_history) == [3 * day]


async def test_emergency_stop_ends_the_pipeline_at_the_next_phase(
    client: Client, fast: dict[str, ModuleType]
) -> None:
    models = fast["models"]
    async with running_worker(client, fast) as task_queue:
        handle = await start_orchestrator(client, task_queue, models)
        gate = await pending_gate(handle, "requirement approval")
        await handle.signal(
            "emergencyStop",
            models.FeatureDevelopmentOrchestratorEmergencyStopSignal(reason="wrong repository"),
        )
        await client.get_workflow_handle(gate["workflow_id"]).signal(
            "approveRequirement", models.RequirementIntakeApproveRequirementSignal(approver="Ada")
        )
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "EmergencyStop"
    assert cause.message == "emergency stop before planning: wrong repository"
    assert await never_started(client, f"{handle.id}-planning")


async def test_emergency_stop_during_production_rolls_the_deployment_back(
    client: Client, fast: dict[str, ModuleType]
) -> None:
    models = fast["models"]
    async with running_worker(client, fast) as task_queue:
        handle = await start_orchestrator(client, task_queue, models, auto_approve=True)
        gate = await pending_gate(handle, "production approval")
        await client.get_workflow_handle(gate["workflow_id"]).signal(
            "approveProduction", models.ProductionReadinessApproveProductionSignal(approver="Linus")
        )
        # keep the deployment monitoring (a real signal of the child) until the stop arrives
        deployment = client.get_workflow_handle(f"{handle.id}-production")

        async def extend() -> bool:
            try:
                await deployment.signal(
                    "extendMonitoring",
                    models.ProductionDeploymentExtendMonitoringSignal(checks=500),
                )
            except RPCError:
                return False  # not started yet
            return True

        await until(extend, bool)
        await until(
            lambda: deployment.query("getDeploymentStatus"),
            lambda s: s["planned_checks"] == HEALTH_CHECKS + 500,
        )
        await handle.signal(
            "emergencyStop",
            models.FeatureDevelopmentOrchestratorEmergencyStopSignal(
                reason="INC-7 checkout errors"
            ),
        )
        outcome = await handle.result()
        orchestrator_history = await events(client, handle.id)
        result = await deployment.result()
        rollback = activity_names(client, await events(client, deployment.id))

    assert outcome.status == "rolled back"
    assert outcome.rollback_triggered is True
    assert result["rollback_reason"] == "manual rollback: emergency stop: INC-7 checkout errors"
    assert result["checks"] < HEALTH_CHECKS + 500
    signalled = [
        event.signal_external_workflow_execution_initiated_event_attributes
        for event in orchestrator_history
        if event.event_type == SIGNAL_EXTERNAL
    ]
    assert [(s.workflow_execution.workflow_id, s.signal_name) for s in signalled] == [
        (deployment.id, "triggerRollback")
    ]
    tail = rollback[rollback.index("rollback_migrations") :]
    assert tail == [
        "rollback_migrations",
        "rollback_code_to_commit",
        "redeploy_previous_version",
        "verify_rollback",
        "monitor_health",
        "document_rollback",
    ]
    assert "run_uat" not in rollback


# the deployments on their own


async def test_staging_rolls_back_after_three_consecutive_failed_checks(
    client: Client, fast: dict[str, ModuleType]
) -> None:
    models = fast["models"]
    async with running_worker(client, fast) as task_queue:
        handle = await client.start_workflow(
            "staging-deployment",
            models.StagingDeploymentInput(
                branch="feature/REQ-9-broken", commit_sha=DATA.bad_commit
            ),
            id=unique_id("staging"),
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
            result_type=models.DeploymentResult,
        )
        result = await handle.result()
        calls = activity_names(client, await events(client, handle.id))
    assert result.rollback_triggered is True
    assert result.deployed is False
    assert (result.checks, result.failed_checks) == (3, 3)
    assert result.rollback_reason.startswith("3 consecutive failed health checks")
    assert "503 Service Unavailable" in result.rollback_reason
    assert calls.count("monitor_health") == 3
    assert calls[calls.index("rollback_deployment") :] == [
        "rollback_deployment",
        "rollback_migrations",
        "document_rollback",
    ]
    assert "run_uat" not in calls


async def test_production_trigger_rollback_runs_the_rollback_sequence(
    client: Client, fast: dict[str, ModuleType]
) -> None:
    models = fast["models"]
    async with running_worker(client, fast) as task_queue:
        handle = await client.start_workflow(
            "production-deployment",
            models.ProductionDeploymentInput(
                branch="feature/REQ-142-saved-searches",
                commit_sha="a1b2c3d",
                previous_sha="9d8c7b6",
            ),
            id=unique_id("production"),
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
            result_type=models.DeploymentResult,
            start_signal="triggerRollback",
            start_signal_args=[
                models.ProductionDeploymentTriggerRollbackSignal(reason="checkout conversion -40%")
            ],
        )
        result = await handle.result()
        rollback_status = await handle.query("getRollbackStatus")
        calls = activities(client, await events(client, handle.id))
    names = [name for name, _ in calls]
    assert result.rollback_triggered is True
    assert result.rollback_reason == "manual rollback: checkout conversion -40%"
    assert result.checks == 0
    assert rollback_status["rollback_completed"] is True
    assert names == [
        "create_backup",
        "verify_backup",
        "monitor_health",
        "run_migrations",
        "deploy",
        "verify_deployment",
        "rollback_migrations",
        "rollback_code_to_commit",
        "redeploy_previous_version",
        "verify_rollback",
        "monitor_health",
        "document_rollback",
    ]
    assert calls[names.index("rollback_code_to_commit")][1]["previous_sha"] == "9d8c7b6"
    assert calls[names.index("verify_rollback")][1]["deployment_id"] == "production-9d8c7b6"


def test_time_scale_only_shortens_the_waits() -> None:
    seeded = samples.feature_pipeline()
    scaled = samples.feature_pipeline("fp-scaled", time_scale=FAST)

    def shape(document: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [
            (workflow["id"], node["id"], node["type"])
            for workflow in document["workflows"]
            for node in workflow["nodes"]
        ]

    assert shape(seeded) == shape(scaled)
    assert samples.duration(86400, FAST) == "24s"
    assert samples.duration(30, FAST) == "10ms"
    assert samples.duration(3 * 86400, 1.0) == "3d"
