"""The Package Management sample on the real dev server.

Every workflow of the sample checks clean and compiles to code that passes ruff and mypy
--strict; package-builder builds in dependency order within its limit; package-build takes the
branch its pre-flight validation decides and retries with an agent fix between attempts;
continuous-builder deduplicates, pauses, resumes, adjusts its concurrency, drains, retries a
failing package 3 times, stops on emergency and continues-as-new with nothing lost; mcp-poller
signals only when the build queue returned packages; its schedule is a real Temporal Schedule.

The proofs come from what Temporal recorded: the workflows' histories (children initiated and
closed, activities scheduled, timers, signals) and their results. Where a scenario needs the
outside world to answer differently (a package that does not compile, an empty build queue),
the test registers its own implementation of that one activity, as a stub of the real service.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    Client,
    ScheduleActionStartWorkflow,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from compiler import check_document, compile_project
from tests.support import samples
from tests.support.harness import import_package, unique_id, write_package
from tests.support.package_check import ruff_and_mypy

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

SCALE = 0.01
"""Every wait of the workflows, scaled: a 30 s backoff takes 0.3 s."""
RUN_TIMEOUT = timedelta(seconds=90)
"""A broken workflow fails its test after this long instead of hanging the session."""

INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
CHILD_COMPLETED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
CHILD_FAILED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED
CHILD_CLOSED = {
    CHILD_COMPLETED,
    CHILD_FAILED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
}
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
SIGNAL_EXTERNAL = EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
STARTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED


# helpers shared with the plan writer's tests


def compile_sample(document: dict[str, Any], folder: Path) -> tuple[str, Path]:
    """Checks the document (no diagnostic at all) and writes its package under `folder`."""
    diagnostics = check_document(document).diagnostics
    assert [d.format() for d in diagnostics] == []
    result = compile_project(document)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.diagnostics == []
    write_package(result, folder)
    return result.package, folder


@asynccontextmanager
async def worker(
    client: Client, modules: dict[str, ModuleType], **stubs: Callable[..., Any]
) -> AsyncIterator[str]:
    """A worker for the package on a fresh task queue, some activities replaced by stubs (keyed
    by the generated function's name, registered under the activity's name); yields the queue."""
    worker_module = modules["worker"]
    activities = [stubs.pop(fn.__name__, fn) for fn in worker_module.ACTIVITIES]
    assert not stubs, f"no activity to replace for {sorted(stubs)}"
    task_queue = unique_id("tq")
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=worker_module.WORKFLOWS,
        activities=activities,
    ):
        yield task_queue


async def until(
    read: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout: float = 30.0
) -> Any:
    """Reads until `done(value)` holds (the test fails when the time is up); returns the value."""
    deadline = time.monotonic() + timeout
    value = await read()
    while not done(value):
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        await asyncio.sleep(0.05)
        value = await read()
    return value


async def events(client: Client, workflow_id: str, run_id: str | None = None) -> list[HistoryEvent]:
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    return list((await handle.fetch_history()).events)


async def all_runs(client: Client, handle: WorkflowHandle[Any, Any]) -> list[list[HistoryEvent]]:
    """The history of every run of the workflow, first to last, along its continue-as-new chain."""
    runs = []
    run_id: str | None = handle.first_execution_run_id
    while run_id:
        found = await events(client, handle.id, run_id)
        runs.append(found)
        last = found[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.event_type == CONTINUED
            else None
        )
    return runs


def of_type(found: list[HistoryEvent], event_type: int) -> list[HistoryEvent]:
    return [event for event in found if event.event_type == event_type]


def decode(client: Client, payload: Payload) -> Any:
    return client.data_converter.payload_converter.from_payload(payload)


def activity_calls(client: Client, found: list[HistoryEvent], name: str) -> list[Any]:
    """The inputs (as dicts) of one activity type the workflow scheduled, in order."""
    return [
        decode(client, e.activity_task_scheduled_event_attributes.input.payloads[0])
        for e in of_type(found, SCHEDULED)
        if e.activity_task_scheduled_event_attributes.activity_type.name == name
    ]


def activity_names(found: list[HistoryEvent]) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in of_type(found, SCHEDULED)
    ]


def timers(found: list[HistoryEvent]) -> list[float]:
    """The durations of the timers the workflow started, in seconds, in order."""
    return [
        e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()
        for e in of_type(found, TIMER_STARTED)
    ]


def initiated_ids(found: list[HistoryEvent]) -> list[str]:
    return [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in of_type(found, INITIATED)
    ]


def signal_names(found: list[HistoryEvent]) -> list[str]:
    return [
        e.workflow_execution_signaled_event_attributes.signal_name for e in of_type(found, SIGNALED)
    ]


def closed_child(event: HistoryEvent, initiated: dict[int, str]) -> str:
    """The child id a closing event belongs to (each names the event that initiated it)."""
    for name in (
        "child_workflow_execution_completed_event_attributes",
        "child_workflow_execution_failed_event_attributes",
        "child_workflow_execution_canceled_event_attributes",
        "child_workflow_execution_timed_out_event_attributes",
        "child_workflow_execution_terminated_event_attributes",
        "start_child_workflow_execution_failed_event_attributes",
    ):
        if event.HasField(name):
            return initiated[getattr(event, name).initiated_event_id]
    raise AssertionError(f"not a child closing event: {event.event_type}")


def in_flight(found: list[HistoryEvent]) -> list[int]:
    """How many children were initiated and not yet closed after each event, in order."""
    initiated = {
        e.event_id: e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in of_type(found, INITIATED)
    }
    running: set[str] = set()
    counts = []
    for event in found:
        if event.event_type == INITIATED:
            running.add(initiated[event.event_id])
        elif event.event_type in CHILD_CLOSED:
            running.discard(closed_child(event, initiated))
        counts.append(len(running))
    return counts


def first_index(found: list[HistoryEvent], test: Callable[[HistoryEvent], bool]) -> int:
    return next(i for i, event in enumerate(found) if test(event))


def signal_index(found: list[HistoryEvent], name: str, occurrence: int = 0) -> int:
    positions = [
        i
        for i, e in enumerate(found)
        if e.event_type == SIGNALED
        and e.workflow_execution_signaled_event_attributes.signal_name == name
    ]
    return positions[occurrence]


async def describe(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    try:
        return await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def failure_of(handle: WorkflowHandle[Any, Any]) -> ApplicationError:
    with pytest.raises(WorkflowFailureError) as raised:
        await handle.result()
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


# the project


def document(prefix: str, **options: Any) -> dict[str, Any]:
    """The sample with its own project id (packages stay imported for the whole session)."""
    return samples.package_management(unique_id(prefix), scale=SCALE, **options)


def preflight_for(name: str) -> dict[str, Any]:
    """The workspace each test package is in: new, half-written, published with an upgrade
    plan, or published and done."""
    kind = name.rsplit("/", 1)[-1]
    report = {
        "code_exists": kind in ("types", "logger", "legacy"),
        "published": kind in ("logger", "legacy"),
        "has_upgrade_plan": kind == "logger",
        "version": "2.0.0" if kind == "logger" else "1.0.0",
        "package_path": f"/ws/packages/{name}",
        "plan_path": f"/ws/plans/{name}.md",
    }
    return report


@activity.defn(name="preflight_validation")
async def preflight_stub(input: Any) -> dict[str, Any]:
    return preflight_for(input["package_name"])


@activity.defn(name="build_package")
async def build_stub(input: Any) -> dict[str, Any]:
    """tsc fails for any package named `broken`; a `slow` one compiles for a long time."""
    name = input["package_name"]
    if name.endswith("/broken"):
        raise ApplicationError(f"tsc: 14 type errors in {name}", type="CompileError")
    if "slow" in name:
        await asyncio.sleep(30)
    return {"artifacts": ["dist/index.js"], "warnings": 0}


def packages(models: ModuleType, scope: str, graph: dict[str, list[str]]) -> list[Any]:
    return [
        models.Package(
            name=f"{scope}/{name}",
            priority=100 - index,
            dependencies=[f"{scope}/{dependency}" for dependency in dependencies],
        )
        for index, (name, dependencies) in enumerate(graph.items())
    ]


# every workflow checks clean; the generated code passes ruff and mypy --strict


def test_sample_checks_clean_and_its_code_passes_ruff_and_mypy(tmp_path: Path) -> None:
    document = samples.package_management()
    assert document["id"] == "package-management"
    assert [w["id"] for w in document["workflows"]] == [
        "package-builder",
        "package-build",
        "continuous-builder",
        "mcp-poller",
    ]
    # the document is JSON, as `wfd seed --export` writes it, and loads the same every time
    assert json.loads(json.dumps(document)) == samples.package_management()
    package, folder = compile_sample(document, tmp_path / "packages")
    ruff_and_mypy(package, folder, tmp_path / "mypy-cache")
    # the seeded sample keeps the documents' real waits; tests scale them
    builder = next(w for w in document["workflows"] if w["id"] == "continuous-builder")
    queue = next(n for n in builder["nodes"] if n["type"] == "work_queue")
    assert (queue["config"]["retry_initial"], queue["config"]["max_attempts"]) == ("30s", 3)
    poller = next(w for w in document["workflows"] if w["id"] == "mcp-poller")
    schedule = next(n for n in poller["nodes"] if n["type"] == "schedule")
    assert schedule["config"]["interval"] == "30m"
    assert schedule["config"]["args"]["limit"] == "50"


# package-builder and package-build


GRAPH = {
    # dependents first: the order comes from the dependencies, not from the list
    "docs": ["config", "legacy"],
    "http": ["logger", "config"],
    "plugin": ["broken"],
    "broken": ["types"],
    "config": ["core", "types"],
    "logger": ["core"],
    "legacy": [],
    "types": [],
    "core": [],
}


async def test_package_builder_builds_dependencies_first_within_its_limit(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pm-builder"), package_dir)
    models = modules["models"]
    build_id = unique_id("b")
    scope = f"@{build_id}"
    name = {key: f"{scope}/{key}" for key in GRAPH}
    child = {key: f"package-build-{build_id}-{name[key]}" for key in GRAPH}
    arg = models.PackageBuilderInput(
        build_id=build_id,
        packages=packages(models, scope, GRAPH),
        max_concurrent=3,
        workspace_root="/ws",
        registry="https://registry.npmjs.org",
    )
    async with worker(
        client, modules, preflight_validation=preflight_stub, build_package=build_stub
    ) as task_queue:
        handle = await client.start_workflow(
            "package-builder",
            arg,
            id=f"package-builder-{build_id}",
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
            result_type=models.BuilderReport,
        )
        report = await handle.result()
        found = await events(client, handle.id)
        children = {key: await events(client, child[key]) for key in GRAPH if key != "plugin"}
        results = {
            key: await client.get_workflow_handle(child[key]).result()
            for key in GRAPH
            if key not in ("plugin", "broken")
        }
        broken = await failure_of(client.get_workflow_handle(child["broken"]))
        plugin = await describe(client, child["plugin"])

    # the report: everything built but the package that does not compile and its dependent
    assert report.build_id == build_id
    assert report.built == sorted(name[k] for k in GRAPH if k not in ("broken", "plugin"))
    assert list(report.failed) == [name["broken"]]
    assert "build still failing after 3 attempts and 2 agent fixes" in report.failed[name["broken"]]
    assert report.skipped == [name["plugin"]]
    assert report.integration_passed
    assert report.report_path == f"reports/{build_id}.md"
    # the five phases ran in order
    assert activity_names(found) == [
        "build_dependency_graph",
        "verify_plans",
        "run_integration_tests",
        "generate_report",
    ]
    assert activity_calls(client, found, "run_integration_tests")[0]["packages"] == report.built
    # no package was initiated before every one of its dependencies had completed
    position = {}
    for index, event in enumerate(found):
        if event.event_type == INITIATED:
            position[("started", initiated_ids([event])[0])] = index
        elif event.event_type == CHILD_COMPLETED:
            attributes = event.child_workflow_execution_completed_event_attributes
            position[("done", attributes.workflow_execution.workflow_id)] = index
    assert Counter(initiated_ids(found)) == Counter(child[k] for k in GRAPH if k != "plugin")
    for key, dependencies in GRAPH.items():
        if key == "plugin":
            continue
        for dependency in dependencies:
            assert position[("done", child[dependency])] < position[("started", child[key])], (
                f"{key} started before {dependency} completed"
            )
    # never more than 3 at once, and the limit was reached (three roots are ready at once)
    assert max(in_flight(found)) == 3
    # the dependent of the failed package never ran
    assert plugin is None

    # each build took the branch its pre-flight validation decided
    assert results["legacy"]["outcome"] == "already-published"
    assert activity_names(children["legacy"]) == ["preflight_validation"]
    assert results["logger"]["outcome"] == "upgraded"
    assert results["logger"]["version"] == "2.0.0"
    assert "audit_upgrade" in activity_names(children["logger"])
    assert results["types"]["outcome"] == "completed"
    assert "audit_state" in activity_names(children["types"])
    assert results["core"]["outcome"] == "new"
    for key in ("core", "config", "http", "docs"):
        assert not {"audit_upgrade", "audit_state"} & set(activity_names(children[key])), key
    # a new package: verified, scaffolded by the agent, built, tested twice with a fix between
    # (the first test run of a scaffolded package fails), quality, published, reported
    assert activity_names(children["core"]) == [
        "preflight_validation",
        "verify_dependencies",
        "scaffold_package",
        "build_package",
        "run_tests",
        "fix_package",
        "run_tests",
        "check_quality",
        "publish_package",
        "write_report",
    ]
    assert [c["attempt"] for c in activity_calls(client, children["core"], "run_tests")] == [1, 2]
    fixes = activity_calls(client, children["core"], "fix_package")
    assert [f["step"] for f in fixes] == ["tests"]
    assert "failed on attempt 1" in fixes[0]["prompt"]
    scaffold = activity_calls(client, children["core"], "scaffold_package")[0]
    assert name["core"] in scaffold["prompt"] and "/ws/plans/" in scaffold["prompt"]
    assert timers(children["core"]) == [pytest.approx(30 * SCALE)]
    assert results["core"]["fix_attempts"] == 1
    assert results["core"]["quality_score"] == 94
    # the package that does not compile: 3 builds, an agent fix before each retry, backoff
    # 30 s then 60 s (scaled), then it fails for good and its error names the step
    broken_events = children["broken"]
    assert activity_names(broken_events).count("build_package") == 3
    assert [f["step"] for f in activity_calls(client, broken_events, "fix_package")] == [
        "build",
        "build",
    ]
    assert timers(broken_events) == [pytest.approx(30 * SCALE), pytest.approx(60 * SCALE)]
    assert "run_tests" not in activity_names(broken_events)
    assert broken.type == "BuildFailed"
    assert broken.non_retryable


# continuous-builder


async def start_builder(
    client: Client, task_queue: str, models: ModuleType, max_concurrent: int
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        "continuous-builder",
        models.ContinuousBuilderInput(
            max_concurrent=max_concurrent, workspace_root="/ws", registry="https://registry.test"
        ),
        id=unique_id("continuous-builder"),
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
    )


async def snapshot(handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
    state = await handle.query("getState")
    assert isinstance(state, dict), state
    return state


def queued(state: dict[str, Any]) -> list[str]:
    return [p["name"] for p in state["internal_queue"]]


async def test_continuous_builder_deduplicates_pauses_resumes_adjusts_and_drains(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pm-control"), package_dir)
    models = modules["models"]
    scope = f"@{unique_id('c')}"
    p = [
        models.Package(name=f"{scope}/p{n}", priority=60 - 10 * n, dependencies=[])
        for n in range(6)
    ]
    names = [package.name for package in p]
    async with worker(client, modules) as task_queue:
        handle = await start_builder(client, task_queue, models, max_concurrent=1)
        await handle.signal("pause")
        # newPackages arrives in two overlapping batches, out of priority order
        await handle.signal(
            "newPackages", models.ContinuousBuilderNewPackagesSignal(packages=[p[2], p[0], p[1]])
        )
        await handle.signal(
            "newPackages", models.ContinuousBuilderNewPackagesSignal(packages=[p[1], p[3], p[2]])
        )
        paused = await until(lambda: snapshot(handle), lambda s: s["received"] == 6)
        await asyncio.sleep(1.0)
        still_paused = await snapshot(handle)
        await handle.signal("resume")
        # one at a time, best priority first; p0 in flight is not queued again when re-sent
        await until(lambda: snapshot(handle), lambda s: list(s["active_builds"]) == [names[0]])
        await handle.signal(
            "newPackages", models.ContinuousBuilderNewPackagesSignal(packages=[p[0], p[4], p[5]])
        )
        await until(lambda: snapshot(handle), lambda s: s["completed"] == 2)
        await handle.signal(
            "adjustConcurrency", models.ContinuousBuilderAdjustConcurrencySignal(limit=3)
        )
        widened = await until(lambda: snapshot(handle), lambda s: len(s["active_builds"]) == 3)
        await handle.signal("drain")
        result = await handle.result()
        drained = await snapshot(handle)
        found = await events(client, handle.id)
        never = await describe(client, f"build-{names[5]}")

    # deduplicated by name: the second batch added only p3
    assert queued(paused) == [names[2], names[0], names[1], names[3]]
    assert (paused["received"], paused["duplicates_ignored"]) == (6, 2)
    assert paused["is_paused"] and paused["max_concurrent"] == 1
    # paused: nothing started, and nothing started until the resume signal
    assert still_paused["active_builds"] == {} and still_paused["completed"] == 0
    assert not [e for e in found[: signal_index(found, "resume")] if e.event_type == INITIATED]
    # the in-flight p0 was ignored when it came again
    assert Counter(initiated_ids(found)) == Counter(f"build-{n}" for n in names[:5])
    assert drained["duplicates_ignored"] == 3
    # priority order: p0, p1 one at a time, then p2, p3, p4 together
    assert initiated_ids(found) == [f"build-{n}" for n in names[:5]]
    counts = in_flight(found)
    adjusted = signal_index(found, "adjustConcurrency")
    assert max(counts[:adjusted]) == 1
    assert max(counts[adjusted:]) == 3
    assert sorted(widened["active_builds"]) == names[2:5]
    assert widened["max_concurrent"] == 3
    # drained: the running builds finished, the queue stayed, the workflow returned
    assert result == {"completed": 5, "failed": 0, "queued": 1}
    assert queued(drained) == [names[5]]
    assert drained["is_draining"] and drained["active_builds"] == {}
    assert never is None
    # every published package was marked through the activity, once
    marked = activity_calls(client, found, "update_mcp_package_status")
    assert sorted(m["package_name"] for m in marked) == names[:5]
    assert {m["status"] for m in marked} == {"published"}
    assert signal_names(found).count("newPackages") == 3


async def test_continuous_builder_retries_three_times_and_survives_continue_as_new(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pm-retry", history_limit=60), package_dir)
    models = modules["models"]
    scope = f"@{unique_id('r')}"
    good = [f"{scope}/pkg{n:02d}" for n in range(10)]
    broken = f"{scope}/broken"
    batches = [[*good[:4], broken], good[4:7], good[7:]]
    async with worker(client, modules, build_package=build_stub) as task_queue:
        handle = await start_builder(client, task_queue, models, max_concurrent=3)
        sent = 0
        for batch in batches:
            await handle.signal(
                "newPackages",
                models.ContinuousBuilderNewPackagesSignal(
                    packages=[models.Package(name=n, priority=50, dependencies=[]) for n in batch]
                ),
            )
            sent += len(batch)

            # the next batch once this one is under way
            def caught_up(s: dict[str, Any], at: int = sent) -> bool:
                return s["received"] == at and not s["internal_queue"]

            await until(lambda: snapshot(handle), caught_up)
        done = await until(
            lambda: snapshot(handle), lambda s: s["completed"] == 10 and s["failed"] == 1
        )
        await handle.signal("drain")
        result = await handle.result()
        runs = await all_runs(client, handle)
        final = await snapshot(handle)

    assert result == {"completed": 10, "failed": 1, "queued": 0}
    # it continued as new (at least twice), and the chain of runs holds every event
    assert done["continued_as_new"] >= 2
    assert len(runs) == final["continued_as_new"] + 1
    assert all(of_type(found, CONTINUED) for found in runs[:-1])
    # nothing lost: every good package initiated exactly once over all runs, the broken one
    # three times; builds running at a continue-as-new were followed, not started again
    started = Counter(child for found in runs for child in initiated_ids(found))
    assert started == Counter({**{f"build-{n}": 1 for n in good}, f"build-{broken}": 3})
    followed = [
        call["workflow_id"]
        for found in runs[1:]
        for call in activity_calls(client, found, "wfd.await_workflow")
    ]
    assert followed, "no build was running at a continue-as-new"
    # each run started from what the previous one knew: every package signalled so far is
    # queued, in flight, waiting to retry, was marked published or failed before, or is due
    # to be (a package that ended while the run was about to continue is marked by the next)
    for index in range(1, len(runs)):
        earlier = [event for found in runs[:index] for event in found]
        carried = decode(
            client, runs[index][0].workflow_execution_started_event_attributes.input.payloads[0]
        )["resume_state"]
        signalled = [
            package["name"]
            for event in of_type(earlier, SIGNALED)
            if event.workflow_execution_signaled_event_attributes.signal_name == "newPackages"
            for package in decode(
                client, event.workflow_execution_signaled_event_attributes.input.payloads[0]
            )["packages"]
        ]
        marked = [
            call["package_name"]
            for call in activity_calls(client, earlier, "update_mcp_package_status")
        ]
        due = [*carried["progress"]["on_done_due"], *carried["progress"]["on_failed_due"]]
        in_state = [p["name"] for p in carried["queue"]] + list(carried["progress"]["items"])
        assert sorted(in_state + due + marked) == sorted(signalled), f"run {index + 1}"
        assert carried["received"] == len(signalled)
        ended = carried["progress"]["completed"] + carried["progress"]["failed"]
        assert ended == len(marked) + len(due)
        assert carried["progress"]["continued_as_new"] == index
        assert carried["initialized"] and carried["max_concurrent"] == 3
    # the counters crossed every continue-as-new
    assert (final["completed"], final["failed"], final["retried"]) == (10, 1, 2)
    assert (final["received"], final["duplicates_ignored"]) == (11, 0)
    assert final["active_builds"] == {} and final["failed_retries"] == {}
    # the broken package: retried with exponential backoff (30 s, then 60 s, scaled) after
    # each failure (of its child, or of following it after a continue-as-new), then marked
    # failed through the activity with the build's error; the others marked published
    flat = [event for found in runs for event in found]
    starts = [
        e.event_time.ToDatetime()
        for e in of_type(flat, INITIATED)
        if e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        == f"build-{broken}"
    ]
    failures = [
        e.event_time.ToDatetime()
        for e in flat
        if e.event_type in (CHILD_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)
    ]
    waits = [
        (start - max(f for f in failures if f < start)).total_seconds() for start in starts[1:]
    ]
    assert waits[0] >= 30 * SCALE and waits[1] >= 60 * SCALE
    marked = [
        call
        for found in runs
        for call in activity_calls(client, found, "update_mcp_package_status")
    ]
    failed_marks = [m for m in marked if m["status"] == "failed"]
    assert [m["package_name"] for m in failed_marks] == [broken]
    # the build's reason, whether the last attempt was awaited directly or followed after a
    # continue-as-new (then it comes wrapped in the follower's message)
    reason = f"{broken}: build still failing after 3 attempts and 2 agent fixes"
    assert failed_marks[0]["error"].endswith(reason)
    assert sorted(m["package_name"] for m in marked if m["status"] == "published") == good


async def test_continuous_builder_emergency_stop_cancels_builds_and_fails(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pm-stop"), package_dir)
    models = modules["models"]
    scope = f"@{unique_id('s')}"
    names = [f"{scope}/slow{n}" for n in range(4)]
    async with worker(client, modules, build_package=build_stub) as task_queue:
        handle = await start_builder(client, task_queue, models, max_concurrent=2)
        await handle.signal(
            "newPackages",
            models.ContinuousBuilderNewPackagesSignal(
                packages=[
                    models.Package(name=n, priority=10 - i, dependencies=[])
                    for i, n in enumerate(names)
                ]
            ),
        )

        async def statuses() -> list[WorkflowExecutionStatus | None]:
            found = [await describe(client, f"build-{n}") for n in names[:2]]
            return [d.status if d else None for d in found]

        await until(statuses, lambda s: s == [WorkflowExecutionStatus.RUNNING] * 2)
        began = time.monotonic()
        await handle.signal("emergencyStop")
        stop = await failure_of(handle)
        took = time.monotonic() - began
        cancelled = await until(statuses, lambda s: s == [WorkflowExecutionStatus.CANCELED] * 2)
        rest = [await describe(client, f"build-{n}") for n in names[2:]]
        found = await events(client, handle.id)

    # the handler only set a flag; the main loop cancelled the builds and failed the run
    assert stop.type == "EmergencyStop"
    assert stop.non_retryable
    assert stop.message == "Main Loop: Spawn Builds: emergency stop; cancelled 2 running children"
    assert took < 15  # well before the 30 s builds would have ended
    assert cancelled == [WorkflowExecutionStatus.CANCELED] * 2
    assert rest == [None, None]
    assert initiated_ids(found) == [f"build-{n}" for n in names[:2]]
    assert not activity_calls(client, found, "update_mcp_package_status")


# mcp-poller


@activity.defn(name="query_mcp_for_packages")
async def empty_queue(input: Any) -> list[Any]:
    return []


async def test_mcp_poller_signals_the_builder_only_when_packages_came_back(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pm-poller"), package_dir)
    models = modules["models"]
    builder_id = unique_id("orchestrator")

    async def poll(task_queue: str) -> tuple[int, list[HistoryEvent]]:
        handle = await client.start_workflow(
            "mcp-poller",
            models.McpPollerInput(limit=50, orchestrator_id=builder_id),
            id=unique_id("mcp-poller"),
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        return await handle.result(), await events(client, handle.id)

    async with worker(client, modules) as task_queue:
        builder = await client.start_workflow(
            "continuous-builder",
            models.ContinuousBuilderInput(max_concurrent=2, workspace_root="/ws", registry="r"),
            id=builder_id,
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        await builder.signal("pause")
        signalled, with_packages = await poll(task_queue)
        state = await until(lambda: snapshot(builder), lambda s: s["received"] == 3)
        # the same poller, against a build queue that is empty
        async with worker(client, modules, query_mcp_for_packages=empty_queue) as empty:
            nothing, without = await poll(empty)
        await asyncio.sleep(0.5)
        after = await snapshot(builder)
        await builder.signal("drain")
        drained = await builder.result()

    # the build queue answered three packages: one signal carried them all
    assert signalled == 3
    assert activity_calls(client, with_packages, "query_mcp_for_packages") == [{"limit": 50}]
    sent = of_type(with_packages, SIGNAL_EXTERNAL)
    assert len(sent) == 1
    attributes = sent[0].signal_external_workflow_execution_initiated_event_attributes
    assert (attributes.signal_name, attributes.workflow_execution.workflow_id) == (
        "newPackages",
        builder_id,
    )
    assert queued(state) == [
        "@bernierllc/logger",
        "@bernierllc/retry-policy",
        "@bernierllc/email-sender",
    ]
    # an empty queue: no signal at all, and the builder heard nothing more
    assert nothing == 0
    assert of_type(without, SIGNAL_EXTERNAL) == []
    assert after["received"] == 3
    assert drained == {"completed": 0, "failed": 0, "queued": 3}


async def test_mcp_poller_schedule_is_a_temporal_schedule_every_30_minutes(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pm-schedule"), package_dir)
    schedules = importlib.import_module(f"{modules['package'].__name__}.schedules")
    schedule_id = "mcp-poller-every-30-minutes"
    try:
        first = await schedules.apply(client)
        again = await schedules.apply(client)
        description = await client.get_schedule_handle(schedule_id).describe()
    finally:
        await client.get_schedule_handle(schedule_id).delete()
    assert (first, again) == ([f"created {schedule_id}"], [f"updated {schedule_id}"])
    spec = description.schedule.spec
    assert [interval.every for interval in spec.intervals] == [timedelta(minutes=30)]
    action = description.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == "mcp-poller"
    arg = decode(client, action.args[0]) if isinstance(action.args[0], Payload) else action.args[0]
    assert arg == {"limit": 50, "orchestrator_id": "continuous-builder-orchestrator"}
