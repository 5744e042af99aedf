"""Which node an activity call belongs to, told by its activity type wherever that is enough.

Each node kind declares the activity calls its code makes (`NodeType.activity_calls`): the
activity type and the call's role, `step` (the node's own work), `undo` (its compensation in a
Try) or `aux` (bookkeeping, such as a work queue's). An activity type that one call site alone
uses in a workflow names its node by itself, so that call is generated exactly as it would be
written by hand, without `summary=`: a summary is a payload the SDK converts and then visits
(crossing into the workflow sandbox) on every call, several per cent of a small workflow's
worker CPU (scripts/bench_overhead.py). Where several call sites share an activity type, each of
them carries the summary `"<node id>: <label>"` (`"<node id>: undo <label>"` for an undo), which
tells them apart. The compiler (`NodeRender.activity_summary`) and the run views
(`backend.runtime.node_states`, the managed worker's stand-ins) read the same table, so what the
generated code leaves out is exactly what history can do without.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from language.document import Workflow
from node_types import REGISTRY

ROLES = ("step", "undo", "aux")


def calls_of(nodes: Iterable[tuple[str, str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Activity type -> (node id, role) of every call site, from (node id, kind, parsed config)
    in document order."""
    found: dict[str, list[tuple[str, str]]] = {}
    for node_id, kind, config in nodes:
        node_type = REGISTRY.get(kind)
        if node_type is None or config is None:
            continue
        for activity, role in node_type.activity_calls(config):
            found.setdefault(activity, []).append((node_id, role))
    return found


def activity_calls(workflow: Workflow) -> dict[str, list[tuple[str, str]]]:
    """`calls_of` a workflow document; a node whose config does not parse calls nothing."""

    def parsed() -> Iterable[tuple[str, str, Any]]:
        for node in workflow.nodes:
            node_type = REGISTRY.get(node.type)
            if node_type is None:
                continue
            try:
                config = node_type.parse_config(node.config)
            except ValueError:
                continue
            yield node.id, node.type, config

    return calls_of(parsed())


def sole_callers(calls: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """Activity type -> (node id, role), for the types one call site alone uses."""
    return {activity: sites[0] for activity, sites in calls.items() if len(sites) == 1}


def activity_owners(workflow: Workflow) -> dict[str, tuple[str, str]]:
    """The activity types of a workflow that name their node: type -> (node id, role)."""
    return sole_callers(activity_calls(workflow))
