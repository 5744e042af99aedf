"""Compiling a new version of a project so that executions started on the old one still replay.

Temporal replays an execution's history through the workflow's code; a step added, removed or
moved makes the code decide differently from the history and the execution stops on a
nondeterminism error. Given the version the running executions started on, the compiler keeps
both behaviours where the graph changed and lets Temporal choose with a patch marker
(`workflow.patched`): a new execution records the marker and takes the new path, an execution
started before the change finds no marker in its history and keeps the old one.

What is guarded: steps added to, removed from, or changed in a chain between two nodes both
versions share (a region: the old chain runs under `if not workflow.patched(...)`, the new one
under `if workflow.patched(...)`; a changed step is its old copy, renamed `<id>-before`, removed
and the new one added), and a condition or switch whose expressions changed (its ports the
same): the choice is made once at the node, `if workflow.patched(...)` evaluating the new
expressions, else the old ones. A container or handler whose settings changed, a switch whose
cases changed, or an edge moved to a different shared node, cannot be guarded this way yet; it
is reported by node, and such a version is deployed beside the old one instead (its executions
stay on the old deployment). Label, description, layout, timeout and retry changes need no
guard: a replay does not compare them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from language.diagnostics import Codes, Diagnostic
from language.document import NO_OUTPUT, Edge, Node, Project, Workflow
from node_types import REGISTRY
from node_types.base import Role


@dataclass(frozen=True)
class Guard:
    """A node that runs only on one side of a patch."""

    patch_id: str
    new_path: bool
    """True: runs where the patch is taken (new executions); False: where it is not (executions
    started before it)."""
    anchor: str | None = None
    """The node the patch's region leads into, in the new version: its first new step, or the
    shared node after the region when it only removed steps. A later version that drops the
    patch calls `workflow.deprecate_patch` there, where this one first asks for it."""

    def condition(self) -> str:
        call = f"workflow.patched({self.patch_id!r})"
        return call if self.new_path else f"not {call}"


Guards = dict[str, dict[str, Guard]]
"""workflow id -> node id -> its guard."""


@dataclass(frozen=True)
class Choice:
    """A condition or switch whose expressions changed: executions started before the patch
    keep choosing with the old ones."""

    patch_id: str
    before: tuple[tuple[str, str], ...]
    """(port, old expression) in the order the old version tried them."""


Choices = dict[str, dict[str, Choice]]
"""workflow id -> node id -> the old choice it keeps beside the new one."""


@dataclass(frozen=True)
class Compatible:
    """The new project made to replay what the old one recorded."""

    project: Project
    """The new project with the old chains it dropped put back in place."""
    guards: Guards
    choices: Choices
    problems: list[Diagnostic]
    """A diagnostic for every change that cannot be guarded."""


Deprecations = dict[str, dict[str, tuple[str, ...]]]
"""workflow id -> node id -> the patches an earlier version guarded there, whose old path no
execution needs any more: `workflow.deprecate_patch` is called before the node, so executions
that recorded the patch still replay."""


Way = Literal["patching", "versioning"]
"""How a changed workflow reaches the executions running on the old version: `patching`
(the new code takes them over, the old behaviour kept behind `workflow.patched`) or
`versioning` (the new version is deployed beside the old one; executions stay on the version
they started on and the old worker serves them until they end)."""


@dataclass(frozen=True)
class Recommendation:
    """The way to deploy a change of one workflow, and why."""

    workflow_id: str
    way: Way
    reason: str
    unpatchable: tuple[str, ...] = ()
    """Why patching cannot guard this workflow's change, node by node: then versioning is
    the way that works, whatever the workflow's length."""


def recommend(old: Project, new: Project) -> list[Recommendation]:
    """Per workflow of the new version, the way to deploy it. One that may run for ever (it
    continues as new, or loops without a round limit) would stay on the old version, versioned
    (a run that continues as new starts on the newest version, its next run only), so its change
    is patched; a short one is versioned, which needs no guard in the code and
    lets the executions finish exactly as they began. Where patching cannot guard the change,
    versioning is the only way, and the reason names what patching cannot guard."""
    problems: dict[str, list[str]] = {}
    for problem in compatible(old, new).problems:
        where = f"node {problem.node_id!r}: " if problem.node_id else ""
        problems.setdefault(problem.workflow_id or "", []).append(where + problem.message)
    found = []
    for workflow in new.workflows:
        endless = _without_end(workflow)
        blocked = tuple(problems.get(workflow.id, ()))
        if endless and not blocked:
            way: Way = "patching"
            reason = (
                f"it may run for ever ({endless}), so versioned it would stay on the old "
                "version (until it continues as new, if it does); patching changes it at once"
            )
        elif endless:
            way, reason = (
                "versioning",
                (
                    f"it may run for ever ({endless}), but patching cannot guard this change; "
                    "its running executions stay on the old version"
                ),
            )
        else:
            way = "versioning"
            reason = "it ends, so its running executions can finish on the version they began on"
        found.append(Recommendation(workflow.id, way, reason, blocked))
    return found


def _without_end(workflow: Workflow) -> str | None:
    """Why the workflow may run for ever, from the first node that makes it so; None if none."""
    for node in workflow.nodes:
        kind = REGISTRY.get(node.type)
        if kind is None:
            continue
        try:
            why = kind.without_end(kind.parse_config(node.config))
        except ValidationError:
            continue  # the check stage names what is wrong with the config
        if why is not None:
            return why
    return None


def patch_version(old: Project, new: Project) -> str:
    """A short tag naming the change, part of every patch id it adds: the same two versions
    always give the same patch ids."""
    # the editor's view (`ui`: collapsed containers) is no change to guard
    view = {"workflows": {"__all__": {"ui"}}}
    text = json.dumps([_as_tagged(old, view), _as_tagged(new, view)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _as_tagged(project: Project, exclude: Any) -> dict[str, Any]:
    """The project as its patch tag is computed from: an output left out (a workflow's or an
    activity's) is written `"None"`, as every document said it before it could be left out, so
    that the same two versions keep the tag (and the patch ids) deployed code was compiled with."""
    data = project.model_dump(mode="json", exclude=exclude)
    for item in [*data["workflows"], *data["activities"]]:
        item.setdefault("output", NO_OUTPUT)
    return data


def compatible(old: Project, new: Project) -> Compatible:
    """The new project merged with what the old one needs kept, the guards that keep each side
    to its executions, and a diagnostic for every change that cannot be guarded."""
    version = patch_version(old, new)
    before = {workflow.id: workflow for workflow in old.workflows}
    workflows: list[Workflow] = []
    guards: Guards = {}
    choices: Choices = {}
    problems: list[Diagnostic] = []
    for workflow in new.workflows:
        previous = before.get(workflow.id)
        if previous is None:
            workflows.append(workflow)
            continue
        merged, found, chosen, wrong = _merge(previous, workflow, version)
        workflows.append(merged)
        if found:
            guards[workflow.id] = found
        if chosen:
            choices[workflow.id] = chosen
        problems += wrong
    return Compatible(new.model_copy(update={"workflows": workflows}), guards, choices, problems)


NEUTRAL = frozenset(
    {
        "start_to_close_timeout",
        "schedule_to_close_timeout",
        "heartbeat_timeout",
        "retry",
        "description",
    }
)
"""Settings a replay does not compare: how long a step may take or how it is retried."""


def _settings(node: Node) -> dict[str, Any]:
    """What of a node decides what its code does (not its label, its place on the canvas, or
    the settings a replay does not compare)."""
    kind = REGISTRY.get(node.type)
    written = kind.without_defaults(node.config) if kind is not None else node.config
    config = {key: value for key, value in written.items() if key not in NEUTRAL}
    return {"type": node.type, "parent_id": node.parent_id, "config": config}


def _merge(
    old: Workflow, new: Workflow, version: str
) -> tuple[Workflow, dict[str, Guard], dict[str, Choice], list[Diagnostic]]:
    problems: list[Diagnostic] = []

    def refuse(node_id: str, message: str) -> None:
        problems.append(
            Diagnostic(Codes.INCOMPATIBLE, message, workflow_id=new.id, node_id=node_id)
        )

    old = _set_changed_steps_apart(old, new)
    old_nodes = {node.id: node for node in old.nodes}
    new_nodes = {node.id: node for node in new.nodes}
    shared = old_nodes.keys() & new_nodes.keys()
    choices: dict[str, Choice] = {}
    for node_id in sorted(shared):
        if _settings(old_nodes[node_id]) == _settings(new_nodes[node_id]):
            continue
        before = _changed_choice(old_nodes[node_id], new_nodes[node_id])
        if before is not None:
            choices[node_id] = Choice(f"{node_id}@{version}", before)
            continue
        refuse(
            node_id,
            "its settings changed, and only a step in a chain, or the expressions of a "
            "condition or a switch (its cases keyed as before), can be patched when they "
            "change: executions started before would replay it differently; deploy this "
            "version beside the old one",
        )
    old_out = _edges_by_port(old.edges)
    new_out = _edges_by_port(new.edges)
    guards: dict[str, Guard] = {}
    covered: set[str] = set()
    put_back: list[Node] = []
    edges = list(new.edges)
    for source in sorted(shared):
        ports = {port for (node_id, port) in old_out if node_id == source}
        ports |= {port for (node_id, port) in new_out if node_id == source}
        for port in sorted(ports):
            dropped, old_end = _chain(old_out, source, port, old_nodes, shared)
            added, new_end = _chain(new_out, source, port, new_nodes, shared)
            if not dropped and not added:
                if old_end != new_end:
                    refuse(
                        source,
                        f"its {port!r} port now leads to {new_end!r} instead of {old_end!r}; "
                        "a moved edge cannot be patched yet",
                    )
                continue
            if old_end != new_end:
                refuse(
                    source,
                    f"after it, the old steps lead to {old_end!r} and the new ones to "
                    f"{new_end!r}; patching needs both to meet the same node again",
                )
                continue
            unguardable = [
                node
                for node in [old_nodes[n] for n in dropped] + [new_nodes[n] for n in added]
                if not _plain_step(node, old_nodes[source].parent_id)
            ]
            if unguardable:
                refuse(
                    unguardable[0].id,
                    "only steps in a chain (not containers, branches or handlers) can be "
                    "added or removed under a patch yet",
                )
                continue
            patch_id = f"{(added or dropped)[0]}@{version}"
            anchor = added[0] if added else new_end
            guards.update({n: Guard(patch_id, False, anchor) for n in dropped})
            guards.update({n: Guard(patch_id, True, anchor) for n in added})
            put_back += [old_nodes[n] for n in dropped]
            edges = _splice(edges, source, port, dropped, added, old_end)
            covered.update(dropped + added)
    for node_id in sorted((old_nodes.keys() ^ new_nodes.keys()) - covered):
        refuse(
            node_id,
            "it is not in a chain between two nodes both versions have, so no patch can "
            "guard it; deploy this version beside the old one",
        )
    merged = new.model_copy(update={"nodes": [*new.nodes, *put_back], "edges": edges})
    return merged, guards, choices, problems


def _changed_choice(old: Node, new: Node) -> tuple[tuple[str, str], ...] | None:
    """The old expressions of a node whose kind chooses a path by expressions alone, when only
    they changed (same kind, same container, the same ports): what a patch keeps at the node
    for executions started before. None for any other change."""
    kind = REGISTRY.get(new.type)
    if kind is None or old.type != new.type or old.parent_id != new.parent_id:
        return None
    try:
        old_choice = kind.choice_expressions(kind.parse_config(old.config))
        new_choice = kind.choice_expressions(kind.parse_config(new.config))
    except ValidationError:
        return None  # the check stage names what is wrong with the config
    if old_choice is None or new_choice is None or old_choice.keys() != new_choice.keys():
        return None
    return tuple(old_choice.items())


def _set_changed_steps_apart(old: Workflow, new: Workflow) -> Workflow:
    """The old version with each step in a chain whose settings changed renamed
    (`<id>-before`): the old step and the new one are then a step removed and a step added
    between the same two nodes, which a patch guards like any other."""
    new_nodes = {node.id: node for node in new.nodes}
    taken = {node.id for node in old.nodes} | set(new_nodes)
    renamed: dict[str, str] = {}
    for node in old.nodes:
        now = new_nodes.get(node.id)
        if (
            now is not None
            and _settings(node) != _settings(now)
            and _plain_step(node, now.parent_id)
            and _plain_step(now, node.parent_id)
        ):
            renamed[node.id] = _free_id(f"{node.id}-before", taken)
            taken.add(renamed[node.id])
    if not renamed:
        return old
    nodes = [
        node.model_copy(update={"id": renamed[node.id]}) if node.id in renamed else node
        for node in old.nodes
    ]
    edges = [
        edge.model_copy(
            update={
                "source": renamed.get(edge.source, edge.source),
                "target": renamed.get(edge.target, edge.target),
            }
        )
        for edge in old.edges
    ]
    return old.model_copy(update={"nodes": nodes, "edges": edges})


def _edges_by_port(edges: list[Edge]) -> dict[tuple[str, str], list[Edge]]:
    found: dict[tuple[str, str], list[Edge]] = {}
    for edge in edges:
        found.setdefault((edge.source, edge.source_handle), []).append(edge)
    return found


def _chain(
    out: dict[tuple[str, str], list[Edge]],
    source: str,
    port: str,
    nodes: dict[str, Node],
    shared: set[str],
) -> tuple[list[str], str | None]:
    """The nodes only this version has, in order, from `source`'s port to the next node both
    versions have (or None where the chain ends)."""
    chain: list[str] = []
    leaving = out.get((source, port), [])
    while len(leaving) == 1:
        target = leaving[0].target
        if target in shared or target not in nodes or target in chain:
            return chain, target if target in shared else None
        chain.append(target)
        leaving = out.get((target, "out"), [])
    return chain, None


def _plain_step(node: Node, parent_id: str | None) -> bool:
    kind = REGISTRY.get(node.type)
    return (
        kind is not None
        and kind.role is Role.STEP
        and node.parent_id == parent_id
        and [port.name for port in kind.outputs] in (["out"], [])
    )


def _splice(
    edges: list[Edge],
    source: str,
    port: str,
    dropped: list[str],
    added: list[str],
    end: str | None,
) -> list[Edge]:
    """The new edges with the old chain put back between `source` and the new chain: source
    -> dropped... -> added... -> end (the old chain's edges are made anew: their ids may be
    taken in the new version)."""
    order = [source, *dropped, *added] + ([end] if end is not None else [])
    if not dropped:
        return edges
    first_new = added[0] if added else end
    kept = [
        edge
        for edge in edges
        if not (edge.source == source and edge.source_handle == port and edge.target == first_new)
    ]
    taken = {edge.id for edge in kept}
    spliced = []
    for index, (tail, head) in enumerate(itertools.pairwise(order)):
        if tail in added and head in [*added, end]:
            continue  # the new chain's own edges are kept as they are
        edge_id = _free_id(f"patch-{tail}-{head}", taken)
        taken.add(edge_id)
        spliced.append(
            Edge(
                id=edge_id,
                source=tail,
                source_handle=port if index == 0 else "out",
                target=head,
            )
        )
    return kept + spliced


def _free_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
