"""`wfd check PROJECT --replay HISTORIES`: recorded histories replayed against the project's
code as it is now, run as a user runs it. A history comes from a real run on the dev server,
exported by the `temporal` CLI, and an edit that would break such an execution is named by node.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from temporalio.client import Client

from tests.cli.test_cli import assert_no_traceback, wfd
from tests.support.harness import (
    chain,
    edge,
    import_package,
    node,
    project,
    running_worker,
    unique_id,
)

TEMPORAL = Path(sys.executable).with_name("temporal")

STEPS = [
    {"name": name, "input": {}, "output": "None", "implementation": {"kind": "simulate"}}
    for name in ("step_one", "step_two", "step_three")
]

NODES = [
    node("start", "start"),
    node("a", "activity", label="First step", activity="step_one"),
    node("nap", "timer", label="Pause", duration="0.2s"),
    node("b", "activity", label="Second step", activity="step_two"),
    node("finish", "end"),
]


def flow(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "flow",
        "name": "flow",
        "input": {"go": "bool"},
        "output": "None",
        "state": [],
        "nodes": nodes,
        "edges": edges,
    }


def version(project_id: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    return json.dumps(project(project_id, [flow(nodes, edges)], STEPS))


async def recorded_history(
    client: Client,
    project_id: str,
    folder: Path,
    nodes: list[dict[str, Any]] = NODES,
    edges: list[dict[str, Any]] | None = None,
) -> Path:
    """Version 1 (by default a, nap, b) run to its end on the dev server; its history
    exported as the temporal CLI exports it, into `folder`."""
    edges = chain("start", "a", "nap", "b", "finish") if edges is None else edges
    document = json.loads(version(project_id, nodes, edges))
    modules = import_package(document, folder / "v1")
    async with running_worker(client, modules) as task_queue:
        handle = await client.start_workflow(
            "flow",
            modules["models"].FlowInput(go=True),
            id=unique_id("flow"),
            task_queue=task_queue,
        )
        await handle.result()
    exported = subprocess.run(
        [
            str(TEMPORAL),
            "workflow",
            "show",
            "--workflow-id",
            handle.id,
            "--output",
            "json",
            "--address",
            client.service_client.config.target_host,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    histories = folder / "histories"
    histories.mkdir()
    (histories / f"{handle.id}.json").write_text(exported.stdout)
    return histories


async def test_edits_that_would_break_a_recorded_run_are_named_by_node(
    client: Client, tmp_path: Path
) -> None:
    project_id = unique_id("replay")
    histories = await recorded_history(client, project_id, tmp_path)

    def check(name: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> Any:
        path = tmp_path / f"{name}.json"
        path.write_text(version(project_id, nodes, edges))
        return wfd("check", path, "--replay", histories)

    inserted = check(
        "inserted",
        [*NODES, node("c", "activity", activity="step_three")],
        chain("start", "a", "c", "nap", "b", "finish"),
    )
    swapped = check(
        "condition",
        [*NODES, node("which", "condition", expression="not input.go")],
        [
            *chain("start", "which"),
            edge("which", "a", "true"),
            edge("which", "b", "false"),
            *chain("a", "nap", "finish"),
            *chain("b", "finish"),
        ],
    )
    relabelled = check(
        "relabelled",
        [{**n, "label": f"{n['label']} (renamed)"} for n in NODES],
        chain("start", "a", "nap", "b", "finish"),
    )

    as_json = wfd("check", tmp_path / "condition.json", "--replay", histories, "--json")
    found = json.loads(as_json.stdout)

    for outcome in (inserted, swapped, relabelled, as_json):
        assert_no_traceback(outcome)
    assert inserted.returncode == 1
    assert 'flow: 1 execution would fail at node "nap" (the history has a timer started' in (
        inserted.stderr
    )
    assert swapped.returncode == 1
    # the step the history ran and the one the new code runs are on two paths of the new
    # condition: the condition decides differently, so it is the node named
    assert (
        'flow: 1 execution would fail at node "which" (condition changed: the history took '
        "its 'true' path (node \"a\" ran 'step_one'), the new code takes 'false' (node \"b\" "
        "runs 'step_two'))"
    ) in swapped.stderr
    assert as_json.returncode == 1
    assert found["replayed"] == 1 and found["diagnostics"] == []
    assert [(d["workflow_type"], d["node_id"]) for d in found["divergences"]] == [("flow", "which")]
    assert relabelled.returncode == 0, relabelled.stderr
    assert "1 recorded histories replay on the new code without a difference" in (relabelled.stderr)


async def test_a_changed_condition_is_named_as_the_node_that_decides(
    client: Client, tmp_path: Path
) -> None:
    project_id = unique_id("replay-choice")

    def deciding(expression: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        nodes = [*NODES, node("which", "condition", expression=expression)]
        edges = [
            *chain("start", "which"),
            edge("which", "a", "true"),
            edge("which", "b", "false"),
            *chain("a", "nap", "finish"),
            *chain("b", "finish"),
        ]
        return nodes, edges

    histories = await recorded_history(client, project_id, tmp_path, *deciding("input.go"))
    path = tmp_path / "changed.json"
    path.write_text(version(project_id, *deciding("not input.go")))
    changed = wfd("check", path, "--replay", histories)
    assert_no_traceback(changed)
    assert changed.returncode == 1
    assert 'flow: 1 execution would fail at node "which" (condition changed:' in changed.stderr
    same = tmp_path / "same.json"
    same.write_text(version(project_id, *deciding("input.go")))
    unchanged = wfd("check", same, "--replay", histories)
    assert unchanged.returncode == 0, unchanged.stderr


def test_a_file_that_is_not_a_history_is_refused_by_name(tmp_path: Path) -> None:
    document = tmp_path / "flow.json"
    document.write_text(version("replay-bad", NODES, chain("start", "a", "nap", "b", "finish")))
    junk = tmp_path / "junk.json"
    junk.write_text('{"events": "no"}')
    empty = tmp_path / "empty"
    empty.mkdir()
    garbled = tmp_path / "garbled.json"
    garbled.write_text('{"events": [{"eventId": "x", "eventType": "NOPE"}]}')
    refused = [wfd("check", document, "--replay", path) for path in (junk, empty, garbled)]
    for outcome in refused:
        assert_no_traceback(outcome)
        assert outcome.returncode == 2
    assert refused[0].stderr == f"error: {junk}: not a workflow history (no list of events)\n"
    assert refused[1].stderr == f"error: {empty}: no *.json history files in this folder\n"
    assert refused[2].stderr.startswith(f"error: {garbled}: not a workflow history: ")
