"""Fixtures and helpers for tests that deploy projects on the embedded Temporal.

A test takes `runtime_app` (the app with its own runtime: a Temporal dev server of its own on
a temporary data directory, stopped with every worker when the test ends, whatever happens),
deploys with `deploy(...)` and reaches Temporal with `temporal_client(...)`:

    async def test_it_runs(runtime_app: RuntimeApp) -> None:
        deployment = deploy(runtime_app.api, greeting_project("my-test"))
        client = await temporal_client(runtime_app.api)
        result = await client.execute_workflow(
            "greet", {"name": "Ada"}, id=unique_id("greet"), task_queue=deployment["task_queue"]
        )

`runtime_app` and `runtime_apps` (a factory: `start(settings)` several apps, `stop(app)` one,
as a restart of `wfd serve` does) are registered in tests/backend/conftest.py. A module that
wants one app for all its tests builds it from `RuntimeAppFactory` in a module-scoped fixture
(see tests/backend/test_runtime.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from temporalio.client import Client, WorkflowHandle

from backend.app import create_app
from backend.runtime.access import RuntimeAccess
from backend.runtime.host import Runtime
from backend.runtime.temporal import connect
from backend.settings import Settings
from tests.support.changes import start_waiting, version_c_first, version_one
from tests.support.harness import chain, node, project
from tests.support.waits import Patience

DEADLINE = 120.0
"""Seconds any wait may take on an idle machine (longer on a busy one): a broken one fails
after this."""

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T | None], what: str, deadline: float = DEADLINE, every: float = 0.1
) -> T:
    """Poll `condition` until it gives something other than None or False; that value. The
    deadline stretches while the machine is busy (`Patience`)."""
    patience = Patience(deadline)
    while True:
        value = condition()
        if value is not None and value is not False:
            return value
        if patience.over():
            raise AssertionError(f"waited {patience.waited:.0f} s for {what}")
        time.sleep(every)


def runtime_settings(folder: Path, **changes: Any) -> Settings:
    """An app with a runtime of its own: SQLite and the data directory under `folder`."""
    settings = Settings(
        database_url=f"sqlite:///{folder / 'data' / 'wfd.db'}",
        data_dir=folder / "data",
        temporal="embedded",
        runtime="app",
    )
    return replace(settings, **changes)


@dataclass
class RuntimeApp:
    api: TestClient
    settings: Settings

    @property
    def access(self) -> RuntimeAccess:
        access: RuntimeAccess = self.api.app.state.runtime  # type: ignore[attr-defined]
        return access

    @property
    def runtime(self) -> Runtime:
        assert self.access.runtime is not None, "the app runs no runtime"
        return self.access.runtime


@dataclass
class RuntimeAppFactory:
    """Starts apps with runtimes; each is stopped when the test ends (or by `stop`)."""

    started: list[TestClient]

    def start(self, settings: Settings) -> RuntimeApp:
        api = TestClient(create_app(settings))
        api.__enter__()
        self.started.append(api)
        running = RuntimeApp(api, settings)
        if settings.runtime == "app" and settings.temporal != "off":
            running.runtime.wait_until_up()
        return running

    def stop(self, running: RuntimeApp) -> None:
        """What stopping `wfd serve` does: every worker, then Temporal."""
        self.started.remove(running.api)
        running.api.__exit__(None, None, None)

    def stop_all(self) -> None:
        while self.started:
            self.started.pop().__exit__(None, None, None)


@pytest.fixture
def runtime_apps() -> Iterator[RuntimeAppFactory]:
    factory = RuntimeAppFactory([])
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def runtime_app(runtime_apps: RuntimeAppFactory, tmp_path: Path) -> RuntimeApp:
    """The app on a temporary data directory, with its own embedded Temporal, up."""
    return runtime_apps.start(runtime_settings(tmp_path))


# --- deploying --------------------------------------------------------------------------------


def greeting_project(project_id: str, delay_seconds: float = 0.0) -> dict[str, Any]:
    """One workflow `greet`: a simulated activity turns {name} into `hello <name>`."""
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
                        "say",
                        "activity",
                        activity="say_hello",
                        args={"name": "input.name"},
                        result="greeting",
                    ),
                    node("finish", "end", value="greeting"),
                ],
                "edges": chain("start", "say", "finish"),
            }
        ],
        activities=[
            {
                "name": "say_hello",
                "input": {"name": "str"},
                "output": "str",
                "implementation": {
                    "kind": "simulate",
                    "result": "hello {name}",
                    "delay_seconds": delay_seconds,
                },
            }
        ],
    )


def deploy(
    api: TestClient, document: dict[str, Any], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Store the project, deploy it and wait until its worker polls; the deployment."""
    stored = api.post("/api/import", json=document, params={"overwrite": "true"})
    assert stored.status_code == 201, stored.text
    answer = api.post(f"/api/projects/{document['id']}/deployments", json=body)
    assert answer.status_code in (200, 201), answer.text
    return wait_until_running(api, answer.json()["id"])


def deploy_beside(api: TestClient, project_id: str, old_id: str) -> dict[str, Any]:
    """Deploy the stored project as a new version beside deployment `old_id`, on its task queue
    (Worker Deployment versioning), and wait until its worker polls; the new deployment."""
    answer = api.post(
        f"/api/projects/{project_id}/deployments",
        json={"replaces": old_id, "versioning": True},
    )
    assert answer.status_code == 201, answer.text
    return wait_until_running(api, answer.json()["id"])


def store(api: TestClient, document: dict[str, Any]) -> None:
    """Store the project (replacing it), without deploying."""
    answer = api.post("/api/import", json=document, params={"overwrite": "true"})
    assert answer.status_code == 201, answer.text


async def waiting_before_a_change(
    api: TestClient, project_id: str, count: int
) -> tuple[dict[str, Any], Client, list[WorkflowHandle[Any, Any]]]:
    """Deploy version 1 of the changes project, start `count` executions that wait at its gate,
    then store version C-first without deploying it: the deployment, a client of its Temporal
    and the waiting executions."""
    old = deploy(api, version_one(project_id))
    client = await temporal_client(api)
    waiting = await start_waiting(client, old["task_queue"], count)
    store(api, version_c_first(project_id))
    return old, client, waiting


def stopped(api: TestClient, deployment_id: str) -> dict[str, Any] | None:
    """The deployment once its worker has stopped."""
    found: dict[str, Any] = api.get(f"/api/deployments/{deployment_id}").json()
    return found if found["status"] == "stopped" else None


def wait_until_running(
    api: TestClient, deployment_id: str, pid: int | None = None
) -> dict[str, Any]:
    """The deployment once its worker polls its task queue (with another pid than `pid`)."""

    def running() -> dict[str, Any] | None:
        found: dict[str, Any] = api.get(f"/api/deployments/{deployment_id}").json()
        if found["status"] == "running" and found["pid"] != pid:
            return found
        return None

    return wait_for(running, f"deployment {deployment_id!r} to run")


async def temporal_client(api: TestClient) -> Client:
    """A client of the test's own (on the test's event loop) for the app's Temporal."""
    access: RuntimeAccess = api.app.state.runtime  # type: ignore[attr-defined]
    assert access.target is not None, "the app has no Temporal"
    return await connect(access.target)


def process_exists(pid: int) -> bool:
    """A live process (not a zombie waiting to be reaped) has this pid."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children_of(pid: int) -> list[int]:
    """The pids of a process's children (from every thread of it)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
