"""Shared helpers: build small projects, compile them into importable packages, run workers."""

from __future__ import annotations

import importlib
import itertools
import json
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from compiler import CompileResult, compile_project


def project(
    project_id: str,
    workflows: list[dict[str, Any]],
    activities: list[dict[str, Any]] | None = None,
    types: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A schema_version 1 project document."""
    return {
        "schema_version": 1,
        "id": project_id,
        "name": project_id,
        "task_queue": project_id,
        "types": types or {},
        "activities": activities or [],
        "workflows": workflows,
    }


def golden_project(case: str, project_id: str) -> dict[str, Any]:
    """A golden case's document (tests/compiler/golden/<case>/project.json) under its own
    project id, so that the package compiled from it does not clash with another test's."""
    path = Path(__file__).parent.parent / "compiler" / "golden" / case / "project.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    document["id"] = project_id
    return document


def chain(*node_ids: str) -> list[dict[str, Any]]:
    """Edges `out` -> `in` between consecutive nodes."""
    return [{"id": f"{a}->{b}", "source": a, "target": b} for a, b in itertools.pairwise(node_ids)]


def edge(source: str, target: str, handle: str = "out") -> dict[str, Any]:
    return {
        "id": f"{source}:{handle}->{target}",
        "source": source,
        "source_handle": handle,
        "target": target,
    }


def node(
    node_id: str, kind: str, label: str = "", parent: str | None = None, **config: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": node_id,
        "type": kind,
        "label": label or node_id,
        "config": config,
    }
    if parent is not None:
        item["parent_id"] = parent
    return item


def workflow(
    workflow_id: str,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    inputs: dict[str, str] | None = None,
    output: str = "None",
    state: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A workflow document named after its id."""
    return {
        "id": workflow_id,
        "name": workflow_id,
        "input": inputs or {},
        "output": output,
        "state": state or [],
        "nodes": nodes,
        "edges": edges,
    }


def simulated(
    name: str, inputs: dict[str, str], output: str, result: Any, **behaviour: Any
) -> dict[str, Any]:
    """A catalogue activity with a `simulate` implementation."""
    return {
        "name": name,
        "input": inputs,
        "output": output,
        "implementation": {"kind": "simulate", "result": result, **behaviour},
    }


def assign(node_id: str, parent: str | None = None, **targets: str) -> dict[str, Any]:
    """A set_state node; keyword `state_x` assigns `state.x`, any other keyword a local name."""
    assignments = [
        {"target": f"state.{key[6:]}" if key.startswith("state_") else key, "value": value}
        for key, value in targets.items()
    ]
    return node(node_id, "set_state", parent=parent, assignments=assignments)


def unique_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def compile_ok(document: dict[str, Any]) -> CompileResult:
    result = compile_project(document)
    errors = [d.format() for d in result.diagnostics if d.severity == "error"]
    assert result.ok, "\n".join(errors)
    return result


def write_package(result: CompileResult, folder: Path) -> Path:
    root = folder / result.package
    for relative, text in result.files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def import_package(document: dict[str, Any], folder: Path) -> dict[str, ModuleType]:
    """Compile, write under `folder` and import the package as real modules.

    Each test must use its own project id: the package name comes from it, and the workflow
    sandbox re-imports workflow modules by name.
    """
    result = compile_ok(document)
    write_package(result, folder)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    modules = {"package": importlib.import_module(result.package)}
    for name in ("models", "activities", "worker", "starter"):
        modules[name] = importlib.import_module(f"{result.package}.{name}")
    return modules


@asynccontextmanager
async def running_worker(client: Client, modules: dict[str, ModuleType]) -> AsyncIterator[str]:
    """A worker for the package on a fresh task queue; yields the task queue."""
    task_queue = unique_id("tq")
    worker_module = modules["worker"]
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=worker_module.WORKFLOWS,
        activities=worker_module.ACTIVITIES,
    ):
        yield task_queue
