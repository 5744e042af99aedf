"""The Plan Writer Service sample on the real dev server.

Every workflow of the sample checks clean and compiles to code that passes ruff and mypy
--strict; plan-writer-package waits for its parent's plan with Fibonacci backoff (read from the
timers in its history), asks the service to plan the parent once, proceeds when the parent's
plan appears and signals the service for the child packages it discovered;
plan-writer-service takes requests in priority order and keeps every request and its children
across two forced continue-as-new runs and keeps a bounded record of the plans written;
mcp-scanner asks for every package it found in one signal, priority low, and its schedule is a
real hourly Temporal Schedule.

The MCP packages API and the plans repository are played by `FakeMcp`: the test decides which
package has which parent, when a plan file appears, which plan cannot be written and which
agent is still writing. Everything else is the generated code.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, ScheduleActionStartWorkflow, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from tests.samples.test_package_management import (
    CHILD_COMPLETED,
    CONTINUED,
    SCHEDULED,
    SIGNAL_EXTERNAL,
    SIGNALED,
    activity_calls,
    activity_names,
    all_runs,
    compile_sample,
    decode,
    events,
    failure_of,
    initiated_ids,
    of_type,
    timers,
    until,
    worker,
)
from tests.support import samples
from tests.support.harness import import_package, unique_id
from tests.support.package_check import ruff_and_mypy

ACTIVITY_COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
MINUTE = 0.05
"""One minute of the workflows, in seconds, in these tests."""
SCALE = MINUTE / 60
RUN_TIMEOUT = timedelta(seconds=90)


def document(prefix: str, **options: Any) -> dict[str, Any]:
    """The sample with its own project id (packages stay imported for the whole session)."""
    return samples.plan_writer(unique_id(prefix), scale=SCALE, **options)


class FakeMcp:
    """The MCP packages API and the plans repository, as a test sets them up."""

    def __init__(
        self,
        parents: dict[str, str] | None = None,
        children: dict[str, list[str]] | None = None,
        unplanned: list[str] | None = None,
        held: list[str] | None = None,
        failing: list[str] | None = None,
    ) -> None:
        self.parents = parents or {}
        self.children = children or {}
        self.unplanned = unplanned or []
        self.failing = set(failing or [])
        self.held = {package: asyncio.Event() for package in held or []}
        """Packages whose agent keeps writing until the test releases them."""
        self.plans: set[str] = set()
        """Packages whose plan file exists."""
        self.log: list[tuple[str, str]] = []
        """What happened, in order: ("plan appeared" | "writing", package)."""

    def stubs(self) -> dict[str, Callable[..., Any]]:
        @activity.defn(name="query_package_details")
        async def query_package_details(input: Any) -> dict[str, Any]:
            package = input["package_id"]
            return {
                "id": package,
                "name": package.rsplit("/", 1)[-1],
                "status": "published",
                "parent_id": self.parents.get(package, ""),
                "plan_file_path": f"plans/{package}.md" if package in self.plans else "",
                "child_packages": self.children.get(package, []),
            }

        @activity.defn(name="check_plan_exists")
        async def check_plan_exists(input: Any) -> bool:
            return any(input["plan_file_path"] == f"plans/{p}.md" for p in self.plans)

        @activity.defn(name="write_plan")
        async def write_plan(input: Any) -> dict[str, Any]:
            package = input["package_id"]
            if package in self.failing:
                raise ApplicationError(
                    f"the model refused to plan {package}", type="AgentRefused", non_retryable=True
                )
            self.log.append(("writing", package))
            if package in self.held:
                await self.held[package].wait()
            self.plans.add(package)
            self.log.append(("plan appeared", package))
            return {"package_id": package, "plan_file_path": f"plans/{package}.md", "sections": 7}

        @activity.defn(name="scan_for_unplanned_packages")
        async def scan_for_unplanned_packages(input: Any) -> list[dict[str, Any]]:
            return [
                {"id": package, "name": package.rsplit("/", 1)[-1], "status": "published"}
                for package in self.unplanned
            ]

        return {
            "query_package_details": query_package_details,
            "check_plan_exists": check_plan_exists,
            "write_plan": write_plan,
            "scan_for_unplanned_packages": scan_for_unplanned_packages,
        }


async def start_service(
    client: Client, task_queue: str, models: ModuleType, max_concurrent: int
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        "plan-writer-service",
        models.PlanWriterServiceInput(max_concurrent=max_concurrent),
        id=unique_id("plan-writer-service"),
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
    )


async def snapshot(handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
    state = await handle.query("get_state")
    assert isinstance(state, dict), state
    return state


async def request(
    handle: WorkflowHandle[Any, Any], models: ModuleType, package: str, priority: str
) -> None:
    await handle.signal(
        "package_plan_needed",
        models.PlanWriterServicePackagePlanNeededSignal(
            package_id=package, priority=priority, source_service="test", reason="needed"
        ),
    )


def sent_signals(client: Client, found: list[HistoryEvent]) -> list[tuple[str, str, Any]]:
    """(target workflow id, signal name, payload) of every signal the workflow sent."""
    sent = []
    for event in of_type(found, SIGNAL_EXTERNAL):
        attributes = event.signal_external_workflow_execution_initiated_event_attributes
        sent.append(
            (
                attributes.workflow_execution.workflow_id,
                attributes.signal_name,
                decode(client, attributes.input.payloads[0]),
            )
        )
    return sent


async def history_so_far(client: Client, workflow_id: str) -> list[HistoryEvent]:
    """The workflow's history, or nothing while it does not exist yet."""
    try:
        return await events(client, workflow_id)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return []
        raise


def completed_children(client: Client, found: list[HistoryEvent]) -> list[str]:
    """The ids of the children seen to complete: directly, or by following one an earlier run
    started."""
    follows = {
        e.event_id: decode(client, e.activity_task_scheduled_event_attributes.input.payloads[0])
        for e in of_type(found, SCHEDULED)
        if e.activity_task_scheduled_event_attributes.activity_type.name == "wfd.await_workflow"
    }
    followed = [
        follows[e.activity_task_completed_event_attributes.scheduled_event_id]["workflow_id"]
        for e in of_type(found, ACTIVITY_COMPLETED)
        if e.activity_task_completed_event_attributes.scheduled_event_id in follows
    ]
    direct = [
        e.child_workflow_execution_completed_event_attributes.workflow_execution.workflow_id
        for e in of_type(found, CHILD_COMPLETED)
    ]
    return direct + followed


def child(package: str) -> str:
    return f"plan-writer-package-{package}"


# every workflow checks clean; the generated code passes ruff and mypy --strict


def test_sample_checks_clean_and_its_code_passes_ruff_and_mypy(tmp_path: Path) -> None:
    document = samples.plan_writer()
    assert document["id"] == "plan-writer"
    assert [w["id"] for w in document["workflows"]] == [
        "plan-writer-service",
        "mcp-scanner",
        "plan-writer-package",
    ]
    package, folder = compile_sample(document, tmp_path / "packages")
    ruff_and_mypy(package, folder, tmp_path / "mypy-cache")
    # the seeded sample keeps the documents' real numbers: 37,500 events, 1 and 2 minutes
    # growing to a 30-minute cap
    service = next(w for w in document["workflows"] if w["id"] == "plan-writer-service")
    queue = next(n for n in service["nodes"] if n["type"] == "work_queue")
    assert queue["config"]["history_limit"] == 37_500
    assert queue["config"]["id_template"] == "plan-writer-package-{item.package_id}"
    writer = next(w for w in document["workflows"] if w["id"] == "plan-writer-package")
    backoff = next(n for n in writer["nodes"] if n["type"] == "retry")["config"]
    assert (backoff["backoff"], backoff["initial_interval"], backoff["second_interval"]) == (
        "fibonacci",
        "1m",
        "2m",
    )
    # bounded so that the wait fits in one run's history: about six weeks at the cap
    assert (backoff["maximum_interval"], backoff["max_attempts"]) == ("30m", 2_000)


# plan-writer-package


async def test_package_waits_for_its_parent_with_fibonacci_backoff_then_proceeds(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pw-fib"), package_dir)
    models = modules["models"]
    scope = f"@{unique_id('f')}"
    parent, package = f"{scope}/platform", f"{scope}/api-client"
    kids = [f"{scope}/api-client-node", f"{scope}/api-client-web"]
    mcp = FakeMcp(
        parents={package: parent, **{kid: package for kid in kids}},
        children={package: kids},
        held=[parent],
    )
    async with worker(client, modules, **mcp.stubs()) as task_queue:
        service = await start_service(client, task_queue, models, max_concurrent=5)
        await request(service, models, package, "high")
        # the parent's plan stays missing until the package has backed off nine times
        await until(lambda: history_so_far(client, child(package)), lambda f: len(timers(f)) >= 9)
        mcp.held[parent].set()
        result = await client.get_workflow_handle(child(package)).result()
        # (a child reports its plan, then completes)
        state = await until(
            lambda: snapshot(service),
            lambda s: len(s["completed_plans"]) == 4 and s["total_completed"] == 4,
        )
        found = await events(client, child(package))
        kid_results = [await client.get_workflow_handle(child(k)).result() for k in kids]
        await service.terminate("test over")

    # the waits: 1, 2, 3, 5, 8, 13, 21 minutes, then 30 minutes capped (scaled)
    waits = [round(seconds / MINUTE, 3) for seconds in timers(found)]
    assert waits[:9] == [1, 2, 3, 5, 8, 13, 21, 30, 30]
    assert set(waits[9:]) <= {30}
    # one look at the parent per wait, plus the one that found its plan
    assert result["parent_checks"] == len(waits) + 1
    assert result["parent_id"] == parent
    # the parent had no plan: the service was asked to plan it, once, however long the wait
    signals = sent_signals(client, found)
    assert signals[0][:2] == (service.id, "discovered_child_package")
    assert signals[0][2] == {
        "package_id": parent,
        "discovered_by": package,
        "priority": "normal",
        "reason": "Missing parent plan - queuing parent",
    }
    # it proceeded only once the parent's plan existed: the file was checked, then written
    names = activity_names(found)
    assert names.count("check_plan_exists") == 1
    assert names[-2:] == ["check_plan_exists", "write_plan"]
    assert mcp.log.index(("plan appeared", parent)) < mcp.log.index(("writing", package))
    prompt = activity_calls(client, found, "write_plan")[0]["prompt"]
    assert package in prompt and parent in prompt
    # then it told the service: plan written, and each child package it discovered
    assert [(name, payload["package_id"]) for _, name, payload in signals[1:]] == [
        ("plan_written", package),
        ("discovered_child_package", kids[0]),
        ("discovered_child_package", kids[1]),
    ]
    assert result == {
        "package_id": package,
        "plan_file_path": f"plans/{package}.md",
        "parent_id": parent,
        "parent_checks": len(waits) + 1,
        "children_signalled": 2,
    }
    # the service planned the parent first, then the package, then its children (which found
    # their parent's plan at once, so they never waited)
    assert state["completed_plans"][:2] == [parent, package]
    assert sorted(state["completed_plans"][2:]) == sorted(kids)
    assert state["total_requests"] == 4
    assert (state["total_completed"], state["total_failed"]) == (4, 0)
    assert [r["parent_checks"] for r in kid_results] == [1, 1]
    assert state["queue"] == [] and state["active_requests"] == {}


# plan-writer-service


async def test_service_keeps_every_request_and_child_across_two_continue_as_new(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pw-can", history_limit=50), package_dir)
    models = modules["models"]
    scope = f"@{unique_id('s')}"
    held = [f"{scope}/held-a", f"{scope}/held-b", f"{scope}/gate"]
    doomed = f"{scope}/doomed"
    quick = {
        f"{scope}/low-1": "low",
        f"{scope}/normal-1": "normal",
        f"{scope}/high-1": "high",
        f"{scope}/low-2": "low",
        f"{scope}/normal-2": "normal",
        f"{scope}/high-2": "high",
    }
    scanned = [f"{scope}/scanned-1", f"{scope}/scanned-2"]
    mcp = FakeMcp(unplanned=scanned, held=held, failing=[doomed])
    async with worker(client, modules, **mcp.stubs()) as task_queue:
        service = await start_service(client, task_queue, models, max_concurrent=3)
        # a plan that cannot be written: tried 3 times, then recorded as failed
        await request(service, models, doomed, "high")
        await until(lambda: snapshot(service), lambda s: s["total_failed"] == 1)
        # three agents that keep writing fill every slot
        for package in held:
            await request(service, models, package, "normal")
        await until(lambda: snapshot(service), lambda s: len(s["active_requests"]) == 3)
        # meanwhile requests queue up, out of priority order, with repeats, and a scan
        for package, priority in quick.items():
            await request(service, models, package, priority)
        await request(service, models, f"{scope}/high-1", "high")
        await service.signal(
            "discovered_child_package",
            models.PlanWriterServiceDiscoveredChildPackageSignal(
                package_id=f"{scope}/low-1", discovered_by=held[0], priority="low", reason="dup"
            ),
        )
        await service.signal("trigger_mcp_scan")
        waiting = await until(lambda: snapshot(service), lambda s: s["scans"] == 1)
        # one slot frees: the queue runs through it, the history grows past 50 events
        mcp.held[f"{scope}/gate"].set()
        await until(lambda: snapshot(service), lambda s: s["total_completed"] == 9)
        mid = await snapshot(service)
        # the two agents still writing were followed by every new run; now they finish
        mcp.held[held[0]].set()
        mcp.held[held[1]].set()
        final = await until(lambda: snapshot(service), lambda s: s["total_completed"] == 11)
        runs = await all_runs(client, service)
        await service.terminate("test over")
        doomed_failure = await failure_of(client.get_workflow_handle(child(doomed)))

    everything = [doomed, *held, *quick, *scanned]

    def ended(found: list[HistoryEvent]) -> list[str]:
        return completed_children(client, found)

    # at least two continue-as-new, each recorded as such
    assert mid["continued_as_new"] >= 2
    assert len(runs) == final["continued_as_new"] + 1
    assert all(found[-1].event_type == CONTINUED for found in runs[:-1])
    # priority order through the freed slot: high, then normal (the scan's finds are
    # normal), then low, each in the order it arrived
    order = [c for found in runs for c in initiated_ids(found)]
    after_gate = [c for c in order if c not in {child(p) for p in [doomed, *held]}]
    assert after_gate == [
        child(p)
        for p in [
            f"{scope}/high-1",
            f"{scope}/high-2",
            f"{scope}/normal-1",
            f"{scope}/normal-2",
            *scanned,
            f"{scope}/low-1",
            f"{scope}/low-2",
        ]
    ]
    # every request started exactly once (the doomed one 3 times); children running at a
    # continue-as-new were re-attached by id in every later run until one saw them complete,
    # never started again
    assert Counter(order) == Counter({**{child(p): 1 for p in everything}, child(doomed): 3})
    for package in held[:2]:
        started_in = [i for i, found in enumerate(runs) if child(package) in initiated_ids(found)]
        followed_in = [
            i
            for i, found in enumerate(runs)
            if child(package)
            in [c["workflow_id"] for c in activity_calls(client, found, "wfd.await_workflow")]
        ]
        ended_in = [i for i, found in enumerate(runs) if child(package) in ended(found)]
        assert len(started_in) == 1 and len(ended_in) == 1
        assert followed_in == list(range(started_in[0] + 1, ended_in[0] + 1)), package
        assert followed_in, f"{package} was never running at a continue-as-new"
    # each run started from what the one before knew: the queue, the active requests and
    # their child ids, the statistics, the status, the completed and failed plans
    for index in range(1, len(runs)):
        earlier = [event for found in runs[:index] for event in found]
        carried = decode(
            client, runs[index][0].workflow_execution_started_event_attributes.input.payloads[0]
        )["resume_state"]
        requested = [
            decode(client, e.workflow_execution_signaled_event_attributes.input.payloads[0])[
                "package_id"
            ]
            for e in of_type(earlier, SIGNALED)
            if e.workflow_execution_signaled_event_attributes.signal_name
            in ("package_plan_needed", "discovered_child_package")
        ]
        scans = [
            e
            for e in of_type(earlier, SIGNALED)
            if e.workflow_execution_signaled_event_attributes.signal_name == "trigger_mcp_scan"
        ]
        known = set(requested) | (set(scanned) if scans else set())
        queue = [r["package_id"] for r in carried["queue"]]
        items = list(carried["progress"]["items"])
        completed = carried["completed_plans"]
        failed = [f["package_id"] for f in carried["failed_plans"]]
        assert set(queue + items + completed + failed) == known, f"run {index + 1}"
        # and none twice: a request is queued or in flight, never both
        assert len(set(queue)) == len(queue) and not set(queue) & set(items)
        assert len(set(completed)) == len(completed)
        assert carried["total_requests"] == len(requested) + len(scanned) * len(scans)
        assert carried["progress"]["completed"] == len(ended(earlier))
        assert carried["service_status"] == "running"
        assert carried["failed_plans"] == [
            {"package_id": doomed, "error": f"the model refused to plan {doomed}"}
        ]
        for package in held[:2]:
            if child(package) in initiated_ids(earlier) and child(package) not in ended(earlier):
                assert carried["progress"]["running"][package] == child(package)
        assert carried["progress"]["continued_as_new"] == index
    # in the end: every plan written once, the doomed one failed, nothing left over
    assert sorted(final["completed_plans"]) == sorted(p for p in everything if p != doomed)
    assert final["failed_plans"] == [
        {"package_id": doomed, "error": f"the model refused to plan {doomed}"}
    ]
    assert (final["total_completed"], final["total_failed"]) == (11, 1)
    assert final["total_requests"] == 1 + 3 + 6 + 2 + 2
    assert final["queue"] == [] and final["active_requests"] == {}
    assert final["service_status"] == "running"
    # the request queue before the gate opened: every request once, best first when taken
    assert sorted(r["package_id"] for r in waiting["queue"]) == sorted([*quick, *scanned])
    assert {r["package_id"]: r["priority"] for r in waiting["queue"]} == {
        **quick,
        **dict.fromkeys(scanned, "normal"),
    }
    assert {r["source_service"] for r in waiting["queue"] if r["package_id"] in scanned} == {
        "manual-scan"
    }
    assert doomed_failure.type == "PlanFailed"


# mcp-scanner


async def test_scanner_asks_the_service_for_every_package_in_one_signal_priority_low(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pw-scan"), package_dir)
    models = modules["models"]
    scope = f"@{unique_id('m')}"
    busy = f"{scope}/busy"
    mcp = FakeMcp(held=[busy])
    stubs = mcp.stubs()
    del stubs["scan_for_unplanned_packages"]  # the scanner's own simulated answer
    async with worker(client, modules, **stubs) as task_queue:
        service = await start_service(client, task_queue, models, max_concurrent=1)
        await request(service, models, busy, "normal")
        await until(lambda: snapshot(service), lambda s: list(s["active_requests"]) == [busy])
        scanner = await client.start_workflow(
            "mcp-scanner",
            models.McpScannerInput(service_workflow_id=service.id, limit=100),
            id=unique_id("mcp-scanner"),
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        count = await scanner.result()
        found = await events(client, scanner.id)
        state = await until(lambda: snapshot(service), lambda s: len(s["queue"]) == 2)
        await service.terminate("test over")
        await client.get_workflow_handle(child(busy)).terminate("test over")

    scanned = ["@bernierllc/csv-parser", "@bernierllc/rate-limiter"]
    assert count == 2
    assert activity_calls(client, found, "scan_for_unplanned_packages") == [{"limit": 100}]
    assert sent_signals(client, found) == [
        (
            service.id,
            "packages_plan_needed",
            {
                "package_ids": scanned,
                "priority": "low",
                "source_service": "mcp-scanner",
                "reason": "Published package without plan file",
            },
        )
    ]
    assert [(r["package_id"], r["priority"], r["source_service"]) for r in state["queue"]] == [
        (package, "low", "mcp-scanner") for package in scanned
    ]


async def test_the_service_keeps_the_last_200_plans_it_was_told_of(
    client: Client, package_dir: Path
) -> None:
    """What continue-as-new carries stays bounded: the record of written plans is a window."""
    modules = import_package(document("pw-window"), package_dir)
    models = modules["models"]
    async with worker(client, modules, **FakeMcp().stubs()) as task_queue:
        service = await start_service(client, task_queue, models, max_concurrent=1)
        for number in range(205):
            await service.signal(
                "plan_written",
                models.PlanWriterServicePlanWrittenSignal(
                    package_id=f"@scope/p{number}", plan_file_path=f"plans/p{number}.md"
                ),
            )
        state = await until(
            lambda: snapshot(service), lambda s: "@scope/p204" in s["completed_plans"]
        )
        await service.terminate("test over")

    assert state["completed_plans"] == [f"@scope/p{n}" for n in range(5, 205)]


async def test_scanner_schedule_is_an_hourly_temporal_schedule(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(document("pw-schedule"), package_dir)
    schedules = importlib.import_module(f"{modules['package'].__name__}.schedules")
    schedule_id = "mcp-scanner-hourly"
    try:
        first = await schedules.apply(client)
        description = await client.get_schedule_handle(schedule_id).describe()
    finally:
        await client.get_schedule_handle(schedule_id).delete()
    assert first == [f"created {schedule_id}"]
    action = description.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == "mcp-scanner"
    arg = action.args[0]
    assert (decode(client, arg) if isinstance(arg, Payload) else arg) == {
        "service_workflow_id": "plan-writer-service",
        "limit": 100,
    }
    # the next runs are on the hour, an hour apart
    upcoming = description.info.next_action_times[:3]
    assert len(upcoming) == 3
    assert all((t.minute, t.second) == (0, 0) for t in upcoming)
    assert [b - a for a, b in itertools.pairwise(upcoming)] == [timedelta(hours=1)] * 2
