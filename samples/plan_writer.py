"""Plan Writer Service: a long-running coordinator that gets an implementation plan written for
every package that needs one.

Recreates the plan-writer design of the reference documents:

- `plan-writer-service`: the coordinator. Signals `package_plan_needed`,
  `discovered_child_package` and `trigger_mcp_scan` (which runs the scan activity and queues
  what it finds) fill a request queue taken in priority order (high, normal, low); each request
  becomes a `plan-writer-package` child with the stable id `plan-writer-package-<package>`.
  Past a configurable history length (37,500 events by default) it continues-as-new carrying
  the queue, the active requests and their child ids (followed in the next run, never started
  again), the statistics, the service status and the completed and failed plans.
- `mcp-scanner`: a Temporal Schedule every hour (not a cron workflow); signals the service
  once per published package without a plan file, priority low.
- `plan-writer-package`: waits for its parent package's plan indefinitely, polling with
  Fibonacci backoff (1, 2, 3, 5, 8, 13, 21 minutes, then every 30 minutes); asks the service
  to plan the parent when it has none, writes the plan with an agent, reports the outcome and
  signals the service for each child package it discovered.

The reference's handlers keep Maps and handles; here everything the service knows is plain
data in its state, and children report back with signals rather than handles.

`build(scale=...)` multiplies every wait of the workflows; tests use a small scale.
"""

from __future__ import annotations

from typing import Any

from samples.builder import WorkflowBuilder, project, simulated
from samples.package_management import duration

PROJECT_ID = "plan-writer"
SERVICE_ID = "plan-writer-service"
"""The coordinator's workflow id, which the scanner signals."""

PRIORITY_RANK = "0 if item.priority == 'high' else 1 if item.priority == 'normal' else 2"
KNOWN_PRIORITY = "payload.priority if payload.priority in ['high', 'normal', 'low'] else 'normal'"
NOT_YET_KNOWN = (
    "payload.package_id not in [r.package_id for r in state.queue] "
    "and payload.package_id not in state.progress.items"
)


def types() -> dict[str, Any]:
    return {
        "PlanRequest": {
            "description": "A request to write one package's plan.",
            "fields": {
                "package_id": "str",
                "signal_type": "str",
                "source_service": "str",
                "priority": "str",
                "reason": "str",
                "discovered_by": "str",
            },
        },
        "PackageInfo": {
            "description": "A package as the MCP packages API lists it.",
            "fields": {"id": "str", "name": "str", "status": "str"},
        },
        "PackageDetails": {
            "description": "One package's details from the MCP packages API.",
            "fields": {
                "id": "str",
                "name": "str",
                "status": "str",
                "parent_id": "str",
                "plan_file_path": "str",
                "child_packages": "list[str]",
            },
        },
        "PlanDocument": {
            "description": "A plan an agent wrote.",
            "fields": {"package_id": "str", "plan_file_path": "str", "sections": "int"},
        },
        "PlanResult": {
            "description": "What one plan-writer-package run did.",
            "fields": {
                "package_id": "str",
                "plan_file_path": "str",
                "parent_id": "str",
                "parent_checks": "int",
                "children_signalled": "int",
            },
        },
        "FailedPlan": {
            "description": "A plan that could not be written.",
            "fields": {"package_id": "str", "error": "str"},
        },
        "ServiceSnapshot": {
            "description": "The plan writer service's state, as plain data.",
            "fields": {
                "service_status": "str",
                "queue": "list[PlanRequest]",
                "active_requests": "dict[str, str]",
                "waiting_to_retry": "list[str]",
                "total_requests": "int",
                "total_completed": "int",
                "total_failed": "int",
                "completed_plans": "list[str]",
                "failed_plans": "list[FailedPlan]",
                "scans": "int",
                "continued_as_new": "int",
            },
        },
    }


def activities(scale: float) -> list[dict[str, Any]]:
    quick_retry = {
        "initial_interval": duration(1, scale),
        "maximum_interval": duration(30, scale),
        "maximum_attempts": 5,
    }
    return [
        simulated(
            "scan_for_unplanned_packages",
            "Asks MCP for published packages without a plan file "
            "(GET /packages?filters[status]=published&filters[no_plan_file]=true).",
            input={"limit": "int"},
            output="list[PackageInfo]",
            result=[
                {"id": "@bernierllc/csv-parser", "name": "csv-parser", "status": "published"},
                {"id": "@bernierllc/rate-limiter", "name": "rate-limiter", "status": "published"},
            ],
            delay_seconds=0.1,
            timeout="2m",
            retry=quick_retry,
        ),
        simulated(
            "query_package_details",
            "Reads one package from MCP: its parent, its plan file and its child packages.",
            input={"package_id": "str"},
            output="PackageDetails",
            result={
                "id": "{package_id}",
                "name": "{package_id}",
                "status": "published",
                "parent_id": "",
                "plan_file_path": "",
                "child_packages": [],
            },
            delay_seconds=0.05,
            retry=quick_retry,
        ),
        simulated(
            "check_plan_exists",
            "Checks that a plan file is really in the plans repository.",
            input={"plan_file_path": "str"},
            output="bool",
            result=True,
            delay_seconds=0.05,
            retry=quick_retry,
        ),
        simulated(
            "write_plan",
            "An agent writes the package's implementation plan (the model is rate-limited on "
            "the first call).",
            input={"prompt": "str", "package_id": "str"},
            output="PlanDocument",
            result={
                "package_id": "{package_id}",
                "plan_file_path": "plans/packages/{package_id}.md",
                "sections": 7,
            },
            delay_seconds=0.3,
            fail_attempts=1,
            fail_message="model rate limit reached while planning {package_id} (429)",
            timeout="20m",
            heartbeat="1m",
            retry=quick_retry,
        ),
    ]


def _enqueue(prefix: str, signal_type: str, source: str, discovered_by: str) -> dict[str, Any]:
    """The set_state config that queues one request unless it is queued or in flight.

    Its locals start with `prefix`: a workflow's result names are unique across its handlers.
    """
    request = (
        f"PlanRequest(package_id=payload.package_id, signal_type={signal_type!r}, "
        f"source_service={source}, priority={prefix}_priority, reason=payload.reason, "
        f"discovered_by={discovered_by})"
    )
    return {
        "assignments": [
            {"target": f"{prefix}_priority", "value": KNOWN_PRIORITY},
            {"target": f"{prefix}_request", "value": f"[{request}] if {NOT_YET_KNOWN} else []"},
            {"target": "state.queue", "value": f"state.queue + {prefix}_request"},
            {"target": "state.total_requests", "value": "state.total_requests + 1"},
        ]
    }


def plan_writer_service(scale: float, history_limit: int, service_id: str) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "plan-writer-service",
        "Plan Writer Service",
        "Long-running coordinator: queues plan requests from signals, writes them as "
        "plan-writer-package children in priority order and continues-as-new before its "
        "history grows too long, carrying everything it knows.",
        input={"max_concurrent": "int"},
        # one service: the scanner's schedule signals it by this id
        settings={"id_template": service_id},
        state=[
            {"name": "queue", "type": "list[PlanRequest]", "default": []},
            {"name": "service_status", "type": "str", "default": "initializing"},
            {"name": "total_requests", "type": "int", "default": 0},
            {"name": "completed_plans", "type": "list[str]", "default": []},
            {"name": "failed_plans", "type": "list[FailedPlan]", "default": []},
            {"name": "scans", "type": "int", "default": 0},
            {"name": "last_scan_error", "type": "str", "default": ""},
        ],
    )
    w.node("start", "start", "Start")
    w.node(
        "running",
        "set_state",
        "Service Running",
        assignments=[{"target": "state.service_status", "value": "'running'"}],
    )
    w.node(
        "main_loop",
        "work_queue",
        "Process Plan Requests",
        queue="queue",
        workflow="plan-writer-package",
        key="item.package_id",
        order_by=PRIORITY_RANK,
        args={
            "package_id": "item.package_id",
            "priority": "item.priority",
            "reason": "item.reason",
            "service_workflow_id": "workflow_id",
        },
        id_template="plan-writer-package-{item.package_id}",
        concurrency_from="input.max_concurrent",
        max_attempts=3,
        retry_initial=duration(60, scale),
        retry_multiplier=2.0,
        retry_maximum=duration(600, scale),
        history_limit=history_limit,
    )
    w.chain("start", "running", "main_loop")

    w.node(
        "plan_needed",
        "signal",
        "package_plan_needed",
        name="package_plan_needed",
        params={"package_id": "str", "priority": "str", "source_service": "str", "reason": "str"},
    )
    w.node(
        "queue_plan_needed",
        "set_state",
        "Queue Request",
        **_enqueue("needed", "package_plan_needed", "payload.source_service", "''"),
    )
    w.chain("plan_needed", "queue_plan_needed")

    w.node(
        "discovered",
        "signal",
        "discovered_child_package",
        name="discovered_child_package",
        params={"package_id": "str", "discovered_by": "str", "priority": "str", "reason": "str"},
    )
    w.node(
        "queue_discovered",
        "set_state",
        "Queue Discovered Package",
        **_enqueue(
            "discovered",
            "discovered_child_package",
            "'plan-writer-package'",
            "payload.discovered_by",
        ),
    )
    w.chain("discovered", "queue_discovered")

    w.node("trigger_scan", "signal", "trigger_mcp_scan", name="trigger_mcp_scan")
    w.node("scan_guard", "try", "Scan (an MCP outage fails the scan, not the service)")
    w.node(
        "scan",
        "activity",
        "Scan for Unplanned Packages",
        parent="scan_guard",
        activity="scan_for_unplanned_packages",
        args={"limit": "100"},
        result="unplanned",
    )
    w.node(
        "queue_scanned",
        "set_state",
        "Queue What the Scan Found",
        parent="scan_guard",
        assignments=[
            {
                "target": "scanned",
                "value": (
                    "[PlanRequest(package_id=p.id, signal_type='package_plan_needed', "
                    "source_service='manual-scan', priority='normal', "
                    "reason='Manual scan discovery', discovered_by='') for p in unplanned "
                    "if p.id not in [r.package_id for r in state.queue] "
                    "and p.id not in state.progress.items]"
                ),
            },
            {"target": "state.queue", "value": "state.queue + scanned"},
            {"target": "state.total_requests", "value": "state.total_requests + len(unplanned)"},
            {"target": "state.scans", "value": "state.scans + 1"},
            {"target": "state.last_scan_error", "value": "''"},
        ],
    )
    w.node(
        "scan_failed",
        "set_state",
        "Record the Failed Scan",
        assignments=[{"target": "state.last_scan_error", "value": "error"}],
    )
    w.chain("scan", "queue_scanned")
    w.chain("trigger_scan", "scan_guard")
    w.edge("scan_guard", "scan_failed", "error")

    w.node(
        "plan_written",
        "signal",
        "plan_written",
        name="plan_written",
        params={"package_id": "str", "plan_file_path": "str"},
    )
    w.node(
        "record_written",
        "set_state",
        "Record Completed Plan",
        assignments=[
            {
                "target": "state.completed_plans",
                "value": (
                    "[p for p in state.completed_plans if p != payload.package_id] "
                    "+ [payload.package_id]"
                ),
            },
            {
                "target": "state.failed_plans",
                "value": "[f for f in state.failed_plans if f.package_id != payload.package_id]",
            },
        ],
    )
    w.chain("plan_written", "record_written")

    w.node(
        "plan_failed",
        "signal",
        "plan_failed",
        name="plan_failed",
        params={"package_id": "str", "error": "str"},
    )
    w.node(
        "record_failed",
        "set_state",
        "Record Failed Plan",
        assignments=[
            {
                "target": "state.failed_plans",
                "value": (
                    "[f for f in state.failed_plans if f.package_id != payload.package_id] "
                    "+ [FailedPlan(package_id=payload.package_id, error=payload.error)]"
                ),
            }
        ],
    )
    w.chain("plan_failed", "record_failed")

    w.node(
        "get_state",
        "query",
        "get_state",
        name="get_state",
        returns="ServiceSnapshot",
        value=(
            "ServiceSnapshot(service_status=state.service_status, queue=state.queue, "
            "active_requests=state.progress.running, "
            "waiting_to_retry=sorted(state.progress.retry_at), "
            "total_requests=state.total_requests, total_completed=state.progress.completed, "
            "total_failed=state.progress.failed, completed_plans=state.completed_plans, "
            "failed_plans=state.failed_plans, scans=state.scans, "
            "continued_as_new=state.progress.continued_as_new)"
        ),
    )
    return w


def mcp_scanner(service_id: str) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "mcp-scanner",
        "MCP Scanner",
        "Every hour: finds published packages without a plan file and asks the plan writer "
        "service for each, priority low.",
        input={"service_workflow_id": "str", "limit": "int"},
        output="int",
    )
    w.node(
        "hourly",
        "schedule",
        "Hourly",
        schedule_id="mcp-scanner-hourly",
        cron=["@hourly"],
        overlap="skip",
        catchup_window="10m",
        note="find published packages without plans",
        args={"service_workflow_id": repr(service_id), "limit": "100"},
    )
    w.node("start", "start", "Start (Cron)")
    w.node(
        "scan",
        "activity",
        "Scan for Unplanned Packages",
        activity="scan_for_unplanned_packages",
        args={"limit": "input.limit"},
        result="unplanned",
    )
    w.node("each_package", "loop", "Each Unplanned Package", mode="for_each", items="unplanned")
    w.node(
        "signal_service",
        "signal_external",
        "Signal Service: package_plan_needed",
        parent="each_package",
        workflow_id="{input.service_workflow_id}",
        signal="package_plan_needed",
        workflow="plan-writer-service",
        args={
            "package_id": "item.id",
            "priority": "'low'",
            "source_service": "'mcp-scanner'",
            "reason": "'Published package without plan file'",
        },
    )
    w.node("end", "end", "End", value="len(unplanned)")
    w.chain("start", "scan", "each_package", "end")
    return w


def plan_writer_package(scale: float) -> WorkflowBuilder:
    w = WorkflowBuilder(
        "plan-writer-package",
        "Plan Writer Package",
        "Writes one package's plan: first waits, as long as it takes, for the parent "
        "package's plan (Fibonacci backoff capped at 30 minutes), asking the service to plan "
        "the parent when it has none.",
        input={
            "package_id": "str",
            "priority": "str",
            "reason": "str",
            "service_workflow_id": "str",
        },
        output="PlanResult",
        state=[
            {"name": "parent_requested", "type": "bool", "default": False},
            {"name": "parent_plan_found", "type": "bool", "default": False},
            {"name": "parent_checks", "type": "int", "default": 0},
            {"name": "plan_file_path", "type": "str", "default": ""},
            {"name": "failure", "type": "str", "default": ""},
        ],
        settings={"id_template": "plan-writer-package-{input.package_id}"},
    )
    w.node("start", "start", "Start")
    w.node(
        "details",
        "activity",
        "Query Package Details",
        activity="query_package_details",
        args={"package_id": "input.package_id"},
        result="details",
    )
    w.node("has_parent", "condition", "Has Parent Package?", expression="details.parent_id != ''")
    w.node(
        "wait_for_parent",
        "retry",
        "Wait for Parent Plan (Fibonacci Backoff)",
        backoff="fibonacci",
        initial_interval=duration(60, scale),
        second_interval=duration(120, scale),
        maximum_interval=duration(1800, scale),
        # about six weeks at the 30-minute cap, and within one run's history
        max_attempts=2_000,
        until="state.parent_plan_found",
    )
    w.node(
        "parent_details",
        "activity",
        "Query Parent Details",
        parent="wait_for_parent",
        activity="query_package_details",
        args={"package_id": "details.parent_id"},
        result="parent",
    )
    w.node(
        "count_check",
        "set_state",
        "Count Check",
        parent="wait_for_parent",
        assignments=[{"target": "state.parent_checks", "value": "state.parent_checks + 1"}],
    )
    w.node(
        "parent_has_plan_file",
        "condition",
        "Parent Has Plan File?",
        parent="wait_for_parent",
        expression="parent.plan_file_path != ''",
    )
    w.node(
        "check_plan",
        "activity",
        "Check Plan Exists",
        parent="wait_for_parent",
        activity="check_plan_exists",
        args={"plan_file_path": "parent.plan_file_path"},
        result="plan_exists",
    )
    w.node(
        "note_plan",
        "set_state",
        "Note Parent Plan",
        parent="wait_for_parent",
        assignments=[{"target": "state.parent_plan_found", "value": "plan_exists"}],
    )
    w.node(
        "parent_not_requested",
        "condition",
        "Parent Not Yet Requested?",
        parent="wait_for_parent",
        expression="not state.parent_requested",
    )
    w.node(
        "request_parent",
        "signal_external",
        "Signal Service: Missing Parent Plan",
        parent="wait_for_parent",
        workflow_id="{input.service_workflow_id}",
        signal="discovered_child_package",
        workflow="plan-writer-service",
        args={
            "package_id": "details.parent_id",
            "discovered_by": "input.package_id",
            "priority": "'normal'",
            "reason": "'Missing parent plan - queuing parent'",
        },
    )
    w.node(
        "note_requested",
        "set_state",
        "Note Parent Requested",
        parent="wait_for_parent",
        assignments=[{"target": "state.parent_requested", "value": "True"}],
    )
    w.chain("parent_details", "count_check", "parent_has_plan_file")
    w.edge("parent_has_plan_file", "check_plan", "true")
    w.chain("check_plan", "note_plan")
    w.edge("parent_has_plan_file", "parent_not_requested", "false")
    w.edge("parent_not_requested", "request_parent", "true")
    w.chain("request_parent", "note_requested")

    w.node("write", "try", "Write Plan")
    w.node(
        "write_plan",
        "agent",
        "Write Plan (Agent)",
        parent="write",
        activity="write_plan",
        prompt=(
            "Write the implementation plan for the package {input.package_id} "
            "({details.name}, {details.status}). Why it is needed: {input.reason}. "
            "Parent package: {details.parent_id or 'none'}. Known child packages: "
            "{details.child_packages}. Cover the public API, the dependencies, the tests and "
            "the release steps."
        ),
        args={"package_id": "input.package_id"},
        result="plan",
    )
    w.node(
        "keep_path",
        "set_state",
        "Keep Plan Path",
        parent="write",
        assignments=[{"target": "state.plan_file_path", "value": "plan.plan_file_path"}],
    )
    w.chain("write_plan", "keep_path")
    w.node(
        "report_failed",
        "signal_external",
        "Signal Service: Plan Failed",
        workflow_id="{input.service_workflow_id}",
        signal="plan_failed",
        workflow="plan-writer-service",
        args={"package_id": "input.package_id", "error": "error"},
    )
    w.node(
        "note_failure",
        "set_state",
        "Note Failure",
        assignments=[{"target": "state.failure", "value": "error"}],
    )
    # the Fail comes after the Try rather than on its error path: a Fail there would raise
    # inside the `except` clause without `from` (ruff B904)
    w.node("was_written", "condition", "Plan Written?", expression="state.failure == ''")
    w.node(
        "failed",
        "fail",
        "Plan Failed",
        message="the plan for {input.package_id} could not be written: {state.failure}",
        error_type="PlanFailed",
    )
    w.node(
        "report_written",
        "signal_external",
        "Signal Service: Plan Written",
        workflow_id="{input.service_workflow_id}",
        signal="plan_written",
        workflow="plan-writer-service",
        args={"package_id": "input.package_id", "plan_file_path": "state.plan_file_path"},
    )
    w.node(
        "each_child",
        "loop",
        "Each Child Package",
        mode="for_each",
        items="details.child_packages",
    )
    w.node(
        "signal_child",
        "signal_external",
        "Signal Service: Discovered Child Package",
        parent="each_child",
        workflow_id="{input.service_workflow_id}",
        signal="discovered_child_package",
        workflow="plan-writer-service",
        args={
            "package_id": "item",
            "discovered_by": "input.package_id",
            "priority": "'normal'",
            "reason": "'Child package discovered while planning ' + input.package_id",
        },
    )
    w.node(
        "end",
        "end",
        "End",
        value=(
            "PlanResult(package_id=input.package_id, plan_file_path=state.plan_file_path, "
            "parent_id=details.parent_id, parent_checks=state.parent_checks, "
            "children_signalled=len(details.child_packages))"
        ),
    )
    w.chain("start", "details", "has_parent")
    w.edge("has_parent", "wait_for_parent", "true")
    w.edge("has_parent", "write", "false")
    w.chain("wait_for_parent", "write")
    w.edge("write", "report_failed", "error")
    w.chain("report_failed", "note_failure", "was_written")
    w.chain("write", "was_written")
    w.edge("was_written", "report_written", "true")
    w.edge("was_written", "failed", "false")
    w.chain("report_written", "each_child", "end")
    return w


def build(
    *,
    project_id: str = PROJECT_ID,
    scale: float = 1.0,
    history_limit: int = 37_500,
    service_id: str = SERVICE_ID,
) -> dict[str, Any]:
    """The Plan Writer Service project.

    `scale` multiplies the workflows' waits (tests pass a small one); `history_limit` is where
    the service continues-as-new (3/4 of Temporal's 50,000 events by default); `service_id` is
    the service the scanner's schedule signals.
    """
    return project(
        project_id,
        "Plan Writer Service",
        "Gets an implementation plan written for every package that needs one: a long-running "
        "coordinator, an hourly MCP scan and one child per package that waits for its parent's "
        "plan.",
        task_queue=project_id,
        types=types(),
        activities=activities(scale),
        workflows=[
            plan_writer_service(scale, history_limit, service_id),
            mcp_scanner(service_id),
            plan_writer_package(scale),
        ],
    )
