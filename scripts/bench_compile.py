"""Compiles one synthetic workflow of 1,000 nodes and prints how long each compiler stage took,
then its warm compile time after a one-node edit, and that of each sample project.

    .venv/bin/python scripts/bench_compile.py

The graph is a valid, structured mix of what real workflows hold: activity and set_state
sequences, conditions, switches, phases holding steps, and parallels whose branches meet at a
join. It is compiled first, as the process's first compile (templates not yet loaded), as it
always was. It and each sample (`samples/`) are then compiled once to warm up and timed over a
few more compiles, each after one node was relabelled: the best of them is what the editor's
code preview costs after an edit of an open project (the compiler keeps what did not change,
such as the formatted modules). Before any compile the benchmark freezes what importing made, as
`wfd serve` does once it has started (`backend.app.freeze_start_up_objects`): the code preview
runs in that process, where the collector no longer walks the modules on every full collection.
The last line is `compile_1000_nodes_s=<seconds>`, the wall time of the synthetic `compile_project`.
Exits 1 when the compiler reports an error.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import samples
from backend.app import freeze_start_up_objects
from compiler import CompileResult, check_document, compile_project

NODES = 1000
SAMPLE_REPETITIONS = 5

Exit = tuple[str, str]
"""(node id, port) that leads on to whatever comes next."""


class GraphBuilder:
    """Appends blocks one after the other; each block starts where the previous one left off."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.exits: list[Exit] = []

    def node(
        self, kind: str, config: dict[str, Any] | None = None, parent: str | None = None
    ) -> str:
        node_id = f"n{len(self.nodes)}"
        item: dict[str, Any] = {
            "id": node_id,
            "type": kind,
            "label": f"{kind} {len(self.nodes)}",
            "config": config or {},
        }
        if parent is not None:
            item["parent_id"] = parent
        self.nodes.append(item)
        return node_id

    def edge(self, source: str, target: str, port: str = "out") -> None:
        self.edges.append(
            {"id": f"e{len(self.edges)}", "source": source, "source_handle": port, "target": target}
        )

    def enter(self, node_id: str) -> None:
        """Connects the open exits to `node_id`, the first node of the next block."""
        for source, port in self.exits:
            self.edge(source, node_id, port)

    def step(self, parent: str | None = None) -> tuple[str, str]:
        """An activity whose result a set_state adds to the total: (first, last) node ids."""
        result = f"r{len(self.nodes)}"
        call = self.node(
            "activity", {"activity": "step", "args": {"n": "state.total"}, "result": result}, parent
        )
        keep = self.node(
            "set_state",
            {"assignments": [{"target": "state.total", "value": f"state.total + {result}"}]},
            parent,
        )
        self.edge(call, keep)
        return call, keep

    def assign(self, value: str, parent: str | None = None) -> str:
        return self.node(
            "set_state", {"assignments": [{"target": "state.total", "value": value}]}, parent
        )

    # blocks: each connects itself after the open exits and leaves its own exits open

    def sequence(self) -> None:
        first, last = self.step()
        self.enter(first)
        self.exits = [(last, "out")]

    def condition(self) -> None:
        test = self.node("condition", {"expression": "state.total % 2 == 0"})
        self.enter(test)
        yes, no = self.assign("state.total + 1"), self.assign("state.total * 2")
        self.edge(test, yes, "true")
        self.edge(test, no, "false")
        self.exits = [(yes, "out"), (no, "out")]

    def switch(self) -> None:
        rests = range(3)
        cases = [{"key": f"k{rest}", "expression": f"state.total % 4 == {rest}"} for rest in rests]
        choice = self.node("switch", {"cases": cases})
        self.enter(choice)
        self.exits = []
        for rest in rests:
            arm = self.assign(f"state.total + {rest + 1}")
            self.edge(choice, arm, f"case:k{rest}")
            self.exits.append((arm, "out"))
        fallback = self.assign("state.total - 1")
        self.edge(choice, fallback, "default")
        self.exits.append((fallback, "out"))

    def phase(self) -> None:
        phase = self.node("phase")
        self.enter(phase)
        _first, last = self.step(parent=phase)  # the first child is the phase's entry
        check = self.node("condition", {"expression": "state.total > 100"}, phase)
        cap = self.assign("state.total % 100", phase)
        self.edge(last, check)
        self.edge(check, cap, "true")
        self.exits = [(phase, "out")]

    def parallel(self) -> None:
        fork = self.node("parallel", {"mode": "all"})
        self.enter(fork)
        lasts = []
        for _ in range(3):
            first, last = self.step()
            self.edge(fork, first, "branch")
            lasts.append(last)
        join = self.node("join")
        for last in lasts:
            self.edge(last, join)
        self.exits = [(join, "out")]


def synthetic_project(size: int = NODES) -> dict[str, Any]:
    graph = GraphBuilder()
    start = graph.node("start")
    graph.exits = [(start, "out")]
    blocks: list[Callable[[], None]] = [
        graph.sequence,
        graph.condition,
        graph.switch,
        graph.phase,
        graph.parallel,
    ]
    largest = 8  # nodes in the largest block (parallel: fork, three two-step branches, join)
    index = 0
    while len(graph.nodes) + largest + 1 <= size:
        blocks[index % len(blocks)]()
        index += 1
    while len(graph.nodes) < size - 1:
        padding = graph.assign("state.total + 1")
        graph.enter(padding)
        graph.exits = [(padding, "out")]
    end = graph.node("end", {"value": "state.total"})
    graph.enter(end)
    return {
        "schema_version": 1,
        "id": "bench",
        "name": "Benchmark",
        "task_queue": "bench",
        "activities": [
            {
                "name": "step",
                "input": {"n": "int"},
                "output": "int",
                "implementation": {"kind": "simulate", "result": 1},
            }
        ],
        "workflows": [
            {
                "id": "big",
                "name": "Big",
                "input": {},
                "output": "int",
                "state": [{"name": "total", "type": "int"}],
                "nodes": graph.nodes,
                "edges": graph.edges,
            }
        ],
    }


def reported_errors(result: CompileResult, what: str) -> bool:
    """Prints the first errors of a failed compile to stderr; whether there were any."""
    errors = [d for d in result.diagnostics if d.severity == "error"]
    for diagnostic in errors[:20]:
        print(diagnostic.format(), file=sys.stderr)
    if not result.ok:
        print(f"the compiler reported {len(errors)} errors in {what}", file=sys.stderr)
    return not result.ok


def edited(document: dict[str, Any], round_: int) -> dict[str, Any]:
    """The document after one edit, in a different workflow each round: a node relabelled and
    the workflow's description changed, so the code of that workflow's module changes (its
    docstring) and the others' does not: what the editor recompiles after a keystroke."""
    changed = copy.deepcopy(document)
    workflow = changed["workflows"][round_ % len(changed["workflows"])]
    node = workflow["nodes"][round_ % len(workflow["nodes"])]
    node["label"] = f"{node.get('label', '')} (edit {round_})"
    workflow["description"] = f"{workflow.get('description', '')} Edited ({round_})."
    return changed


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (the formatter, ruff): on a
    busy machine wall time says more about the other jobs than about the compiler."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_compiles(document: dict[str, Any]) -> tuple[float, float, float, dict[str, float]]:
    """Best and slowest of a few compiles, each after a one-node edit, the least CPU one took,
    and the best's stages."""
    runs: list[tuple[float, float, dict[str, float]]] = []
    for round_ in range(1, SAMPLE_REPETITIONS + 1):
        changed = edited(document, round_)
        began, cpu = time.perf_counter(), cpu_seconds()
        timings = compile_project(changed).timings
        runs.append((time.perf_counter() - began, cpu_seconds() - cpu, timings))
    best, _cpu, stages = min(runs, key=lambda run: run[0])
    least_cpu = min(cpu for _wall, cpu, _stages in runs)
    return best, max(seconds for seconds, _cpu, _ in runs), least_cpu, stages


def time_samples() -> bool:
    """Prints one line per sample project: its size and its best warm compile time after a
    one-node edit; whether every sample compiled."""
    all_compiled = True
    for name in samples.names():
        document = samples.load(name)
        nodes = sum(len(workflow["nodes"]) for workflow in document["workflows"])
        if reported_errors(compile_project(document), f"the sample {name!r}"):
            all_compiled = False
            continue
        best, slowest, cpu, stages = time_compiles(document)
        spent = " ".join(f"{stage} {seconds:.3f}" for stage, seconds in stages.items())
        print(
            f"sample {name:<20} workflows={len(document['workflows']):<3} nodes={nodes:<5}"
            f" warm, after an edit {best:6.3f}s (cpu {cpu:.3f}s; best of {SAMPLE_REPETITIONS},"
            f" slowest {slowest:.3f}s; {spent})"
        )
    return all_compiled


def time_completions(document: dict[str, Any]) -> None:
    """Prints what listing the names in scope at each node (the editor's completions, in the
    answer of /api/validate) adds to a check of the synthetic workflow: time and JSON size."""
    runs = [check_document(document, with_completions=True) for _ in range(SAMPLE_REPETITIONS)]
    best = min(runs, key=lambda run: run.timings["completions"])
    assert best.completions is not None
    check = sum(best.timings.values()) - best.timings["completions"]
    size = len(json.dumps(dataclasses.asdict(best.completions), separators=(",", ":")))
    print(
        f"completions: {best.timings['completions']:.3f}s added to a check of {check:.3f}s "
        f"(best of {SAMPLE_REPETITIONS}); {len(best.completions.scopes)} distinct scopes, "
        f"{size} bytes of JSON"
    )


def main() -> int:
    freeze_start_up_objects()
    document = synthetic_project()
    workflow = document["workflows"][0]
    print(f"nodes={len(workflow['nodes'])} edges={len(workflow['edges'])}")
    began = time.perf_counter()
    result = compile_project(document)
    elapsed = time.perf_counter() - began
    if reported_errors(result, "the synthetic workflow"):
        return 1
    for stage, seconds in result.timings.items():
        print(f"stage {stage:<10} {seconds:8.3f}s")
    lines = sum(text.count("\n") for text in result.files.values())
    print(f"files={len(result.files)} lines={lines}")
    best, slowest, cpu, stages = time_compiles(document)
    print(
        f"synthetic warm, after an edit {best:.3f}s (cpu {cpu:.3f}s; best of {SAMPLE_REPETITIONS}, "
        f"slowest {slowest:.3f}s; {' '.join(f'{stage} {s:.3f}' for stage, s in stages.items())})"
    )
    print(f"compile_1000_nodes_warm_s={best:.3f}")
    time_completions(document)
    samples_compiled = time_samples()
    print(f"compile_1000_nodes_s={elapsed:.3f}")
    return 0 if samples_compiled else 1


if __name__ == "__main__":
    sys.exit(main())
