"""Replaying recorded histories against newly compiled code: which executions a change would
break, and at which node.

Temporal replays a workflow's history through its code whenever a worker picks the execution
up again; code that no longer makes the same decisions in the same order fails every workflow
task from then on (a nondeterminism error). Before a change goes live, the recorded histories of
the executions it would meet are replayed with the SDK's `Replayer`, and each failure is told
in words: the node where the new code parts from the history, and how.

A history names nodes the way the run views read them (`backend.runtime.node_states`): an
activity by its type where one call site alone uses it (`compiler.activity_owners`), any other
step by the `"<node id>: ..."` summary the generated code gives its timers, children and shared
activity calls.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib
import json
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.runtime import Runtime, TelemetryConfig
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from compiler import CompileResult
from compiler.activity_owners import activity_owners
from language.document import Project, Workflow
from node_types import REGISTRY
from node_types.base import Role

MAX_HISTORY_BYTES = 50 * 1024 * 1024
"""Temporal's own limit on one history; a larger file is not a history."""

_ACTIVITY_CHANGED = re.compile(
    r"Activity type of scheduled event '([^']*)' does not match activity type of activity "
    r"command '([^']*)'"
)
_EVENT = re.compile(r"HistoryEvent\(id: (\d+), (\w+)\)")
_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')


class HistoryFileError(ValueError):
    """A history file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class Divergence:
    """One execution the new code cannot replay."""

    workflow_id: str
    run_id: str
    workflow_type: str
    node_id: str | None
    """The node where the new code parts from the history, where it could be told."""
    reason: str
    """How, in words."""
    detail: str
    """The SDK's own message."""


@dataclass
class ReplayReport:
    replayed: int
    divergences: list[Divergence]

    @property
    def ok(self) -> bool:
        return not self.divergences

    def lines(self) -> list[str]:
        """One line per workflow and node: `flow: 12 executions would fail at node "nap"
        (...)`, most first."""
        groups = Counter((d.workflow_type, d.node_id, d.reason) for d in self.divergences)
        lines = []
        for (workflow_type, node_id, reason), count in groups.most_common():
            executions = "1 execution" if count == 1 else f"{count} executions"
            where = f'at node "{node_id}"' if node_id else "at a step it could not place"
            lines.append(f"{workflow_type}: {executions} would fail {where} ({reason})")
        return lines


def read_histories(path: Path) -> list[WorkflowHistory]:
    """The histories in a file, or in every `*.json` file of a folder (sorted), as
    `temporal workflow show --output json` writes them; each is named after its file."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise HistoryFileError(f"{path}: no *.json history files in this folder")
    histories = []
    for file in files:
        try:
            if file.stat().st_size > MAX_HISTORY_BYTES:
                raise HistoryFileError(f"{file}: larger than a history can be (50 MB)")
            data = json.loads(file.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("events"), list):
                raise HistoryFileError(f"{file}: not a workflow history (no list of events)")
            history = WorkflowHistory.from_json(file.stem, data)
        except HistoryFileError:
            raise
        except (OSError, UnicodeDecodeError) as error:
            raise HistoryFileError(f"{file}: cannot be read: {error}") from error
        except (ValueError, json_format.ParseError) as error:  # JSON, or the events
            raise HistoryFileError(f"{file}: not a workflow history: {error}") from error
        if not history.events or not history.events[0].HasField(
            "workflow_execution_started_event_attributes"
        ):
            raise HistoryFileError(f"{file}: the history does not begin with a workflow start")
        histories.append(history)
    return histories


async def replay(
    workflows: Sequence[type[Any]],
    histories: Iterable[WorkflowHistory],
    documents: dict[str, Workflow],
) -> ReplayReport:
    """Replays each history through the workflow classes; `documents` (workflow type -> its
    document) place each failure at a node."""
    replayer = Replayer(workflows=list(workflows), runtime=_quiet_runtime())
    divergences = []
    replayed = 0
    async with replayer.workflow_replay_iterator(_each(histories)) as results:
        async for result in results:
            replayed += 1
            if result.replay_failure is not None:
                divergences.append(_divergence(result.history, result.replay_failure, documents))
    return ReplayReport(replayed, divergences)


@functools.cache
def _quiet_runtime() -> Runtime:
    """A runtime whose core does not log: a history the new code cannot replay makes it warn
    on standard output, where the report (and `--json`) goes."""
    return Runtime(telemetry=TelemetryConfig(logging=None))


async def _each(histories: Iterable[WorkflowHistory]) -> AsyncIterator[WorkflowHistory]:
    for history in histories:
        yield history


async def replay_compiled(
    result: CompileResult, histories: Sequence[WorkflowHistory]
) -> ReplayReport:
    """Replays the histories through a compiled project's workflows (its document places
    each failure at a node), imported from a temporary folder (the process keeps them: one
    project version per process)."""
    assert result.ok and result.project is not None, "replay what compiled"
    with tempfile.TemporaryDirectory(prefix="wfd-replay-") as folder:
        write_package(result, Path(folder))
        return await replay_folder(Path(folder), result.package, result.project, histories)


def write_package(result: CompileResult, folder: Path) -> None:
    """The compiled package's files under `folder/<package>/`."""
    root = folder / result.package
    for relative, text in result.files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


async def replay_folder(
    folder: Path, package: str, project: Project, histories: Sequence[WorkflowHistory]
) -> ReplayReport:
    """Replays the histories through the workflows of the package in `folder` (imported into
    this process, which keeps them: one package version per process)."""
    sys.path.insert(0, str(folder))
    try:
        worker = importlib.import_module(f"{package}.worker")
        documents = {workflow.id: workflow for workflow in project.workflows}
        return await replay(worker.WORKFLOWS, histories, documents)
    finally:
        sys.path.remove(str(folder))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m backend.runtime.replay FOLDER PACKAGE DOCUMENT HISTORIES`: replays every
    history file in the HISTORIES folder through the package compiled into FOLDER, the project
    DOCUMENT placing failures at nodes, and prints the report as one JSON object. The server
    runs it in a process of its own, as one process can import one version of a package."""
    folder, package, document, histories_dir = argv if argv is not None else sys.argv[1:]
    project = Project.model_validate_json(Path(document).read_text(encoding="utf-8"))
    histories = read_histories(Path(histories_dir))
    report = asyncio.run(replay_folder(Path(folder), package, project, histories))
    found = {
        "replayed": report.replayed,
        "divergences": [dataclasses.asdict(item) for item in report.divergences],
    }
    sys.stdout.write(json.dumps(found) + "\n")
    return 0


def _divergence(
    history: WorkflowHistory, failure: Exception, documents: dict[str, Workflow]
) -> Divergence:
    started = history.events[0].workflow_execution_started_event_attributes
    workflow_type = started.workflow_type.name
    document = documents.get(workflow_type)
    detail = _sdk_message(str(failure))
    node_id, reason = None, ""
    if document is None:
        reason = "no workflow of that type in the project any more"
    elif not isinstance(failure, NondeterminismError):
        reason = f"the new code fails on this history: {detail}"
    elif (changed := _ACTIVITY_CHANGED.search(detail)) is not None:
        before, after = changed.groups()
        owners = activity_owners(document)
        node_id = owners[before][0] if before in owners else None
        now_at = owners[after][0] if after in owners else None
        now = f' (node "{now_at}")' if now_at else ""
        reason = (
            f"activity changed: the history ran {before!r} here, the new code runs {after!r}{now}"
        )
        history_at = node_id
        branch = _deciding_branch(document, node_id, now_at) if node_id and now_at else None
        if branch is not None:
            node_id, kind, took, takes = branch
            reason = (
                f'{kind} changed: the history took its {took!r} path (node "{history_at}" '
                f'ran {before!r}), the new code takes {takes!r} (node "{now_at}" runs '
                f"{after!r})"
            )
    elif (event_ref := _EVENT.search(detail)) is not None:
        event = _event(history, int(event_ref.group(1)))
        what = _words(event_ref.group(2))
        node_id = _node_of(event, document) if event is not None else None
        reason = (
            f"the history has {what} here that the new code does not do at this point: a step "
            "before it was added, removed or moved"
        )
    else:
        reason = f"the new code decides differently: {detail}"
    return Divergence(history.workflow_id, history.run_id, workflow_type, node_id, reason, detail)


def _deciding_branch(
    document: Workflow, history_ran: str, code_runs: str
) -> tuple[str, str, str, str] | None:
    """Where the new code parts from the history by taking another path out of a branch (a
    condition or a switch): (its id, its kind, the port the history took, the port the code
    takes). The innermost such branch: the one with the fewest nodes after it. None when the
    two steps are not on different paths of a branch (a step was added or changed instead)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for edge in document.edges:
        out.setdefault(edge.source, []).append((edge.source_handle, edge.target))

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += [target for _port, target in out.get(current, [])]
        return seen

    found: list[tuple[int, str, str, str, str]] = []
    for node in document.nodes:
        kind = REGISTRY.get(node.type)
        if kind is None or kind.role is not Role.BRANCH:
            continue
        paths: dict[str, set[str]] = {}
        for port, target in out.get(node.id, []):
            paths.setdefault(port, set()).update(reach(target))
        took = [p for p, nodes in paths.items() if history_ran in nodes and code_runs not in nodes]
        takes = [p for p, nodes in paths.items() if code_runs in nodes and history_ran not in nodes]
        if took and takes:
            size = sum(len(nodes) for nodes in paths.values())
            found.append((size, node.id, kind.label.lower(), took[0], takes[0]))
    if not found:
        return None
    _size, node_id, kind_name, took_port, takes_port = min(found)
    return node_id, kind_name, took_port, takes_port


def _sdk_message(text: str) -> str:
    """The failure's own message out of the SDK's wrapping (`Failure { message: "..." }`)."""
    found = _MESSAGE.search(text)
    message = found.group(1).encode().decode("unicode_escape") if found else text
    return message.removeprefix("[TMPRL1100] Nondeterminism error: ").strip()


def _event(history: WorkflowHistory, event_id: int) -> HistoryEvent | None:
    return next((e for e in history.events if e.event_id == event_id), None)


def _words(event_type: str) -> str:
    """`TimerStarted` -> `a timer started`."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", event_type).lower()
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _node_of(event: HistoryEvent, document: Workflow) -> str | None:
    """The node a history event belongs to: named by its summary, or by its activity type."""
    nodes = {node.id for node in document.nodes}
    if event.HasField("user_metadata") and event.user_metadata.HasField("summary"):
        try:
            summary = json.loads(event.user_metadata.summary.data)
        except ValueError:
            summary = None
        if isinstance(summary, str) and ": " in summary:
            return summary.split(": ", 1)[0]
    if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        activity = event.activity_task_scheduled_event_attributes.activity_type.name
        owner = activity_owners(document).get(activity)
        if owner is not None and owner[0] in nodes:
            return owner[0]
    return None


if __name__ == "__main__":
    status = main()
    # the report is out; leave at once: the SDK's Rust threads may outlive the event loop and
    # abort the interpreter's teardown (temporalio/sdk-python#300), a failure the caller sees
    sys.stdout.flush()
    os._exit(status)
