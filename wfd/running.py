"""`wfd run`: compile a project, run one of its workflows on Temporal and follow it node by node.

Nothing starts before the document, the workflow's name and the input have been checked. Then,
in order: the compiled package is written into a data folder as a deployment
(`backend.services.deployments.build`), a Temporal dev server starts unless a server is named,
the package's worker starts and polls, the run starts, and its history is followed with long
polls, one line per node change. Every process started here is stopped on the way out, however
the way out is reached (the run ends, an error, Ctrl-C, SIGTERM).

Exit status: 0 the run completed; 1 it failed, was cancelled, timed out or was terminated;
2 nothing could be run; 130 interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from starlette.exceptions import HTTPException
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeTaskQueueRequest,
    GetWorkflowExecutionHistoryRequest,
    GetWorkflowExecutionHistoryResponse,
)
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from backend.errors import Invalid, NotFound, Unavailable
from backend.runtime.layout import DataLayout
from backend.runtime.node_states import ACTIVE, NodeState, RunTracker
from backend.runtime.process import SupervisedProcess, stop_leftover
from backend.runtime.temporal import (
    STARTUP_DEADLINE,
    EmbeddedTemporal,
    TemporalTarget,
    TemporalUnavailable,
    wait_until_answering,
)
from backend.runtime.workers import WorkerPlan, worker_spec
from backend.services.deployments import Built, DeploymentHandle, build
from backend.services.runs import (
    Deployed,
    Run,
    check_input,
    outcome_of,
    pending_gates,
    start_run,
)
from backend.settings import Settings, SettingsError
from compiler.pipeline import check_document
from language.diagnostics import Diagnostic, Severity
from language.document import Project
from node_types.project_info import ProjectInfo, WorkflowInfo

EXIT_COMPLETED = 0
EXIT_FAILED = 1
EXIT_NOT_RUN = 2
EXIT_INTERRUPTED = 130

LONG_POLL = timedelta(seconds=30)
"""Above the server's long-poll expiry (20 s): an empty answer, not a deadline, ends a wait."""
CALL_TIMEOUT = timedelta(seconds=10)
REFRESH_EVERY = 2.0
"""Seconds between two looks at retrying activities and waiting gates, which history shows
late or never, while the history's long poll waits."""
CANCEL_WAIT = 20.0
"""Seconds Ctrl-C waits for the run to close after asking Temporal to cancel it."""
NAME_WIDTH = 40


class NotRun(Exception):
    """Nothing could be run, for the reason given (exit status 2)."""


@dataclass(frozen=True)
class RunOptions:
    workflow: str
    input: Any
    """The run's input, as JSON values."""
    follow: bool = True
    """Print every node change as it happens; otherwise only the outcome."""
    address: str | None = None
    """host:port of a Temporal server to use; None starts a dev server (unless
    TEMPORAL_ADDRESS names one)."""
    data_dir: Path | None = None
    """Where the dev server's state, the package and the logs go; None: a temporary folder,
    removed at the end."""


@dataclass
class Console:
    """Progress and messages go to `messages` (stderr); the result alone to `results` (stdout),
    so `wfd run ... > result.json` keeps it."""

    messages: IO[str]
    results: IO[str]

    def say(self, text: str) -> None:
        self.messages.write(text + "\n")
        self.messages.flush()

    def result(self, value: Any) -> None:
        self.results.write(json.dumps(value, indent=2, default=str) + "\n")
        self.results.flush()


# --- before anything starts -------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The checked document and the workflow to run."""

    project: Project
    info: ProjectInfo
    workflow: WorkflowInfo


def plan(source: str, workflow_id: str, console: Console) -> Plan:
    """The document checked (every diagnostic printed) and the workflow found; NotRun if not."""
    checked = check_document(source)
    for diagnostic in checked.diagnostics:
        prefix = "warning: " if diagnostic.severity is Severity.WARNING else ""
        console.say(f"{prefix}{diagnostic.format()}")
    if not checked.ok or checked.project is None:
        raise NotRun("the project has errors (above), so it cannot be run")
    info = ProjectInfo.build(checked.project)
    workflow = info.workflows.get(workflow_id)
    if workflow is None:
        known = ", ".join(sorted(info.workflows)) or "none"
        raise NotRun(f"the project has no workflow {workflow_id!r} (it has: {known})")
    return Plan(checked.project, info, workflow)


def checked_input(deployed: Deployed, workflow: WorkflowInfo, value: Any) -> dict[str, Any]:
    """The input as the workflow takes it; NotRun naming every field that does not fit."""
    try:
        return check_input(deployed, workflow, value)
    except Invalid as error:
        raise NotRun(f"the input does not fit:{_listed(error.diagnostics)}") from None


def _listed(diagnostics: list[Diagnostic]) -> str:
    """The diagnostics' messages after a colon: on its line when one, indented below when more."""
    lines = [f"{d.field}: {d.message}" if d.field else d.message for d in diagnostics]
    return f" {lines[0]}" if len(lines) == 1 else "".join(f"\n  {line}" for line in lines)


# --- the data folder and the processes --------------------------------------------------------


@contextlib.contextmanager
def data_folder(chosen: Path | None) -> Iterator[DataLayout]:
    """The chosen folder (taken: one `wfd serve` or `wfd run` at a time), or a temporary one
    removed at the end. Children an earlier, killed run left behind are stopped first."""
    root = Path(tempfile.mkdtemp(prefix="wfd-run-")) if chosen is None else chosen
    try:
        layout = DataLayout.at(root)
        try:
            layout.run.mkdir(parents=True, exist_ok=True)
            lock = layout.lock.open("ab")
        except OSError as error:
            raise NotRun(f"cannot use the data folder {str(root)!r}: {error.strerror}") from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise NotRun(
                    f"another wfd serve or wfd run uses the data folder {str(root)!r}; "
                    "stop it, or give this run another --data"
                ) from None
            for pid_file in sorted(layout.run.glob("**/*.pid")):
                stop_leftover(pid_file)
            yield layout
    finally:
        if chosen is None:
            shutil.rmtree(root, ignore_errors=True)


@dataclass
class Children:
    """The processes this run started, stopped newest first (the worker, then Temporal)."""

    started: list[SupervisedProcess] = field(default_factory=list)

    def start(self, process: SupervisedProcess) -> int:
        self.started.append(process)  # stopped even if starting it fails half way
        process.start()
        assert process.pid is not None
        return process.pid

    def stop(self) -> None:
        """Stop them all; a Ctrl-C meanwhile is ignored, so none is left running."""
        previous = {
            signum: signal.signal(signum, signal.SIG_IGN)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            while self.started:
                self.started.pop().stop()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def deployment(layout: DataLayout, chosen: Plan) -> tuple[Built, Deployed]:
    """The compiled package written into the data folder, as `wfd serve` deploys it."""
    try:
        built = build(layout, chosen.project, {})
    except Invalid as error:
        raise NotRun(f"{error.detail}:{_listed(error.diagnostics)}") from None
    handle = DeploymentHandle(
        id=built.id,
        project_id=built.project_id,
        package=built.package,
        task_queue=built.task_queue,
        folder=layout.deployment(built.id),
        status="starting",
        target=None,
    )
    return built, Deployed(handle, chosen.project, chosen.info)


# --- the whole command ------------------------------------------------------------------------


def run_workflow(source: str, options: RunOptions, console: Console) -> int:
    """Check, start, run, follow, stop; the exit status. NotRun when nothing could be run."""
    chosen = plan(source, options.workflow, console)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise NotRun(str(error)) from None
    address = options.address or (
        settings.temporal_address if settings.temporal == "external" else None
    )
    children = Children()
    previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with data_folder(options.data_dir) as layout:
            built, deployed = deployment(layout, chosen)
            value = checked_input(deployed, chosen.workflow, options.input)
            launch = Launch(console, children, layout, settings, built, deployed, options)
            try:
                return asyncio.run(launch.run(address, value))
            finally:
                children.stop()
    finally:
        signal.signal(signal.SIGTERM, previous_term)


@dataclass
class Launch:
    """The run's steps once its input is checked: Temporal, the worker, the run."""

    console: Console
    children: Children
    layout: DataLayout
    settings: Settings
    built: Built
    deployed: Deployed
    options: RunOptions

    async def run(self, address: str | None, value: dict[str, Any]) -> int:
        target, client = await self.temporal(address)
        await self.worker(client, target)
        deployed = dataclasses.replace(
            self.deployed, handle=dataclasses.replace(self.deployed.handle, target=target)
        )
        workflow = self.options.workflow
        try:
            started = await start_run(client, deployed, workflow, value, None)
        except (Invalid, NotFound, Unavailable, HTTPException) as error:
            raise NotRun(f"cannot start {workflow!r}: {_detail(error)}") from None
        web = f", {started['web_url']}" if started.get("web_url") else ""
        self.console.say(f"run {started['workflow_id']} ({started['run_id']}){web}")
        follower = Follower(
            client,
            deployed,
            deployed.workflow_or_404(workflow),
            started["workflow_id"],
            started["run_id"],
            self.console,
            self.options.follow,
        )
        return await follower.until_closed()

    async def temporal(self, address: str | None) -> tuple[TemporalTarget, Client]:
        """The named server, or a dev server started here; once it answers."""
        if address is not None:
            target = TemporalTarget.of(self.settings, address)
            self.console.say(f"Temporal at {target.address}, namespace {target.namespace}")
            try:
                return target, await wait_until_answering(target, deadline=30.0)
            except TemporalUnavailable as error:
                raise NotRun(str(error)) from None
        embedded = EmbeddedTemporal(self.settings, self.layout)
        pid = self.children.start(embedded.process)
        target = embedded.target
        self.console.say(
            f"Temporal dev server on {target.address} (pid {pid}), Web UI {target.ui_url}, "
            f"its state in {self.layout.root}; waiting for it to answer"
        )
        try:
            client = await wait_until_answering(target, STARTUP_DEADLINE)
        except TemporalUnavailable as error:
            log = "\n".join(embedded.process.tail(20))
            raise NotRun(f"{error}\n{log}") from None
        embedded.process.mark_running(pid)
        return target, client

    async def worker(self, client: Client, target: TemporalTarget) -> None:
        """The package's worker, started and seen polling its task queue."""
        plan = WorkerPlan(
            deployment_id=self.built.id,
            project_id=self.built.project_id,
            package=self.built.package,
            task_queue=self.built.task_queue,
        )
        spec = worker_spec(plan, self.layout, target)
        env = dict(spec.env or {})
        # a python activity imports from where the command runs, as `python -m` would
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(Path.cwd())])
        process = SupervisedProcess(dataclasses.replace(spec, env=env))
        pid = self.children.start(process)
        self.console.say(f"worker (pid {pid}) on task queue {plan.task_queue}")
        await until_polling(client, target, process, plan.task_queue)


async def until_polling(
    client: Client, target: TemporalTarget, worker: SupervisedProcess, task_queue: str
) -> None:
    """Until Temporal lists the worker among the task queue's pollers (its identity is
    `<pid>@<host>`); NotRun with the end of its log when it stops first."""
    request = DescribeTaskQueueRequest(
        namespace=target.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    give_up = time.monotonic() + STARTUP_DEADLINE
    while True:
        if worker.last_exit is not None:
            log = "\n".join(worker.tail(30))
            raise NotRun(f"the worker stopped before it could take work:\n{log}")
        try:
            answer = await client.workflow_service.describe_task_queue(
                request, timeout=CALL_TIMEOUT
            )
        except RPCError:
            answer = None
        pid = worker.pid
        if answer is not None and any(p.identity.startswith(f"{pid}@") for p in answer.pollers):
            worker.mark_running(pid or 0)
            return
        if time.monotonic() > give_up:
            log = "\n".join(worker.tail(30))
            raise NotRun(f"the worker did not poll within {STARTUP_DEADLINE:g} s:\n{log}")
        await asyncio.sleep(0.2)


def _detail(error: Exception) -> str:
    return str(getattr(error, "detail", None) or error)


# --- following the run ------------------------------------------------------------------------


class Follower:
    """Reads the run's history (and its continue-as-new chain) with long polls, each event
    once, feeding a RunTracker and printing the nodes whose state changed."""

    def __init__(
        self,
        client: Client,
        deployed: Deployed,
        workflow: WorkflowInfo,
        workflow_id: str,
        run_id: str,
        console: Console,
        show_nodes: bool,
    ) -> None:
        self.client = client
        self.deployed = deployed
        self.workflow = workflow
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.console = console
        self.show_nodes = show_nodes
        self.tracker = RunTracker(workflow.definition)
        self.token = b""
        """Where the history was read up to: the next page's token."""
        self.last: HistoryEvent | None = None
        self.shown: dict[str, tuple[Any, ...]] = {}
        self.labels = {node.id: node.label for node in workflow.definition.nodes}
        self.width = min(NAME_WIDTH, max((len(self.name(i)) for i in self.labels), default=0))
        self.began = time.monotonic()

    async def until_closed(self) -> int:
        """Follow until the run's chain closes; Ctrl-C asks Temporal to cancel it first."""
        try:
            last = await self.follow()
        except asyncio.CancelledError:
            return await self.cancel()
        return self.report(last)

    async def follow(self) -> HistoryEvent | None:
        """Until the last run of the chain closes; its close event. Called again (after Ctrl-C
        asked for a cancellation), it goes on from where it was."""
        while True:
            answer = await self.next_page(self.token)
            if answer is None:
                continue
            events = list(answer.history.events)
            if events:
                self.last = events[-1]
                self.show(self.tracker.extend(events))
            self.token = answer.next_page_token
            if self.token:
                continue
            following = _continued_to(self.last)
            if following is None:
                return self.last
            self.console.say(f"continued as new: run {following}")
            self.run_id, self.token = following, b""

    async def next_page(self, token: bytes) -> GetWorkflowExecutionHistoryResponse | None:
        """The next page of history, waiting for new events; meanwhile, every few seconds,
        what describe() tells of retrying activities and waiting gates."""
        poll = asyncio.ensure_future(self.history_page(token))
        try:
            while True:
                done, _ = await asyncio.wait({poll}, timeout=REFRESH_EVERY)
                if done:
                    return poll.result()
                await self.refresh_pending()
        finally:
            poll.cancel()

    async def history_page(self, token: bytes) -> GetWorkflowExecutionHistoryResponse | None:
        request = GetWorkflowExecutionHistoryRequest(
            namespace=self.client.namespace,
            execution=WorkflowExecution(workflow_id=self.workflow_id, run_id=self.run_id),
            next_page_token=token,
            wait_new_event=True,
            skip_archival=True,
        )
        try:
            return await self.client.workflow_service.get_workflow_execution_history(
                request, timeout=LONG_POLL
            )
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise NotRun(f"the run {self.workflow_id!r} is gone: {error.message}") from None
            if error.status != RPCStatusCode.DEADLINE_EXCEEDED:
                self.console.say(f"Temporal did not answer ({error.message}); asking again")
            await asyncio.sleep(1.0)
            return None

    async def refresh_pending(self) -> None:
        if self.tracker.outcome is not None:
            return
        handle: WorkflowHandle[Any, Any] = self.client.get_workflow_handle(
            self.workflow_id, run_id=self.run_id
        )
        try:
            description = await handle.describe(rpc_timeout=timedelta(seconds=2))
        except RPCError:
            return
        run = Run(self.client, handle, description, self.deployed, self.workflow)
        gates = await pending_gates(run)
        self.show(self.tracker.set_pending(description.raw_description.pending_activities, gates))

    async def cancel(self) -> int:
        """Ask Temporal to cancel the run and follow it a while longer, so the run does not
        outlive the worker that serves it."""
        self.console.say(f"interrupted: cancelling run {self.workflow_id}")
        handle = self.client.get_workflow_handle(self.workflow_id, run_id=self.run_id)
        with contextlib.suppress(RPCError, asyncio.CancelledError, TimeoutError):
            await handle.cancel(rpc_timeout=CALL_TIMEOUT)
            last = await asyncio.wait_for(self.follow(), CANCEL_WAIT)
            self.report(last)
        if self.tracker.outcome is None:
            self.console.say(f"the run {self.workflow_id} had not ended when wfd run stopped")
        return EXIT_INTERRUPTED

    # printing

    def name(self, node_id: str) -> str:
        label = self.labels.get(node_id, "")
        return node_id if label in ("", node_id) else f"{node_id} ({label})"

    def show(self, changed: set[str]) -> None:
        if not self.show_nodes:
            return
        for node_id, state in self.tracker.states.items():
            if node_id not in changed or state.status == "not_reached":
                continue
            key = (state.status, state.attempt, state.count, state.error, state.last_failure)
            if self.shown.get(node_id) == key:
                continue
            self.shown[node_id] = key
            self.console.say(self.line(state))

    def line(self, state: NodeState) -> str:
        if state.status not in ACTIVE:
            moment = state.ended_at
        elif state.status == "running" and state.count <= 1:
            moment = state.started_at
        else:  # retrying, waiting, or running again: seen now, history has no time for it
            moment = None
        clock = (moment or datetime.now(UTC)).astimezone().strftime("%H:%M:%S.%f")[:-3]
        parts = [f"{clock}  {self.name(state.node_id):<{self.width}}  {state.status:<11}"]
        if state.attempt is not None:
            parts.append(f"attempt {state.attempt}")
        if state.count > 1:
            parts.append(f"x{state.count}")
        if state.duration_ms is not None:
            parts.append(_duration(state.duration_ms / 1000))
        text = "  ".join(parts).rstrip()
        return f"{text}: {state.error}" if state.error else text

    def report(self, last: HistoryEvent | None) -> int:
        """The result on stdout, or the root failure in words; the exit status."""
        outcome = outcome_of([last] if last is not None else [])
        took = _duration(time.monotonic() - self.began)
        if self.tracker.outcome == "completed":
            self.console.say(f"completed in {took}")
            self.console.result(outcome.get("result"))
            return EXIT_COMPLETED
        what = (self.tracker.outcome or "ended").replace("_", " ")
        first = self.tracker.first_failure
        cause = first[1] if first else outcome.get("failure") or "no reason given"
        self.console.say(f"{what} after {took}: {cause}")
        return EXIT_FAILED


def _continued_to(event: HistoryEvent | None) -> str | None:
    continued = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    if event is None or event.event_type != continued:
        return None
    attributes = event.workflow_execution_continued_as_new_event_attributes
    return attributes.new_execution_run_id or None


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"
