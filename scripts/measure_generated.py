"""Measures the generated code of each sample project: its size, and how stable it stays.

    .venv/bin/python scripts/measure_generated.py [-v]

For each sample it prints the lines of its generated workflow modules, then inserts one node
(a Timer, a Wait gate, a Retry holding a Timer) into the middle of the main flow of its largest
workflow, between two steps that follow one another, and diffs the code generated before and
after. Lines the new node's own code takes (as the source map says) are left out. Of the
rest, `added` are lines the new node brings elsewhere the first time its kind appears (a
helper method, an import, the query listing gates), and `rewritten` are lines of existing
code changed or removed: churn a reviewer would read for no reason (renamed locals). The last
line is `insert_rewritten_lines=<rewritten, summed over samples and kinds>`; the target is 0.
`-v` prints the lines.
"""

from __future__ import annotations

import copy
import difflib
import json
import sys
from typing import Any

import samples
from compiler import compile_project

SAMPLES = {
    "package_management": "package-management",
    "plan_writer": "plan-writer",
    "feature_pipeline": "feature-pipeline",
    "autonomous_dev": "autonomous-dev",
}
"""The name each sample is reported by -> its project id (`samples/<id>.json`)."""
INSERTED = "inserted_pause"


def compiled(document: dict[str, Any]) -> dict[str, str]:
    result = compile_project(document)
    if not result.ok:
        errors = [d.format() for d in result.diagnostics if d.severity == "error"]
        raise SystemExit("\n".join(errors))
    return dict(result.files)


def workflow_lines(files: dict[str, str]) -> int:
    return sum(text.count("\n") for path, text in files.items() if path.startswith("workflows/"))


def insertion_point(workflow: dict[str, Any]) -> dict[str, Any]:
    """An `out` edge between two top-level steps, as near the middle of the flow as there is."""
    top = {n["id"]: n for n in workflow["nodes"] if not n.get("parent_id")}
    steps = {"activity", "agent", "set_state", "timer", "child_workflow", "signal_external"}
    candidates: list[dict[str, Any]] = [
        edge
        for edge in workflow["edges"]
        if edge.get("source_handle") in (None, "out")
        and top.get(edge["source"], {}).get("type") in steps
        and top.get(edge["target"], {}).get("type") in steps
    ]
    if not candidates:
        raise SystemExit(f"{workflow['id']}: no two top-level steps follow one another")
    return candidates[len(candidates) // 2]


INSERTIONS = {
    # a step that names no local of its own
    "timer": ({"duration": "1s"}, "out"),
    # a step whose code claims locals (the gate's entry and decision): their names must not
    # shift the names of the gates after it
    "wait": ({"approved_when": "True"}, "approved"),
    # a container: the names it binds for its body (`attempt`) must not shift those of the
    # containers after it
    "retry": ({"backoff": "fixed", "max_attempts": 2}, "out"),
}


def with_inserted_node(document: dict[str, Any], kind: str) -> tuple[dict[str, Any], str]:
    changed = copy.deepcopy(document)
    workflow = max(changed["workflows"], key=lambda w: len(w["nodes"]))
    edge = insertion_point(workflow)
    config, port = INSERTIONS[kind]
    workflow["edges"].remove(edge)
    workflow["nodes"].append({"id": INSERTED, "type": kind, "label": "Inserted", "config": config})
    if kind == "retry":
        workflow["nodes"].append(
            {
                "id": f"{INSERTED}_body",
                "type": "timer",
                "label": "Inside",
                "parent_id": INSERTED,
                "config": {"duration": "1s"},
            }
        )
    workflow["edges"] += [
        {"id": f"{edge['source']}->{INSERTED}", "source": edge["source"], "target": INSERTED},
        {
            "id": f"{INSERTED}->{edge['target']}",
            "source": INSERTED,
            "source_handle": port,
            "target": edge["target"],
        },
    ]
    return changed, workflow["id"]


def churn(before: dict[str, str], after: dict[str, str], own: tuple[str, int, int]) -> list[str]:
    """Lines removed, and lines added outside the new node's own lines (file, first, last)."""
    found: list[str] = []
    for path in sorted(set(before) | set(after)):
        if not path.endswith(".py"):
            continue
        old = before.get(path, "").splitlines()
        new = after.get(path, "").splitlines()
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            found += [f"{path}:{i + 1}: - {old[i]}" for i in range(i1, i2)]
            for j in range(j1, j2):
                inside = own[0].endswith(path) and own[1] <= j + 1 <= own[2]
                if not inside:
                    found.append(f"{path}:{j + 1}: + {new[j]}")
    return found


def own_lines(after: dict[str, str], workflow_id: str) -> tuple[str, int, int]:
    placed = json.loads(after["sourcemap.json"])[workflow_id][INSERTED]
    return str(placed["file"]), int(placed["start"]), int(placed["end"])


def main() -> int:
    total = 0
    for name, project_id in SAMPLES.items():
        document = samples.load(project_id)
        before = compiled(document)
        figures: list[str] = []
        workflow_id = ""
        for kind in INSERTIONS:
            changed, workflow_id = with_inserted_node(document, kind)
            after = compiled(changed)
            lines = churn(before, after, own_lines(after, workflow_id))
            rewritten = [line for line in lines if ": - " in line]
            total += len(rewritten)
            figures.append(
                f"{kind}: rewritten={len(rewritten)} added={len(lines) - len(rewritten)}"
            )
            if "-v" in sys.argv:
                print("\n".join(lines))
        print(
            f"{name}: workflow_lines={workflow_lines(before)} insert_into={workflow_id}; "
            + "; ".join(figures)
        )
    print(f"insert_rewritten_lines={total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
