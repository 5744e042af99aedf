"""Expressions that read the run itself, compiled and run on the dev server.

`run_id`, `parent_id` and `workflow_attempt` read the workflow's info; `random()` and `uuid4()`
draw from the run's deterministic randomness, so a replay of the history draws the same values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.worker import Replayer

from compiler import compile_project
from tests.harness import chain, import_package, node, project, running_worker, unique_id


def reader(workflow_id: str) -> dict[str, Any]:
    value = (
        "{'run_id': run_id, 'parent_id': parent_id or '', 'attempt': str(workflow_attempt), "
        "'token': uuid4(), 'draw': str(random()), 'again': uuid4()}"
    )
    return {
        "id": workflow_id,
        "name": workflow_id,
        "input": {},
        "output": "dict[str, str]",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("read", "set_state", assignments=[{"target": "seen", "value": value}]),
            node("finish", "end", value="seen"),
        ],
        "edges": chain("start", "read", "finish"),
    }


def caller() -> dict[str, Any]:
    return {
        "id": "caller",
        "name": "caller",
        "input": {},
        "output": "dict[str, str]",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("call", "child_workflow", workflow="reader", result="seen"),
            node("finish", "end", value="seen"),
        ],
        "edges": chain("start", "call", "finish"),
    }


async def test_run_names_and_deterministic_draws(client: Client, package_dir: Path) -> None:
    modules = import_package(project("expr-run-info", [reader("reader"), caller()]), package_dir)
    worker = modules["worker"]
    async with running_worker(client, modules) as task_queue:
        alone = await client.start_workflow("reader", id=unique_id("reader"), task_queue=task_queue)
        seen = await alone.result()
        parent = await client.start_workflow(
            "caller", id=unique_id("caller"), task_queue=task_queue
        )
        from_child = await parent.result()
        history = await alone.fetch_history()
    assert seen["run_id"] == alone.result_run_id
    assert seen["parent_id"] == ""
    assert seen["attempt"] == "1"
    assert len(seen["token"]) == 36 and seen["token"] != seen["again"]
    assert 0.0 <= float(seen["draw"]) < 1.0
    assert from_child["parent_id"] == parent.id
    # a replay draws the same values from the run's seed: no nondeterminism
    replayed = await Replayer(workflows=worker.WORKFLOWS).replay_workflow(history)
    assert replayed.replay_failure is None


@pytest.mark.parametrize("kind", ["query", "schedule"])
def test_draws_are_refused_where_no_run_draws_them(kind: str) -> None:
    nodes = [node("start", "start"), node("finish", "end")]
    if kind == "query":
        nodes.append(node("peek", "query", name="peek", value="uuid4()", returns="str"))
    else:
        nodes.append(node("nightly", "schedule", cron=["0 3 * * *"], args={"tag": "uuid4()"}))
    document = project(
        f"expr-refused-{kind}",
        [
            {
                "id": "flow",
                "name": "flow",
                "input": {"tag": "str"},
                "output": "None",
                "state": [],
                "nodes": nodes,
                "edges": chain("start", "finish"),
            }
        ],
    )
    result = compile_project(document)
    messages = [d.message for d in result.diagnostics if d.severity == "error"]
    assert any("deterministic randomness" in message for message in messages), messages
