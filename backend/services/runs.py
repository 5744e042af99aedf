"""Runs of a deployment's workflows on Temporal: start, list, describe, talk to, follow.

Every Temporal call here has a deadline, and every Temporal error becomes one of the API's
errors (404 for an unknown run, 409 for a run that cannot take the request any more, 422 for a
payload the handler would refuse, 503 when Temporal does not answer): never a 500.

Inputs and payloads are checked against the workflow's types before anything is sent, with the
rules the compiler applies to input defaults (`language.defaults.default_source`), so a run never
fails on its first task because of its input. A run belongs to the deployment whose task queue
it runs on; its workflow type is the workflow's id in the project (`@workflow.defn(name=...)`).

A test run may give activity-calling nodes stand-ins (a result, or a failure) that the managed
worker answers instead of running the activity (`backend.runtime.managed_worker`); they travel
in the run's memo, so a description shows them and a re-run keeps them.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import re
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, get_args

import anyio
from pydantic import TypeAdapter, ValidationError
from starlette import status
from starlette.exceptions import HTTPException
from temporalio.api.common.v1 import WorkflowExecution as ExecutionRef
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import (
    GetWorkflowExecutionHistoryRequest,
    GetWorkflowExecutionHistoryResponse,
)
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.converter import PayloadConverter
from temporalio.exceptions import FailureError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from backend.errors import Invalid, NotFound, Unavailable
from backend.models import (
    ErrorPublic,
    FirstFailurePublic,
    NodeStatePublic,
    RunEndPublic,
    RunListItemPublic,
    RunNodesPublic,
    RunPublic,
    RunSnapshotPublic,
    RunStatus,
    RunSummaryPublic,
    StandInPublic,
)
from backend.runtime.managed_worker import MEMO_KEY as STAND_INS_MEMO
from backend.runtime.node_states import RunTracker, root_message
from backend.runtime.temporal import TemporalTarget, visibility_query
from backend.services.deployments import DeploymentHandle
from language.defaults import DefaultError, default_source
from language.diagnostics import Codes, Diagnostic
from language.document import SLUG_PATTERN, Node, Project, Workflow
from node_types.project_info import FieldsInfo, ProjectInfo, WorkflowInfo

CALL_TIMEOUT = timedelta(seconds=10)
"""A Temporal call that should answer at once (start, describe, signal, list)."""
QUERY_TIMEOUT = timedelta(seconds=5)
"""A query or an update: the worker answers, so it may be slow or away."""
GATES_TIMEOUT = timedelta(seconds=2)
"""The `pending_gates` query a description adds: best effort."""
LONG_POLL = timedelta(seconds=30)
"""Above the server's long-poll expiry (20 s): an empty answer, not a deadline, ends a wait."""
MAX_CHAIN = 50
"""Earlier runs of a continue-as-new chain read for a description, at most."""
MAX_STAND_IN_BYTES = 32_000
"""A stand-in's result as JSON, at most: it rides in the run's memo and every call's header."""

STATUSES: dict[str, WorkflowExecutionStatus] = {item.name: item for item in WorkflowExecutionStatus}
"""API status name (RUNNING, COMPLETED, FAILED, CANCELED, ...) -> Temporal's."""
_RUN_STATUSES: dict[str, RunStatus] = {name: name for name in get_args(RunStatus)}
_VISIBILITY_STATUS = {
    "RUNNING": "Running",
    "COMPLETED": "Completed",
    "FAILED": "Failed",
    "CANCELED": "Canceled",
    "TERMINATED": "Terminated",
    "CONTINUED_AS_NEW": "ContinuedAsNew",
    "TIMED_OUT": "TimedOut",
}
SLUG = re.compile(SLUG_PATTERN)
_CONVERTER = PayloadConverter.default


# --- a deployment's documents, read once ------------------------------------------------------


@dataclass(frozen=True)
class Deployed:
    """A deployment with the project it was compiled from and the compiler's view of it."""

    handle: DeploymentHandle
    project: Project
    info: ProjectInfo

    def workflow(self, workflow_id: str) -> WorkflowInfo | None:
        return self.info.workflows.get(workflow_id)

    def workflow_or_404(self, workflow_id: str) -> WorkflowInfo:
        """The deployment's workflow; one it does not have is a missing thing (404), whether a
        run names it or a listing filters on it, like a version a deployment names."""
        found = self.workflow(workflow_id)
        if found is None:
            known = ", ".join(sorted(self.info.workflows)) or "none"
            raise NotFound(
                f"deployment {self.handle.id!r} has no workflow {workflow_id!r} (it has: {known})"
            )
        return found


_CACHE: OrderedDict[str, Deployed] = OrderedDict()
_CACHE_SIZE = 32


async def deployed(handle: DeploymentHandle) -> Deployed:
    """The deployment's documents (immutable, so read once per process and kept a while)."""
    found = _CACHE.get(handle.id)
    if found is None:
        project = await anyio.to_thread.run_sync(handle.project)
        found = Deployed(handle, project, ProjectInfo.build(project))
        _CACHE[handle.id] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(handle.id)
    return found


# --- errors -----------------------------------------------------------------------------------


def _invalid(message: str, field: str, workflow_id: str | None = None) -> Invalid:
    return Invalid(
        message, [Diagnostic(Codes.SCHEMA, message, workflow_id=workflow_id, field=field)]
    )


def _closed(what: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, what)


@contextmanager
def temporal_errors(workflow_id: str | None = None) -> Iterator[None]:
    """Temporal's errors as the API's: 404, 409, 422 or 503, never a 500."""
    try:
        yield
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            if workflow_id is not None:
                raise NotFound(f"no run of workflow id {workflow_id!r}: {error.message}") from None
            raise NotFound(error.message) from None
        if error.status == RPCStatusCode.ALREADY_EXISTS:
            raise _closed(error.message) from None
        if error.status == RPCStatusCode.FAILED_PRECONDITION:
            raise _closed(error.message) from None
        if error.status == RPCStatusCode.INVALID_ARGUMENT:
            raise _invalid(error.message, "body") from None
        raise Unavailable(f"Temporal did not answer: {error.message}") from None
    except WorkflowAlreadyStartedError as error:
        raise _closed(
            f"a run with workflow id {error.workflow_id!r} is already running; give another "
            "workflow_id, or wait until it ends"
        ) from None
    except TimeoutError:
        raise Unavailable("Temporal did not answer in time; try again") from None


def check_temporal(target: TemporalTarget | None) -> None:
    if target is None:
        raise Unavailable("this server runs without Temporal, so it has no runs", 409)


# --- checking input and payloads --------------------------------------------------------------


def check_fields(
    fields: FieldsInfo,
    value: Any,
    info: ProjectInfo,
    where: str,
    workflow_id: str,
    *,
    optional: frozenset[str] = frozenset(),
    hidden: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """`value` checked against the fields: all there unless optional, none unknown, each of its
    type. Every problem is a diagnostic naming `<where>.<field>`; Invalid (422) when any."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise _invalid(f"{where} must be a JSON object", where, workflow_id)
    known = {name: annotation for name, annotation in fields.fields.items() if name not in hidden}
    problems: list[Diagnostic] = []

    def report(message: str, name: str) -> None:
        problems.append(
            Diagnostic(Codes.SCHEMA, message, workflow_id=workflow_id, field=f"{where}.{name}")
        )

    for name in sorted(set(value) - set(known)):
        expected = ", ".join(known) or "no fields"
        report(f"{where} has no field {name!r} (it takes: {expected})", name)
    for name, annotation in known.items():
        if name not in value:
            if name not in optional:
                report(f"{where}.{name} is missing: a value of type {annotation} is needed", name)
            continue
        try:
            default_source(annotation, value[name], info.type_fields, given=True)
        except DefaultError as error:
            report(_named(str(error), f"{where}.{name}"), name)
        except (KeyError, SyntaxError, AssertionError):
            continue  # a type the compiler read as Any
    if problems:
        fields_named = ", ".join(p.field or "" for p in problems)
        raise Invalid(f"{where} does not fit: {problems[0].message} ({fields_named})", problems)
    return dict(value)


def _named(message: str, path: str) -> str:
    """The compiler says `default` where the value sits; here it is the field."""
    if message.startswith("default"):
        return path + message[len("default") :]
    return message.replace("(in default", f"(in {path}", 1)


def check_input(deployed: Deployed, workflow: WorkflowInfo, value: Any) -> dict[str, Any]:
    hidden = frozenset({workflow.resume_field} if workflow.resume_field else ())
    return check_fields(
        workflow.input,
        value,
        deployed.info,
        "input",
        workflow.definition.id,
        optional=frozenset(workflow.definition.input_defaults) | hidden,
        hidden=hidden,
    )


def check_payload(
    deployed: Deployed, workflow: WorkflowInfo, kind: str, name: str, payload: Any
) -> dict[str, Any] | None:
    """The payload for handler `name` of `kind` (signal, update): None for one without params."""
    handler = workflow.handlers.get((kind, name))
    if handler is None:
        known = sorted(n for k, n in workflow.handlers if k == kind)
        listed = ", ".join(repr(n) for n in known) or "none"
        raise _invalid(
            f"workflow {workflow.definition.id!r} has no {kind} {name!r} (it has: {listed})",
            "name",
            workflow.definition.id,
        )
    if handler.payload is None:
        if payload not in (None, {}):
            raise _invalid(f"{kind} {name!r} takes no payload", "payload", workflow.definition.id)
        return None
    return check_fields(handler.payload, payload, deployed.info, "payload", workflow.definition.id)


def query_names(workflow: WorkflowInfo) -> list[str]:
    names = sorted(n for k, n in workflow.handlers if k == "query")
    if any(node.type == "wait" for node in workflow.definition.nodes):
        names.append("pending_gates")
    return names


def called_activities(node: Node) -> list[str]:
    """The activities a node calls as its own steps, which a stand-in replaces: the one its
    config names (activity, agent) and those of its nested calls (a work queue's `on_done` and
    `on_failed`). A step's `compensation` is its undo in a Try: that one runs for real."""
    names = [node.config["activity"]] if isinstance(node.config.get("activity"), str) else []
    for key, value in sorted(node.config.items()):
        if key != "compensation" and isinstance(value, dict):
            nested = value.get("activity")
            if isinstance(nested, str) and nested not in names:
                names.append(nested)
    return names


def check_stand_ins(
    deployed: Deployed, workflow: WorkflowInfo, given: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The stand-ins as the run's memo carries them (`{node: {activities, result | error}}`),
    each checked first: its node calls activities, its result fits their output types. Every
    problem names `stand_ins.<node>`; Invalid (422) when any."""
    definition = workflow.definition
    nodes = {node.id: node for node in definition.nodes}
    problems: list[Diagnostic] = []
    checked: dict[str, dict[str, Any]] = {}
    for node_id, stand_in in given.items():
        where = f"stand_ins.{node_id}"

        def report(message: str, node_id: str = node_id, where: str = where) -> None:
            problems.append(
                Diagnostic(
                    Codes.SCHEMA,
                    message,
                    workflow_id=definition.id,
                    node_id=node_id if node_id in nodes else None,
                    field=where,
                )
            )

        node = nodes.get(node_id)
        if node is None:
            report(f"{where}: workflow {definition.id!r} has no node {node_id!r}")
            continue
        activities = called_activities(node)
        if not activities:
            report(
                f"{where}: node {node_id!r} is a {node.type!r} node, which calls no activity; "
                "stand-ins replace activity calls"
            )
            continue
        if "result" in stand_in:
            reason = _result_problem(deployed, activities, stand_in["result"], f"{where}.result")
            if reason is not None:
                report(reason)
                continue
        checked[node_id] = {"activities": activities, **stand_in}
    if problems:
        fields_named = ", ".join(p.field or "" for p in problems)
        raise Invalid(f"stand_ins do not fit: {problems[0].message} ({fields_named})", problems)
    return checked


def _result_problem(
    deployed: Deployed, activities: list[str], result: Any, where: str
) -> str | None:
    try:
        size = len(json.dumps(result, allow_nan=False))
    except ValueError:
        return f"{where} must be JSON without NaN or infinity"
    if size > MAX_STAND_IN_BYTES:
        return f"{where} is {size} bytes as JSON; a stand-in may have {MAX_STAND_IN_BYTES}"
    for name in activities:
        info = deployed.info.activities.get(name)
        if info is None:
            continue
        try:
            default_source(info.output, result, deployed.info.type_fields, given=True)
            tree = ast.parse(info.output, mode="eval").body
        except DefaultError as error:
            return f"{_named(str(error), where)}: activity {name!r} returns {info.output}"
        except (KeyError, SyntaxError, AssertionError):
            continue  # a type the compiler read as Any
        missing = _missing_field(tree, result, deployed.info.type_fields, where)
        if missing is not None:
            return f"{missing}: activity {name!r} returns {info.output}"
    return None


def _missing_field(
    tree: ast.expr, value: Any, types: Mapping[str, Mapping[str, str]], path: str
) -> str | None:
    """A project type's field the value leaves out (a result must give them all, since the
    workflow reads it into the dataclass; defaults, in contrast, start from zero values)."""
    if value is None:
        return None
    if isinstance(tree, ast.BinOp):  # T | None
        return _missing_field(tree.left, value, types, path)
    if isinstance(tree, ast.Subscript) and isinstance(tree.value, ast.Name):
        for element, item, where in _elements(tree, tree.value.id, value, path):
            found = _missing_field(element, item, types, where)
            if found is not None:
                return found
        return None
    if not isinstance(tree, ast.Name) or tree.id not in types or not isinstance(value, dict):
        return None
    for field_name, annotation in types[tree.id].items():
        if field_name not in value:
            return f"{path} needs a value for {tree.id}.{field_name}"
        found = _missing_field(
            ast.parse(annotation, mode="eval").body,
            value[field_name],
            types,
            f"{path}.{field_name}",
        )
        if found is not None:
            return found
    return None


def _elements(
    tree: ast.Subscript, name: str, value: Any, path: str
) -> Iterator[tuple[ast.expr, Any, str]]:
    """The items of a `list[T]` value or the values of a `dict[str, T]` one: the type of each,
    the item and where it stands."""
    if name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield tree.slice, item, f"{path}[{index}]"
    elif isinstance(tree.slice, ast.Tuple) and isinstance(value, dict):
        for key, item in value.items():
            yield tree.slice.elts[1], item, f"{path}[{key!r}]"


_STAND_IN = TypeAdapter[StandInPublic](StandInPublic)


def public_stand_ins(memo: Mapping[str, Any]) -> dict[str, StandInPublic]:
    """The stand-ins as they were given: node id -> {result} or {error} (an entry of a memo
    this server did not write is left out)."""
    found: dict[str, StandInPublic] = {}
    for node_id, entry in memo.items():
        if isinstance(entry, dict):
            given = {key: value for key, value in entry.items() if key != "activities"}
            with contextlib.suppress(ValidationError):
                found[node_id] = _STAND_IN.validate_python(given)
    return found


# --- starting ---------------------------------------------------------------------------------


def workflow_id_for(workflow: WorkflowInfo, value: Mapping[str, Any]) -> str:
    """The id the generated starter gives: its id template filled from the input, else
    `<workflow>-<uuid>`. A template beyond plain `{input.field}` placeholders of text or
    numbers is left to the starter; such a run gets `<workflow>-<uuid>`."""
    fallback = f"{workflow.definition.id}-{uuid.uuid4()}"
    tree = workflow.id_template  # parsed once, by the project info
    if tree is None:
        return fallback
    defaults = workflow.definition.input_defaults
    if isinstance(tree, ast.Constant):
        return str(tree.value)
    if not isinstance(tree, ast.JoinedStr):
        return fallback
    parts: list[str] = []
    for part in tree.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
            continue
        if not isinstance(part, ast.FormattedValue) or part.conversion != -1 or part.format_spec:
            return fallback
        path: list[str] = []
        target = part.value
        while isinstance(target, ast.Attribute):
            path.insert(0, target.attr)
            target = target.value
        if not isinstance(target, ast.Name) or target.id != "input" or not path:
            return fallback
        found: Any = {**defaults, **value}
        for name in path:
            if not isinstance(found, dict) or name not in found:
                return fallback
            found = found[name]
        if isinstance(found, bool) or not isinstance(found, str | int | float):
            return fallback
        parts.append(str(found))
    return "".join(parts) or fallback


def web_url(target: TemporalTarget | None, workflow_id: str, run_id: str | None) -> str | None:
    if target is None:
        return None
    page = target.web_ui_url(workflow_id=workflow_id)
    if page is None or run_id is None:
        return page
    return f"{page}/{run_id}/history"


async def start_run(
    client: Client,
    deployed: Deployed,
    workflow_name: str,
    value: Any,
    workflow_id: str | None,
    stand_ins: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    workflow = deployed.workflow_or_404(workflow_name)
    checked = check_input(deployed, workflow, value)
    memo = check_stand_ins(deployed, workflow, stand_ins or {})
    return await _start(client, deployed, workflow, checked, workflow_id, memo)


async def _start(
    client: Client,
    deployed: Deployed,
    workflow: WorkflowInfo,
    checked: Any,
    workflow_id: str | None,
    stand_ins: Mapping[str, Any],
) -> dict[str, Any]:
    chosen = workflow_id or workflow_id_for(workflow, checked if isinstance(checked, dict) else {})
    with temporal_errors():
        handle = await client.start_workflow(
            workflow.definition.id,
            checked,
            id=chosen,
            task_queue=deployed.handle.task_queue,
            memo={STAND_INS_MEMO: dict(stand_ins)} if stand_ins else None,
            rpc_timeout=CALL_TIMEOUT,
        )
    return {
        "workflow_id": handle.id,
        "run_id": handle.result_run_id,
        "deployment_id": deployed.handle.id,
        "web_url": web_url(deployed.handle.target, handle.id, handle.result_run_id),
        "stand_ins": sorted(stand_ins),
    }


# --- listing ----------------------------------------------------------------------------------


async def list_runs(
    client: Client,
    deployed: Deployed,
    workflow: str | None,
    status_name: str | None,
    limit: int,
    build_id: str | None = None,
) -> list[RunListItemPublic]:
    """Newest first, from Temporal's visibility (a just-started run may show a moment later);
    with `build_id`, those pinned to that version of the task queue's Worker Deployment."""
    query = visibility_query(
        deployed.handle.task_queue,
        None if workflow is None else deployed.workflow_or_404(workflow).definition.id,
        None if status_name is None else _VISIBILITY_STATUS[status_name],
        build_id=build_id,
    )
    found: list[RunListItemPublic] = []
    with temporal_errors():
        async with asyncio.timeout(CALL_TIMEOUT.total_seconds()):
            async for item in client.list_workflows(
                query, limit=limit, page_size=limit, rpc_timeout=CALL_TIMEOUT
            ):
                found.append(
                    RunListItemPublic(
                        workflow_id=item.id,
                        run_id=item.run_id,
                        workflow=item.workflow_type,
                        status=_status(item.status),
                        start_time=_iso(item.start_time),
                        close_time=_iso(item.close_time),
                        stand_ins=sorted(await _memo_stand_ins(item)),
                    )
                )
    found.sort(key=lambda run: run.start_time or "", reverse=True)
    return found


async def _memo_stand_ins(execution: WorkflowExecution) -> dict[str, Any]:
    """The stand-ins a run's memo carries (none for a memo this server cannot read)."""
    try:
        found = await execution.memo_value(STAND_INS_MEMO, None)
    except Exception:  # a run started elsewhere may carry anything
        return {}
    return found if isinstance(found, dict) else {}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _status(found: WorkflowExecutionStatus | None) -> RunStatus | None:
    return _RUN_STATUSES.get(found.name) if found else None


# --- one run ----------------------------------------------------------------------------------


@dataclass
class Run:
    """A run found on Temporal, with its deployment and workflow."""

    client: Client
    handle: WorkflowHandle[Any, Any]
    description: WorkflowExecutionDescription
    deployed: Deployed
    workflow: WorkflowInfo
    stand_ins: dict[str, Any] = field(default_factory=dict)
    """The stand-ins of its memo, as the managed worker reads them."""

    @property
    def workflow_id(self) -> str:
        return self.description.id

    @property
    def run_id(self) -> str:
        return self.description.run_id

    @property
    def document(self) -> Workflow:
        return self.workflow.definition

    @property
    def is_open(self) -> bool:
        return self.description.status == WorkflowExecutionStatus.RUNNING

    @property
    def has_gates(self) -> bool:
        return any(node.type == "wait" for node in self.document.nodes)


async def describe(
    client: Client, workflow_id: str, run_id: str | None
) -> WorkflowExecutionDescription:
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    with temporal_errors(workflow_id):
        return await handle.describe(rpc_timeout=CALL_TIMEOUT)


async def find_run(
    client: Client,
    description: WorkflowExecutionDescription,
    handle_of: Any,
) -> Run:
    """The run with its deployment (`handle_of(task_queue, build_id)` gives the handle of the
    deployment serving the task queue's version `build_id`, the one the run is pinned to)."""
    versioning = description.raw_description.workflow_execution_info.versioning_info
    build_id = (
        versioning.deployment_version.build_id
        if versioning.HasField("deployment_version")
        else None
    )
    try:
        deployment: DeploymentHandle = await handle_of(description.task_queue, build_id or None)
    except NotFound:
        raise NotFound(
            f"run {description.id!r} runs on task queue {description.task_queue!r}, "
            "which is no deployment's"
        ) from None
    found = await deployed(deployment)
    workflow = found.workflow(description.workflow_type)
    if workflow is None:
        raise NotFound(
            f"deployment {deployment.id!r} has no workflow {description.workflow_type!r}"
        )
    handle = client.get_workflow_handle(description.id, run_id=description.run_id)
    stand_ins = await _memo_stand_ins(description)
    return Run(client, handle, description, found, workflow, stand_ins)


async def history(client: Client, workflow_id: str, run_id: str) -> list[HistoryEvent]:
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    with temporal_errors(workflow_id):
        async with asyncio.timeout(CALL_TIMEOUT.total_seconds() * 2):
            found = await handle.fetch_history(rpc_timeout=CALL_TIMEOUT)
    return list(found.events)


def _continued_from(events: list[HistoryEvent]) -> str | None:
    if not events or events[0].event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        return None
    earlier = events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    return earlier or None


async def chain_history(client: Client, workflow_id: str, run_id: str) -> list[HistoryEvent]:
    """The run's events after those of the runs it continued from (continue-as-new)."""
    runs = [await history(client, workflow_id, run_id)]
    for _ in range(MAX_CHAIN):
        earlier = _continued_from(runs[0])
        if earlier is None:
            break
        try:
            runs.insert(0, await history(client, workflow_id, earlier))
        except NotFound:
            break  # removed by retention
    return [event for events in runs for event in events]


async def pending_gates(run: Run) -> list[Any]:
    if not run.is_open or not run.has_gates:
        return []
    try:
        async with asyncio.timeout(GATES_TIMEOUT.total_seconds() + 1):
            found = await run.handle.query("pending_gates", rpc_timeout=GATES_TIMEOUT)
    except (RPCError, FailureError, TimeoutError, WorkflowQueryFailedError):
        return []
    return list(found) if isinstance(found, list) else []


def _decode(payloads: Any) -> Any:
    items = list(payloads.payloads)
    try:
        values = _CONVERTER.from_payloads(items)
    except Exception:  # an encoding this server cannot read is shown, not read
        return "<payload in an encoding this server cannot read>"
    return None if not values else values[0] if len(values) == 1 else values


def outcome_of(events: list[HistoryEvent]) -> dict[str, Any]:
    """The result or root failure message, read from the run's close event."""
    if not events:
        return {}
    last = events[-1]
    kind = last.event_type
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        return {"result": _decode(last.workflow_execution_completed_event_attributes.result)}
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        return {"failure": root_message(last.workflow_execution_failed_event_attributes.failure)}
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        return {"failure": "the run timed out"}
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        return {"failure": "the run was cancelled"}
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        reason = last.workflow_execution_terminated_event_attributes.reason
        return {"failure": f"the run was terminated: {reason}" if reason else "terminated"}
    return {}


async def run_state(run: Run) -> RunPublic:
    """The run's description with every node's state (over its continue-as-new chain)."""
    # the gates first, then the history: what a gate waits for is then always in the history
    # read (read the other way round, a gate could show waiting behind a timer still running)
    gates = await pending_gates(run)
    events = await chain_history(run.client, run.workflow_id, run.run_id)
    tracker = RunTracker(run.document)
    tracker.extend(events)
    tracker.set_pending(run.description.raw_description.pending_activities, gates)
    outcome = outcome_of(events)
    return RunPublic(
        **dict(summary(run, tracker)),
        start_time=_iso(run.description.start_time),
        close_time=_iso(run.description.close_time),
        result=outcome.get("result"),
        failure=outcome.get("failure"),
        nodes=_states(tracker),
    )


def summary(run: Run, tracker: RunTracker) -> RunSummaryPublic:
    return RunSummaryPublic(
        workflow_id=run.workflow_id,
        run_id=run.run_id,
        status=_status(run.description.status),
        deployment_id=run.deployed.handle.id,
        workflow=run.document.id,
        first_failure=_first(tracker),
        stuck=tracker.stuck,
        web_url=web_url(run.deployed.handle.target, run.workflow_id, run.run_id),
        stand_ins=public_stand_ins(run.stand_ins),
    )


def _states(tracker: RunTracker, changed: set[str] | None = None) -> dict[str, NodeStatePublic]:
    """Every node's state in the document's order, or the changed nodes' by id."""
    ids = tracker.states if changed is None else sorted(changed)
    return {i: NodeStatePublic.model_validate(tracker.states[i].to_dict()) for i in ids}


# --- talking to a run -------------------------------------------------------------------------


async def signal(run: Run, name: str, payload: Any) -> None:
    checked = check_payload(run.deployed, run.workflow, "signal", name, payload)
    if not run.is_open:
        raise _closed(f"run {run.run_id!r} of {run.workflow_id!r} has ended; it takes no signals")
    with temporal_errors(run.workflow_id):
        await run.handle.signal(name, *_args(checked), rpc_timeout=CALL_TIMEOUT)


async def update(run: Run, name: str, payload: Any) -> Any:
    checked = check_payload(run.deployed, run.workflow, "update", name, payload)
    if not run.is_open:
        raise _closed(f"run {run.run_id!r} of {run.workflow_id!r} has ended; it takes no updates")
    try:
        with temporal_errors(run.workflow_id):
            async with asyncio.timeout(QUERY_TIMEOUT.total_seconds() + 2):
                return await run.handle.execute_update(
                    name, args=_args(checked), rpc_timeout=QUERY_TIMEOUT
                )
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        message = cause.message if isinstance(cause, FailureError) else str(cause)
        raise _invalid(f"update {name!r} was rejected: {message}", "payload") from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise Unavailable(
            f"update {name!r} got no answer in time: is the deployment's worker running?"
        ) from None


async def query(run: Run, name: str, args: list[Any]) -> Any:
    known = query_names(run.workflow)
    if name not in known:
        listed = ", ".join(repr(n) for n in known) or "none"
        raise _invalid(
            f"workflow {run.document.id!r} has no query {name!r} (it has: {listed})", "name"
        )
    try:
        with temporal_errors(run.workflow_id):
            async with asyncio.timeout(QUERY_TIMEOUT.total_seconds() + 2):
                return await run.handle.query(name, args=args, rpc_timeout=QUERY_TIMEOUT)
    except WorkflowQueryFailedError as error:
        raise _invalid(f"query {name!r} failed: {error.message}", "name") from None
    except WorkflowQueryRejectedError as error:
        raise _closed(f"query {name!r} was refused: {error}") from None
    except Unavailable:
        raise Unavailable(
            f"query {name!r} got no answer in time: is the deployment's worker running?"
        ) from None


async def cancel(run: Run) -> None:
    if not run.is_open:
        raise _closed(f"run {run.run_id!r} of {run.workflow_id!r} has ended already")
    with temporal_errors(run.workflow_id):
        await run.handle.cancel(rpc_timeout=CALL_TIMEOUT)


async def terminate(run: Run, reason: str) -> None:
    if not run.is_open:
        raise _closed(f"run {run.run_id!r} of {run.workflow_id!r} has ended already")
    with temporal_errors(run.workflow_id):
        await run.handle.terminate(reason=reason or None, rpc_timeout=CALL_TIMEOUT)


async def rerun(run: Run) -> dict[str, Any]:
    """The same workflow again with the input of the first run of the chain, and its
    stand-ins."""
    events = await chain_history(run.client, run.workflow_id, run.run_id)
    first = events[0].workflow_execution_started_event_attributes if events else None
    value = _decode(first.input) if first is not None and first.HasField("input") else None
    if isinstance(value, dict) and run.workflow.resume_field:
        value.pop(run.workflow.resume_field, None)
    return await _start(run.client, run.deployed, run.workflow, value, None, run.stand_ins)


def _args(checked: Any) -> list[Any]:
    return [] if checked is None else [checked]


# --- following a run live ---------------------------------------------------------------------


def sse(event: str, data: RunSnapshotPublic | RunNodesPublic | RunEndPublic | ErrorPublic) -> bytes:
    # an `end` event leaves out `result` or `failure` where it does not apply; the other events'
    # fields are all given
    found = data.model_dump(mode="json", exclude_unset=True)
    text = json.dumps(found, default=str, separators=(",", ":"))
    return f"event: {event}\ndata: {text}\n\n".encode()


async def follow(run: Run, is_disconnected: Any) -> AsyncIterator[bytes]:
    """`_follow`, with a failure once the answer has begun sent as an `error` event."""
    try:
        async for chunk in _follow(run, is_disconnected):
            yield chunk
    except (NotFound, Unavailable, Invalid, HTTPException) as error:
        yield sse("error", ErrorPublic(detail=str(getattr(error, "detail", error))))


async def _follow(run: Run, is_disconnected: Any) -> AsyncIterator[bytes]:
    """Server-sent events: `snapshot` once the history up to now is read, `nodes` with the
    changed nodes after every later batch of events, `end` when the run (or the last run of its
    continue-as-new chain) closes. Reads each event once: long polls with `wait_new_event`."""
    tracker = RunTracker(run.document)
    run_id = run.run_id
    caught_up_at = run.description.history_length
    snapshot_sent = False
    stuck_sent: str | None = None
    token = b""
    last_time: str | None = None
    while True:
        if await is_disconnected():
            return
        answer = await _history_page(run, run_id, token, patient=snapshot_sent)
        if answer is None:
            yield b": Temporal did not answer; asking again\n\n"
            await asyncio.sleep(1)
            continue
        events = list(answer.history.events)
        if not snapshot_sent:
            await _read_earlier_runs(run, tracker, events)
        token = answer.next_page_token
        changed = tracker.extend(events) if events else set()
        last_time = _event_time(events) or last_time
        if not snapshot_sent:
            if token and (not events or events[-1].event_id < caught_up_at):
                continue  # more of what was there already
            snapshot_sent = True
            yield await _snapshot(run, tracker, last_time)
        elif changed or tracker.stuck != stuck_sent:
            yield _nodes(tracker, changed, run_id, last_time)
        elif not events:
            yield b": waiting\n\n"
        stuck_sent = tracker.stuck
        if not token:
            # the run has closed: follow its continuation, or end
            after = _continued_to(events)
            if after is not None:
                run_id, token = after, b""
                continue
            yield _end(run, run_id, tracker, events, last_time)
            return
        if events and (pending := await _pending_nodes(run, tracker, run_id, last_time)):
            yield pending


async def _history_page(
    run: Run, run_id: str, token: bytes, *, patient: bool
) -> GetWorkflowExecutionHistoryResponse | None:
    """The next page of the run's history, waiting for new events when there are none yet;
    None when Temporal does not answer and the caller is `patient` (else: Unavailable)."""
    client = run.client
    request = GetWorkflowExecutionHistoryRequest(
        namespace=client.namespace,
        execution=ExecutionRef(workflow_id=run.workflow_id, run_id=run_id),
        next_page_token=token,
        wait_new_event=True,
        skip_archival=True,
    )
    try:
        with temporal_errors(run.workflow_id):
            return await client.workflow_service.get_workflow_execution_history(
                request, timeout=LONG_POLL
            )
    except Unavailable:
        if not patient:
            raise
        return None


def _event_time(events: list[HistoryEvent]) -> str | None:
    """When the last of the events happened (None without events)."""
    if not events:
        return None
    return events[-1].event_time.ToDatetime().isoformat() + "Z"


async def _pending_nodes(
    run: Run, tracker: RunTracker, run_id: str, last_time: str | None
) -> bytes | None:
    """A `nodes` event for what the events do not show, while the run is open: the activities
    retrying, the gates waiting."""
    if tracker.outcome is not None:
        return None
    refreshed = await _refresh_pending(run, tracker, run_id)
    return _nodes(tracker, refreshed, run_id, last_time) if refreshed else None


async def _read_earlier_runs(run: Run, tracker: RunTracker, events: list[HistoryEvent]) -> None:
    """On the first page: the runs this one continued from come first."""
    if not events or events[0].event_id != 1:
        return
    earlier = _continued_from(events)
    if earlier is not None:
        with contextlib.suppress(NotFound):  # removed by retention
            tracker.extend(await chain_history(run.client, run.workflow_id, earlier))


async def _snapshot(run: Run, tracker: RunTracker, last_time: str | None) -> bytes:
    tracker.set_pending(
        run.description.raw_description.pending_activities, await pending_gates(run)
    )
    return sse(
        "snapshot",
        RunSnapshotPublic(
            **dict(summary(run, tracker)), event_time=last_time, nodes=_states(tracker)
        ),
    )


def _end(
    run: Run,
    run_id: str,
    tracker: RunTracker,
    events: list[HistoryEvent],
    last_time: str | None,
) -> bytes:
    return sse(
        "end",
        RunEndPublic(
            workflow_id=run.workflow_id,
            run_id=run_id,
            outcome=tracker.outcome,
            event_time=last_time,
            **outcome_of(events),
            first_failure=_first(tracker),
        ),
    )


def _nodes(tracker: RunTracker, changed: set[str], run_id: str, event_time: str | None) -> bytes:
    return sse(
        "nodes",
        RunNodesPublic(
            run_id=run_id,
            event_time=event_time,
            nodes=_states(tracker, changed),
            first_failure=_first(tracker),
            stuck=tracker.stuck,
        ),
    )


def _first(tracker: RunTracker) -> FirstFailurePublic | None:
    first = tracker.first_failure
    return FirstFailurePublic(node_id=first[0], message=first[1]) if first else None


def _continued_to(events: list[HistoryEvent]) -> str | None:
    if events and events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        attributes = events[-1].workflow_execution_continued_as_new_event_attributes
        return attributes.new_execution_run_id or None
    return None


async def _refresh_pending(run: Run, tracker: RunTracker, run_id: str) -> set[str]:
    """Retrying activities and waiting gates, which history shows late or never."""
    try:
        handle = run.client.get_workflow_handle(run.workflow_id, run_id=run_id)
        async with asyncio.timeout(GATES_TIMEOUT.total_seconds() + 1):
            description = await handle.describe(rpc_timeout=GATES_TIMEOUT)
    except (RPCError, TimeoutError):
        return set()
    current = Run(run.client, handle, description, run.deployed, run.workflow)
    return tracker.set_pending(
        description.raw_description.pending_activities, await pending_gates(current)
    )
