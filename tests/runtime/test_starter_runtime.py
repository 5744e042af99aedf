"""The generated starter, run as `python -m <package>.starter`, on the dev server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from temporalio.client import Client, WorkflowExecutionStatus

from tests.support.harness import compile_ok, node, project, unique_id, write_package


def run_starter(
    client: Client, folder: Path, package: str, *arguments: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(folder),
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
    }
    return subprocess.run(
        [sys.executable, "-m", f"{package}.starter", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


async def test_starting_a_running_workflow_again_is_refused_with_a_message(
    client: Client, tmp_path: Path
) -> None:
    service_id = unique_id("the-service")
    document = project(
        unique_id("starter-again"),
        [
            {
                "id": "service",
                "name": "Service",
                "input": {},
                "output": "None",
                "settings": {"id_template": service_id},
                "nodes": [
                    node("start", "start"),
                    node("wait", "timer", duration="1h"),
                    node("done", "end"),
                ],
                "edges": [
                    {"id": "a", "source": "start", "target": "wait"},
                    {"id": "b", "source": "wait", "target": "done"},
                ],
            }
        ],
    )
    result = compile_ok(document)
    write_package(result, tmp_path)
    first = run_starter(client, tmp_path, result.package, "start", "service")
    second = run_starter(client, tmp_path, result.package, "start", "service")
    handle = client.get_workflow_handle(service_id)
    described = await handle.describe()
    await handle.terminate("test over")

    # the id template names the one service; nothing runs it, so it stays running
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"started service as {service_id} ")
    assert described.status == WorkflowExecutionStatus.RUNNING
    # a second start is refused in one line, without a traceback
    assert second.returncode == 1
    assert second.stderr.startswith("error: ")
    assert "already started" in second.stderr.lower()
    assert "Traceback" not in second.stderr
    assert second.stdout == ""
