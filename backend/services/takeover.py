"""Taking over a deployment's executions: the new code replays their histories first.

A new version normally runs beside the old one, as a new version of its Worker Deployment:
executions stay pinned to the version they started on until they end (Temporal's worker
versioning). A workflow that never ends would stay on the old version (one that continues as
new only moves at its next run), so a deployment may instead take over another's task queue
and its running executions.
Temporal then replays each of them through the new code when the new worker picks it up; a
change that decides differently stops it with a nondeterminism error. So before it goes live,
the histories of the executions running there (and of a few recently closed ones, which
queries replay too) are fetched and replayed on the new code, in a process of its own (one
process imports one version of a package); a takeover that would stop a running execution is
refused, naming the workflow and node. Compiled with `patch`, the new code keeps the old
steps behind `workflow.patched` guards (`compiler.compat`), and the replay shows they hold.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError

from backend.errors import Invalid, Unavailable
from backend.models import (
    DeploymentCheckPublic,
    DeploymentRecord,
    PatchPublic,
    ReplayDivergencePublic,
    WayPublic,
)
from backend.runtime import versions
from backend.runtime.access import RuntimeAccess
from backend.runtime.layout import DataLayout
from backend.runtime.replay import Divergence, write_package
from backend.runtime.temporal import visibility_query
from backend.runtime.workers import package_environment
from backend.services.deployments import DeploymentHandle, Takeover
from compiler import CompileResult, compile_project
from compiler.compat import Deprecations, compatible, recommend
from language.document import Project

MAX_RUNNING = 1000
"""Running executions a check replays at most; with more, a takeover is refused."""
CLOSED_SAMPLE = 20
"""Recently closed executions replayed beside the running ones."""
FETCH_CONCURRENCY = 8
REPLAY_TIMEOUT = 120.0
"""Seconds the replay process may take (200 histories take about 7 s here)."""
PATCH_MARKER = "core_patch"
"""The name of the marker `workflow.patched` records."""
_FETCH_TIMEOUT = 60.0
_COUNT_TIMEOUT = 3.0


@dataclass
class Checked:
    """A new version compiled to take over a deployment, and what its replay found."""

    compiled: CompileResult
    takeover: Takeover
    report: DeploymentCheckPublic


async def check(
    client: Client,
    layout: DataLayout,
    replaced: DeploymentHandle,
    document: Project,
    patch: bool,
    timeout: float = REPLAY_TIMEOUT,
) -> Checked:
    """Compile the new version (compatible with the replaced one, with `patch`) and replay the
    replaced deployment's executions on it."""
    running, closed, more = await _fetch(client, replaced.task_queue)
    deprecated, carried = _carried(replaced.patches, running + closed)
    old = replaced.project() if patch else None
    compiled = await asyncio.to_thread(
        functools.partial(compile_project, document, old, deprecated=deprecated)
    )
    if not compiled.ok or compiled.project is None:
        raise Invalid("the project has errors, so it cannot be deployed", compiled.diagnostics)
    patches = (_patches(old, document) if old is not None else ()) + carried
    divergences = await _replay(layout, replaced.project_id, compiled, running + closed, timeout)
    running_ids = {history.run_id for history in running}
    found = [
        ReplayDivergencePublic(
            workflow_id=_workflow_id(item, running + closed),
            run_id=item.run_id,
            workflow_type=item.workflow_type,
            running=item.run_id in running_ids,
            node_id=item.node_id,
            reason=item.reason,
        )
        for item in divergences
    ]
    summary = _summary(found)
    if more:
        summary.insert(
            0,
            f"more than {MAX_RUNNING} executions run on {replaced.id}: too many to check "
            "before a takeover; deploy beside it instead",
        )
    ways = [
        WayPublic(
            workflow_id=item.workflow_id,
            way=item.way,
            reason=item.reason,
            unpatchable=list(item.unpatchable),
        )
        for item in recommend(replaced.project(), document)
    ]
    report = DeploymentCheckPublic(
        replaces=replaced.id,
        ok=not more and not any(item.running for item in found),
        running=len(running),
        closed=len(closed),
        summary=summary,
        divergences=found,
        patches=list(patches),
        recommended=_recommended(ways),
        ways=ways,
    )
    return Checked(compiled, Takeover(replaced, patches), report)


def _recommended(ways: list[WayPublic]) -> Literal["patching", "versioning"]:
    """Patching when a workflow needs it (it may run for ever) and every change can be
    guarded; else versioning, which works for any change."""
    if any(item.way == "patching" for item in ways) and not any(item.unpatchable for item in ways):
        return "patching"
    return "versioning"


def refusal(report: DeploymentCheckPublic, patched: bool) -> str:
    """Why a takeover is refused, and the way that would work, per workflow."""
    broken = "; ".join(report.summary)
    if report.recommended == "patching" and not patched:
        way = "deploy over it with patching (`patch`): " + "; ".join(
            f"{w.workflow_id}: {w.reason}" for w in report.ways if w.way == "patching"
        )
    else:
        why = [f"{w.workflow_id}: {w.reason}" for w in report.ways]
        if patched:
            why.insert(0, "the patched code does not replay them either")
        way = "deploy beside it as a new version (`versioning`): " + "; ".join(why)
    return f"deploying over {report.replaces} would break executions running there: {broken}. {way}"


async def running_counts(runtime: RuntimeAccess, task_queues: set[str]) -> dict[str, int]:
    """How many executions run on each task queue now; a queue Temporal did not answer for
    (it is off, down or slow) is left out."""
    if runtime.target is None or not task_queues:
        return {}

    async def count(client: Client, task_queue: str) -> tuple[str, int]:
        found = await client.count_workflows(
            visibility_query(task_queue, running=True),
            rpc_timeout=timedelta(seconds=_COUNT_TIMEOUT),
        )
        return task_queue, found.count

    try:
        async with asyncio.timeout(_COUNT_TIMEOUT):
            client = await runtime.client()
            return dict(await asyncio.gather(*(count(client, q) for q in sorted(task_queues))))
    except (Unavailable, RPCError, TimeoutError):
        return {}


async def pinned_count(runtime: RuntimeAccess, deployment_name: str, build_id: str) -> int | None:
    """How many running executions are pinned to one Worker Deployment version; None when
    Temporal did not answer (it is off, down or slow)."""
    if runtime.target is None:
        return None
    try:
        async with asyncio.timeout(_COUNT_TIMEOUT):
            client = await runtime.client()
    except (Unavailable, TimeoutError):
        return None
    return await versions.pinned_count(client, deployment_name, build_id)


async def deployment_counts(
    runtime: RuntimeAccess, found: list[DeploymentRecord]
) -> dict[str, int]:
    """Deployment id -> how many executions run on it now: those on its task queue, or, where
    versions of a Worker Deployment share the queue, those pinned to its version; a deployment
    Temporal did not answer for is left out."""
    shared = versions.shared_queues(found)
    by_queue = await running_counts(runtime, {i.task_queue for i in found} - shared)
    counts = {i.id: by_queue[i.task_queue] for i in found if i.task_queue in by_queue}
    versioned = [i for i in found if i.task_queue in shared and i.build_id]
    pinned = await asyncio.gather(
        *(pinned_count(runtime, i.task_queue, i.build_id or "") for i in versioned)
    )
    counts.update({i.id: n for i, n in zip(versioned, pinned, strict=True) if n is not None})
    return counts


def _patches(old: Project, new: Project) -> tuple[PatchPublic, ...]:
    """The guards `compile_project(new, compatible_with=old)` writes (the same computation)."""
    found = compatible(old, new)
    guarded = [
        PatchPublic(
            workflow_id=workflow_id,
            node_id=node_id,
            patch_id=guard.patch_id,
            path="new" if guard.new_path else "old",
            anchor=guard.anchor,
        )
        for workflow_id, nodes in sorted(found.guards.items())
        for node_id, guard in sorted(nodes.items())
    ]
    # a changed condition or switch chooses at the node itself, the new way where patched
    chosen = [
        PatchPublic(
            workflow_id=workflow_id,
            node_id=node_id,
            patch_id=choice.patch_id,
            path="new",
            anchor=node_id,
        )
        for workflow_id, nodes in sorted(found.choices.items())
        for node_id, choice in sorted(nodes.items())
    ]
    return tuple(sorted([*guarded, *chosen], key=lambda p: (p.workflow_id, p.node_id)))


def _carried(
    earlier: tuple[PatchPublic, ...], histories: list[WorkflowHistory]
) -> tuple[Deprecations, tuple[PatchPublic, ...]]:
    """What becomes of the patches of the version taken over. Its guards are dropped, the old
    path with them (the replay shows whether an execution still needs it), and each patch is
    deprecated where it was asked for, so the executions that recorded it still replay. A
    patch deprecated before is dropped once no execution checked has recorded it."""
    recorded = {marker for history in histories for marker in _patch_markers(history)}
    deprecated: Deprecations = {}
    carried: dict[str, PatchPublic] = {}
    for item in earlier:
        if item.anchor is None or item.patch_id in carried:
            continue
        if item.path == "deprecated" and item.patch_id not in recorded:
            continue
        carried[item.patch_id] = PatchPublic(
            workflow_id=item.workflow_id,
            node_id=item.anchor,
            patch_id=item.patch_id,
            path="deprecated",
            anchor=item.anchor,
        )
        at = deprecated.setdefault(item.workflow_id, {}).setdefault(item.anchor, ())
        deprecated[item.workflow_id][item.anchor] = (*at, item.patch_id)
    return deprecated, tuple(carried.values())


def _patch_markers(history: WorkflowHistory) -> Iterator[str]:
    """The patch ids a history recorded (`workflow.patched`, `workflow.deprecate_patch`)."""
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        attributes = event.marker_recorded_event_attributes
        if attributes.marker_name != PATCH_MARKER:
            continue
        for payloads in attributes.details.values():
            for payload in payloads.payloads:
                try:
                    data = json.loads(payload.data)
                except ValueError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    yield data["id"]


async def _fetch(
    client: Client, task_queue: str
) -> tuple[list[WorkflowHistory], list[WorkflowHistory], bool]:
    """The histories of the executions running on the task queue (True when more run than a
    check replays) and of the most recently closed ones."""
    try:
        async with asyncio.timeout(_FETCH_TIMEOUT):
            running_ids = [
                (item.id, item.run_id)
                async for item in client.list_workflows(
                    visibility_query(task_queue, running=True), limit=MAX_RUNNING + 1
                )
            ]
            closed_ids = [
                (item.id, item.run_id)
                async for item in client.list_workflows(
                    visibility_query(task_queue, running=False),  # newest first
                    limit=CLOSED_SAMPLE,
                )
            ]
            more = len(running_ids) > MAX_RUNNING
            gate = asyncio.Semaphore(FETCH_CONCURRENCY)

            async def history(workflow_id: str, run_id: str | None) -> WorkflowHistory:
                async with gate:
                    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
                    return await handle.fetch_history()

            running = await asyncio.gather(*(history(*ids) for ids in running_ids[:MAX_RUNNING]))
            closed = await asyncio.gather(*(history(*ids) for ids in closed_ids))
    except TimeoutError:
        raise Unavailable(
            f"Temporal did not give the histories of {task_queue}'s executions within "
            f"{_FETCH_TIMEOUT:g} s; try again"
        ) from None
    except RPCError as error:
        raise Unavailable(f"Temporal refused to list {task_queue}'s executions: {error}") from None
    return list(running), list(closed), more


async def _replay(
    layout: DataLayout,
    project_id: str,
    compiled: CompileResult,
    histories: list[WorkflowHistory],
    timeout: float,
) -> list[Divergence]:
    """Replays the histories on the compiled code in a process of its own (one process imports
    one version of a package); the divergences it found."""
    if not histories:
        return []
    assert compiled.project is not None
    with tempfile.TemporaryDirectory(prefix="wfd-takeover-") as temporary:
        folder = Path(temporary)
        write_package(compiled, folder / "code")
        document = folder / "project.json"
        document.write_text(compiled.project.model_dump_json(), encoding="utf-8")
        histories_dir = folder / "histories"
        histories_dir.mkdir()
        for index, history in enumerate(histories):
            (histories_dir / f"{index:05}.json").write_text(history.to_json(), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "backend.runtime.replay",
            str(folder / "code"),
            compiled.package,
            str(document),
            str(histories_dir),
        ]
        env = package_environment(layout, folder / "code", project_id)
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=folder,
        )
        try:
            async with asyncio.timeout(timeout):
                out, err = await process.communicate()
        except TimeoutError:
            raise Unavailable(
                f"replaying {len(histories)} histories on the new code took over {timeout:g} s; "
                "deploy beside the running version instead"
            ) from None
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    try:
        # a report written whole counts, even from a process that failed after writing it
        found = json.loads(out)
        return [Divergence(**item) for item in found["divergences"]]
    except (ValueError, KeyError, TypeError):
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [
            f"it ended with status {process.returncode} and no message"
        ]
        raise Unavailable(
            f"the executions' histories could not be replayed on the new code: {tail[0]}", 409
        ) from None


def _workflow_id(divergence: Divergence, histories: list[WorkflowHistory]) -> str:
    """The execution's workflow id (the replay names histories by their file)."""
    return next(
        (history.workflow_id for history in histories if history.run_id == divergence.run_id),
        divergence.workflow_id,
    )


def _summary(found: list[ReplayDivergencePublic]) -> list[str]:
    """`flow: 12 running executions would fail at node "nap" (...)`, most first."""
    counts: dict[tuple[bool, str, str | None, str], int] = {}
    for item in found:
        key = (item.running, item.workflow_type, item.node_id, item.reason)
        counts[key] = counts.get(key, 0) + 1
    lines = []
    for (running, workflow_type, node_id, reason), count in sorted(
        counts.items(), key=lambda entry: (not entry[0][0], -entry[1])
    ):
        kind = "running" if running else "closed"
        executions = f"{count} {kind} execution{'' if count == 1 else 's'}"
        where = f'at node "{node_id}"' if node_id else "at a step it could not place"
        effect = "would fail" if running else "would fail to answer queries"
        lines.append(f"{workflow_type}: {executions} {effect} {where} ({reason})")
    return lines
