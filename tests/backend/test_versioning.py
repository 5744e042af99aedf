"""Worker versioning where the server's answer about it changes or is no: the fallback to a
task queue of its own, the support asked again, drained versions deleted from the server (by a
restarted runtime too). Each test runs its own Temporal dev server, configured as the case
needs (worker versioning off is `system.enableDeploymentVersions=false`, which the server then
refuses with PERMISSION_DENIED).

The versions (tests/support/changes.py): version 1 runs a, waits at a gate, runs b; the other
runs a new step c before a.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from temporalio.client import Client

from backend.runtime.process import ProcessSpec, SupervisedProcess
from backend.runtime.temporal import (
    TemporalTarget,
    deployment_versions,
    dev_server_command,
    free_port,
    wait_until_answering,
)
from tests.backend.runtime_support import (
    RuntimeAppFactory,
    deploy,
    deploy_beside,
    greeting_project,
    runtime_settings,
    stopped,
    store,
    temporal_client,
    wait_for,
    wait_until_running,
    waiting_before_a_change,
)
from tests.support.changes import (
    activities_run,
    failed_tasks,
    start_waiting,
    version_c_first,
    version_one,
)
from tests.support.harness import unique_id
from tests.support.waits import Patience

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

VERSIONING_OFF = "system.enableDeploymentVersions=false"
SHORT_POLLER_MEMORY = 'matching.PollerHistoryTTL="10s"'
"""The server lists a stopped worker among a task queue's pollers (and so refuses to delete
its version) for this long, instead of 5 minutes."""


@contextmanager
def dev_server(folder: Path, port: int, *config: str) -> Iterator[None]:
    """A Temporal dev server of the test's own on `port`, its state in `folder` (so a second
    one there is the first restarted), stopped when the block ends, whatever happens."""
    folder.mkdir(parents=True, exist_ok=True)
    command = dev_server_command(port, folder / "temporal.db", config)
    server = SupervisedProcess(
        ProcessSpec(name="test temporal", command=command, log_path=folder / "temporal.log")
    )
    server.start()
    try:
        yield
    finally:
        server.stop()


async def until_versions(
    client: Client, deployment_name: str, wanted: set[str], seconds: float
) -> set[str]:
    """The build ids the Worker Deployment lists, once they are `wanted` (or the wait ends)."""
    patience = Patience(seconds)
    while True:
        found = await deployment_versions(client, "default", deployment_name)
        if found == wanted or patience.over():
            return found
        await asyncio.sleep(0.5)


async def test_where_the_server_refuses_worker_deployments_a_version_beside_gets_a_queue_of_its_own(
    runtime_apps: RuntimeAppFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = runtime_apps.start(runtime_settings(tmp_path, temporal_dynamic_config=(VERSIONING_OFF,)))
    api = app.api
    project_id = unique_id("unversioned")
    old, client, [waiting] = await waiting_before_a_change(api, project_id, 1)

    with caplog.at_level(logging.WARNING, logger="wfd.deployments"):
        new = deploy_beside(api, project_id, old["id"])

    assert new["task_queue"] == new["id"] != old["task_queue"], "a task queue of its own"
    assert "on a task queue of its own" in caplog.text
    assert "PERMISSION_DENIED" in caplog.text, "the log says why: the server's answer"
    # the new code runs new executions on its own queue, unversioned
    fresh = (await start_waiting(client, new["task_queue"], 1))[0]
    await fresh.signal("go")
    await fresh.result()
    events = [e async for e in fresh.fetch_history_events()]
    assert activities_run(events) == ["step_three", "step_one", "step_two"]
    described = await fresh.describe()
    assert not described.raw_description.workflow_execution_info.HasField("versioning_info")
    # the old deployment keeps its queue and its execution, which ends on the old code
    assert api.get(f"/api/deployments/{old['id']}").json()["status"] == "running"
    await waiting.signal("go")
    await waiting.result()
    events = [e async for e in waiting.fetch_history_events()]
    assert failed_tasks(events) == []
    assert activities_run(events) == ["step_one", "step_two"]


async def test_the_runtime_asks_again_once_the_restarted_server_serves_worker_deployments(
    runtime_apps: RuntimeAppFactory, tmp_path: Path
) -> None:
    port = free_port()
    address = f"127.0.0.1:{port}"
    with dev_server(tmp_path / "temporal", port, VERSIONING_OFF):
        app = runtime_apps.start(
            runtime_settings(tmp_path, temporal="external", temporal_address=address)
        )
        api = app.api
        refused_then = deploy(api, version_one(unique_id("before")))
    # the operator restarts the server with worker versioning on; the app runs on
    with dev_server(tmp_path / "temporal", port):
        await wait_until_answering(TemporalTarget(address))
        project_id = unique_id("after")

        fresh = deploy(api, greeting_project(project_id))

        client = await temporal_client(api)
        handle = await client.start_workflow(
            "greet", {"name": "Ada"}, id=unique_id("greet"), task_queue=fresh["task_queue"]
        )
        assert await handle.result() == "hello Ada"
        described = await handle.describe()
        version = described.raw_description.workflow_execution_info.versioning_info
        assert version.deployment_version.build_id == fresh["build_id"], "pinned to its version"
        assert version.behavior == 1  # VERSIONING_BEHAVIOR_PINNED
        # the deployment whose worker started unversioned has no version to go beside: a
        # new version of it gets a task queue of its own, its executions keep theirs
        store(api, version_c_first(refused_then["project_id"]))
        beside = api.post(
            f"/api/projects/{refused_then['project_id']}/deployments",
            json={"replaces": refused_then["id"], "versioning": True},
        )
        assert beside.status_code == 201, beside.text
        assert beside.json()["task_queue"] == beside.json()["id"] != refused_then["task_queue"]
        wait_until_running(api, beside.json()["id"])
        runtime_apps.stop(app)  # its workers, before their server goes


async def test_a_drained_version_is_deleted_from_the_server(
    runtime_apps: RuntimeAppFactory, tmp_path: Path
) -> None:
    app = runtime_apps.start(
        runtime_settings(tmp_path, temporal_dynamic_config=(SHORT_POLLER_MEMORY,))
    )
    api = app.api
    project_id = unique_id("deleted")
    old, client, [waiting] = await waiting_before_a_change(api, project_id, 1)
    new = deploy_beside(api, project_id, old["id"])
    both = {old["build_id"], new["build_id"]}
    assert await until_versions(client, old["task_queue"], both, 60) == both

    await waiting.signal("go")
    await waiting.result()
    wait_for(lambda: stopped(api, old["id"]), "the drained deployment's worker to stop")

    # the server lists the stopped worker as a poller for 10 s more, then lets it go
    left = await until_versions(client, old["task_queue"], {new["build_id"]}, 90)
    assert left == {new["build_id"]}, "the drained version is gone, the current one stays"
    fresh = (await start_waiting(client, new["task_queue"], 1))[0]
    await fresh.signal("go")
    await fresh.result()
    assert activities_run([e async for e in fresh.fetch_history_events()])[0] == "step_three"


async def test_a_version_drained_before_a_restart_is_deleted_after_it(
    runtime_apps: RuntimeAppFactory, tmp_path: Path
) -> None:
    settings = runtime_settings(tmp_path)
    app = runtime_apps.start(settings)
    project_id = unique_id("restarted")
    old = deploy(app.api, version_one(project_id))
    client = await temporal_client(app.api)
    waiting = (await start_waiting(client, old["task_queue"], 1))[0]
    store(app.api, version_c_first(project_id))
    new = deploy_beside(app.api, project_id, old["id"])
    await waiting.signal("go")
    await waiting.result()
    wait_for(lambda: stopped(app.api, old["id"]), "the drained deployment's worker to stop")
    # the server lists the stopped worker among the pollers for 5 minutes (its default), so
    # refuses to delete the version; wfd serve stops meanwhile
    both = {old["build_id"], new["build_id"]}
    assert await deployment_versions(client, "default", old["task_queue"]) == both
    runtime_apps.stop(app)

    again = runtime_apps.start(settings)

    # the restarted server remembers no pollers: the new runtime deletes what the last drained
    client = await temporal_client(again.api)
    left = await until_versions(client, old["task_queue"], {new["build_id"]}, 60)
    assert left == {new["build_id"]}
