"""What `wfd compile` writes deploys without the designer: the folder builds into a wheel that
installs in a fresh virtual environment, whose worker runs the project's workflows on the dev
server, and ruff finds it clean with the settings it ships."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client

from tests.support.harness import chain, node, project, unique_id
from tests.support.waits import slowness

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent


class Greetings(BaseHTTPRequestHandler):
    """Answers `GET /greet/<name>` with `{"text": "Hello, <name>!"}`."""

    def do_GET(self) -> None:  # the name http.server calls
        name = self.path.rsplit("/", 1)[-1]
        body = json.dumps({"text": f"Hello, {name}!"}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def greeting_service() -> Iterator[str]:
    """A local HTTP service for the project's `http` activity; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Greetings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def greeter(project_id: str, service: str) -> dict[str, Any]:
    """A workflow whose one activity is an `http` request: the package needs httpx too."""
    return project(
        project_id,
        [
            {
                "id": "greet",
                "name": "Greet",
                "input": {"name": "str"},
                "output": "str",
                "nodes": [
                    node("start", "start"),
                    node(
                        "fetch",
                        "activity",
                        activity="fetch_greeting",
                        args={"name": "input.name"},
                        result="greeting",
                    ),
                    node("done", "end", value="greeting.text"),
                ],
                "edges": chain("start", "fetch", "done"),
            }
        ],
        activities=[
            {
                "name": "fetch_greeting",
                "input": {"name": "str"},
                "output": "Greeting",
                "implementation": {"kind": "http", "url": f"{service}/greet/{{name}}"},
            }
        ],
        types={"Greeting": {"fields": {"text": "str"}}},
    )


def run(command: list[str], timeout: float, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Runs a command to its end; its output becomes the failure when it fails."""
    outcome = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert outcome.returncode == 0, (
        f"{shlex.join(command)} failed (exit {outcome.returncode}):\n"
        f"{outcome.stdout}{outcome.stderr}"
    )
    return outcome.stdout


def uv() -> str | None:
    """The uv scripts/bootstrap installs (its cache makes an install quick), or one on PATH."""
    bootstrapped = ROOT / ".tools" / "bin" / "uv"
    return str(bootstrapped) if bootstrapped.exists() else shutil.which("uv")


def fresh_environment(folder: Path) -> Path:
    """A new virtual environment at `folder`, holding nothing of this project's; its python."""
    tool = uv()
    if tool:
        command = [tool, "venv", "--quiet", "--python", sys.executable, str(folder)]
    else:
        command = [sys.executable, "-m", "venv", str(folder)]
    run(command, 120 * slowness(), folder.parent)
    return folder / "bin" / "python"


def install(python: Path, out: Path) -> None:
    """`pip install OUT`: builds the wheel with the folder's build backend, from PyPI."""
    tool = uv()
    if tool:
        command = [tool, "pip", "install", "--quiet", "--python", str(python), str(out)]
    else:
        command = [str(python), "-m", "pip", "install", "--quiet", str(out)]
    run(command, 600 * slowness(), out.parent)


async def while_running(worker: subprocess.Popen[bytes], log: Path, awaitable: Awaitable[T]) -> T:
    """The awaitable's result; fails at once, with the worker's output, if the worker exits."""
    task = asyncio.ensure_future(awaitable)
    while not task.done():
        if worker.poll() is not None:
            task.cancel()
            raise AssertionError(f"the worker exited ({worker.returncode}):\n{log.read_text()}")
        await asyncio.wait({task}, timeout=0.5)
    return task.result()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30 * slowness())
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def test_the_compiled_folder_installs_and_its_worker_runs_from_a_fresh_environment(
    client: Client, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with greeting_service() as service:
        document = greeter(unique_id("deployable"), service)
        (tmp_path / "project.json").write_text(json.dumps(document))
        await asyncio.to_thread(
            run, [str(TOOLS / "wfd"), "compile", "project.json", "-o", str(out)], 120, tmp_path
        )
        package = tomllib.loads((out / "pyproject.toml").read_text())["project"]["name"]
        assert (out / package / "worker.py").is_file()

        # clean with the settings it ships, as a plain `ruff check` in the folder runs it
        for check in (["check"], ["format", "--check"]):
            await asyncio.to_thread(run, [str(TOOLS / "ruff"), *check, "--no-cache"], 120, out)

        python = await asyncio.to_thread(fresh_environment, tmp_path / "venv")
        await asyncio.to_thread(install, python, out)

        # the worker as the README starts it, from a folder where only the wheel provides it
        environment = {
            name: value
            for name, value in os.environ.items()
            if name not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
        }
        environment |= {
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": client.namespace,
        }
        log = tmp_path / "worker.log"
        with log.open("wb") as output:
            worker = subprocess.Popen(
                [str(python), "-m", f"{package}.worker"],
                cwd=tmp_path,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            wait = timedelta(seconds=120 * slowness())
            result = await while_running(
                worker,
                log,
                client.execute_workflow(
                    "greet",
                    {"name": "Ada"},
                    id=unique_id("greet"),
                    task_queue=document["task_queue"],
                    execution_timeout=wait,
                ),
            )
            assert result == "Hello, Ada!"

            # the README's start command, as printed, run in the same environment
            readme = (out / "README.md").read_text()
            (start,) = [line for line in readme.splitlines() if ".starter start greet" in line]
            command = shlex.split(start)
            assert command[0] == "python"
            printed = await while_running(
                worker,
                log,
                asyncio.to_thread(
                    run,
                    [str(python), *command[1:], "--wait"],
                    wait.total_seconds(),
                    tmp_path,
                    environment,
                ),
            )
            assert printed.startswith("started greet as greet-"), printed
            assert printed.rstrip().endswith('"Hello, name!"'), printed
        finally:
            stop(worker)
        assert worker.returncode == 0, f"the worker did not stop cleanly:\n{log.read_text()}"
