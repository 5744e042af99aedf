"""The same document compiles to the same bytes: twice in one process, and under any hash seed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from compiler import CompileResult, compile_project
from compiler.pipeline import check_document
from tests.support.harness import chain, edge, node, project

ROOT = Path(__file__).resolve().parents[2]


def _document() -> dict[str, Any]:
    """Many kinds and many names: anything kept in a set or a hash-ordered dict would show."""
    activities = [
        {
            "name": "reserve_stock",
            "input": {"sku": "str", "quantity": "int", "warehouse": "str"},
            "output": "Reservation",
            "implementation": {"kind": "simulate", "result": {"code": "R-{sku}", "held": True}},
            "defaults": {"retry": {"initial_interval": "2s", "maximum_attempts": 5}},
        },
        {
            "name": "notify",
            "input": {"channel": "str", "text": "str"},
            "output": "None",
            "implementation": {"kind": "http", "method": "POST", "url": "https://x/{channel}"},
        },
        {
            "name": "score",
            "input": {"sku": "str"},
            "output": "float",
            "implementation": {"kind": "simulate", "result": 0.5},
        },
    ]
    main = {
        "id": "fulfil-order",
        "name": "Fulfil order",
        "description": "Reserves, scores and ships an order.",
        "input": {"sku": "str", "quantity": "int", "priority": "str", "tags": "list[str]"},
        "output": "str",
        "state": [
            {"name": "status", "type": "str", "default": "new"},
            {"name": "paused", "type": "bool"},
            {"name": "notes", "type": "list[str]"},
            {"name": "extra", "type": "dict[str, int]", "default": {"b": 2, "a": 1}},
        ],
        "settings": {
            "id_template": "order-{input.sku}-{input.quantity}",
            "execution_timeout": "1d",
        },
        "nodes": [
            node("start", "start"),
            node(
                "reserve",
                "activity",
                "Reserve stock",
                activity="reserve_stock",
                args={"sku": "input.sku", "quantity": "input.quantity", "warehouse": "'north'"},
                result="reservation",
            ),
            node(
                "locals",
                "set_state",
                assignments=[
                    {"target": "zeta", "value": "len(input.tags)"},
                    {"target": "alpha", "value": "input.quantity * 2"},
                    {"target": "mid", "value": "input.priority + '!'"},
                    {"target": "state.status", "value": "'reserved'"},
                ],
            ),
            node(
                "route",
                "switch",
                "Route by priority",
                cases=[
                    {"key": "urgent", "expression": "input.priority == 'urgent'"},
                    {"key": "bulk", "expression": "input.quantity > 100"},
                    {"key": "tagged", "expression": "'gift' in input.tags"},
                ],
            ),
            node("rush", "timer", duration="1s"),
            node("batch", "timer", duration="1m"),
            node("wrap", "set_state", assignments=[{"target": "state.status", "value": "'wrap'"}]),
            node("wait", "timer", duration="5m"),
            node("packing", "phase", "Packing & checks"),
            node(
                "pack-score",
                "activity",
                parent="packing",
                activity="score",
                args={"sku": "input.sku + str(zeta + alpha) + mid"},
                result="quality",
            ),
            node(
                "pack-note",
                "set_state",
                parent="packing",
                assignments=[{"target": "state.notes", "value": "state.notes + [str(quality)]"}],
            ),
            node("fan", "parallel", mode="all"),
            node("fan-a", "timer", duration="2s"),
            node(
                "fan-b",
                "activity",
                activity="notify",
                args={"channel": "'ops'", "text": "reservation.code"},
            ),
            node("fan-c", "timer", duration="3s"),
            node("meet", "join"),
            node(
                "ship",
                "child_workflow",
                "Ship it",
                workflow="ship-parcel",
                args={"sku": "input.sku", "express": "input.priority == 'urgent'"},
                id_template="ship-{input.sku}-{state.status}",
                result="tracking",
            ),
            node("held", "condition", expression="reservation.held and not state.paused"),
            node("refuse", "fail", message="order {input.sku} is on hold", error_type="OnHold"),
            node("done", "end", value="tracking + ':' + state.status"),
            node("pause", "signal", name="pause"),
            node(
                "set-pause", "set_state", assignments=[{"target": "state.paused", "value": "True"}]
            ),
            node("add-note", "signal", name="add_note", params={"text": "str", "author": "str"}),
            node(
                "store-note",
                "set_state",
                assignments=[
                    {
                        "target": "state.notes",
                        "value": "state.notes + [payload.author + payload.text]",
                    }
                ],
            ),
            node("status", "query", name="status", value="state.status", returns="str"),
            node("notes", "query", name="notes", value="sorted(state.notes)", returns="list[str]"),
            node(
                "bump",
                "update",
                name="bump",
                params={"by": "int"},
                returns="int",
                validator="payload.by > 0",
                validator_message="by must be positive",
            ),
            node("bump-done", "end", value="payload.by + 1"),
        ],
        "edges": [
            *chain("start", "reserve", "locals", "route"),
            edge("route", "rush", "case:urgent"),
            edge("route", "batch", "case:bulk"),
            edge("route", "wrap", "case:tagged"),
            edge("route", "wait", "default"),
            *chain("rush", "packing"),
            *chain("batch", "packing"),
            *chain("wrap", "packing"),
            *chain("wait", "packing"),
            *chain("pack-score", "pack-note"),
            *chain("packing", "fan"),
            edge("fan", "fan-a", "branch"),
            edge("fan", "fan-b", "branch"),
            edge("fan", "fan-c", "branch"),
            *chain("fan-a", "meet"),
            *chain("fan-b", "meet"),
            *chain("fan-c", "meet"),
            *chain("meet", "ship", "held"),
            edge("held", "done", "true"),
            edge("held", "refuse", "false"),
            *chain("pause", "set-pause"),
            *chain("add-note", "store-note"),
            *chain("bump", "bump-done"),
        ],
    }
    child = {
        "id": "ship-parcel",
        "input": {"sku": "str", "express": "bool"},
        "output": "str",
        "nodes": [node("start", "start"), node("label", "end", value="'T-' + input.sku")],
        "edges": chain("start", "label"),
    }
    return project(
        "warehouse",
        [main, child],
        activities=activities,
        types={
            "Reservation": {"fields": {"code": "str", "held": "bool"}},
            "Parcel": {"fields": {"weight": "float", "labels": "list[str]"}},
        },
    )


def _fingerprint(result: CompileResult) -> str:
    """One hash over every generated file's path and bytes, plus the source map."""
    digest = hashlib.sha256()
    for path in sorted(result.files):
        digest.update(path.encode() + b"\0" + result.files[path].encode() + b"\0")
    digest.update(json.dumps(result.sourcemap, sort_keys=True).encode())
    return digest.hexdigest()


_CHILD = """
import hashlib, json, sys
from compiler import compile_project
from compiler.pipeline import check_document
document = json.loads(sys.stdin.read())
result = compile_project(document)
assert result.ok, [d.format() for d in result.diagnostics]
digest = hashlib.sha256()
for path in sorted(result.files):
    digest.update(path.encode() + b"\\0" + result.files[path].encode() + b"\\0")
digest.update(json.dumps(result.sourcemap, sort_keys=True).encode())
broken = check_document(document | {"activities": document["activities"][:1]})
print(json.dumps({
    "files": digest.hexdigest(),
    "broken": [d.format() for d in broken.diagnostics],
}))
"""


def _in_subprocess(hash_seed: str) -> dict[str, Any]:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), environment.get("PYTHONPATH")])
    )
    outcome = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(_document()),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=False,
    )
    assert outcome.returncode == 0, outcome.stderr
    answer: dict[str, Any] = json.loads(outcome.stdout)
    return answer


def test_the_document_is_rich_and_compiles() -> None:
    result = compile_project(_document())
    assert result.ok, [d.format() for d in result.diagnostics]
    assert {"workflows/fulfil_order.py", "workflows/ship_parcel.py"} <= set(result.files)
    code = result.files["workflows/fulfil_order.py"]
    for expected in (
        "@workflow.signal",
        "@workflow.query",
        "@workflow.update",
        "async def _phase_",
        "asyncio.create_task",
        "execute_child_workflow",
        "elif",
    ):
        assert expected in code


def test_compiling_twice_gives_identical_bytes() -> None:
    first = compile_project(_document())
    second = compile_project(json.dumps(_document()))
    assert first.ok and second.ok
    assert first.files.keys() == second.files.keys()
    for path in first.files:
        assert first.files[path].encode() == second.files[path].encode(), path
    assert first.sourcemap == second.sourcemap


def test_identical_bytes_under_different_hash_seeds() -> None:
    here = _fingerprint(compile_project(_document()))
    seeded = [_in_subprocess(seed) for seed in ("0", "12345", "987654321")]
    assert {answer["files"] for answer in seeded} == {here}


def test_diagnostics_are_identical_under_different_hash_seeds() -> None:
    document = _document()
    broken = check_document(document | {"activities": document["activities"][:1]})
    assert len(broken.diagnostics) >= 2
    here = [d.format() for d in broken.diagnostics]
    assert [_in_subprocess(seed)["broken"] for seed in ("0", "12345")] == [here, here]
