"""Project and workflow documents the backend tests store, change and compare."""

from __future__ import annotations

import itertools
from typing import Any

from language.document import Workflow


def workflow(workflow_id: str = "main", steps: int = 2, name: str = "") -> dict[str, Any]:
    """start -> `steps` activity calls -> end; a document the compiler accepts."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start", "label": "Start"}]
    for index in range(1, steps + 1):
        nodes.append(
            {
                "id": f"step{index}",
                "type": "activity",
                "label": f"Step {index}",
                "position": {"x": 0.0, "y": 100.0 * index},
                "config": {
                    "activity": "work",
                    "args": {"item": "input.item"},
                    "result": f"r{index}",
                },
            }
        )
    last = f"r{steps}" if steps else "0"
    nodes.append({"id": "end", "type": "end", "label": "End", "config": {"value": last}})
    chain = [node["id"] for node in nodes]
    return {
        "id": workflow_id,
        "name": name or workflow_id,
        "input": {"item": "str"},
        "output": "int",
        "nodes": nodes,
        "edges": [
            {"id": f"{a}->{b}", "source": a, "target": b} for a, b in itertools.pairwise(chain)
        ],
    }


def project(
    project_id: str = "demo", workflows: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": project_id,
        "name": f"Project {project_id}",
        "description": "made by the backend tests",
        "task_queue": project_id,
        "types": {"Report": {"fields": {"count": "int", "notes": "list[str]"}}},
        "activities": [
            {
                "name": "work",
                "input": {"item": "str"},
                "output": "int",
                "implementation": {"kind": "simulate", "result": 1},
            }
        ],
        "workflows": workflows if workflows is not None else [workflow()],
    }


def settings_of(document: dict[str, Any]) -> dict[str, Any]:
    """A project document's settings: what POST /api/projects takes, plus its id."""
    return {k: v for k, v in document.items() if k not in ("schema_version", "workflows")}


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """A workflow document as the API gives it back: every default filled in."""
    return Workflow.model_validate(document).model_dump(mode="json")
