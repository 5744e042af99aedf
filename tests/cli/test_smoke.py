"""The hello example compiles, imports and runs on the real dev server."""

from __future__ import annotations

import json
from pathlib import Path

from temporalio.client import Client

from tests.support.harness import import_package, running_worker, unique_id

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello.json"


async def test_hello_example_runs(client: Client, package_dir: Path) -> None:
    document = json.loads(EXAMPLE.read_text())
    modules = import_package(document, package_dir)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        quiet = await client.execute_workflow(
            "greet",
            models.GreetInput(name="Ada", loud=False),
            id=unique_id("greet"),
            task_queue=task_queue,
        )
        loud = await client.execute_workflow(
            "greet",
            models.GreetInput(name="Bob", loud=True),
            id=unique_id("greet"),
            task_queue=task_queue,
        )
    assert quiet == "Hello, Ada!"
    assert loud == "Hello, Bob!!!"
