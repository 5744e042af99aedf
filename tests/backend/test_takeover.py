"""Deploying over a deployment whose executions still run: the new version takes over its task
queue only when their histories replay on the new code, by patching where they would not; a
deployment with executions running is not stopped by accident. On the embedded Temporal.

The versions (tests/support/changes.py): version 1 runs a, waits at a gate, naps, runs b;
another runs a new step c before a, where executions waiting at the gate ran a.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle

from tests.backend.runtime_support import (
    RuntimeApp,
    RuntimeAppFactory,
    deploy,
    deploy_beside,
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
    chooser,
    failed_tasks,
    forever_c_first,
    forever_one,
    start_waiting,
    until_activities_done,
    version_c_first,
    version_one,
)
from tests.support.harness import unique_id
from tests.support.waits import Patience

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeApp]:
    factory = RuntimeAppFactory([])
    try:
        yield factory.start(runtime_settings(tmp_path_factory.mktemp("takeover")))
    finally:
        factory.stop_all()


async def next_run(client: Client, first: WorkflowHandle[Any, Any]) -> WorkflowHandle[Any, Any]:
    """The run that followed `first`'s continue-as-new, once it has started."""
    patience = Patience(60)
    while not patience.over():
        latest = await client.get_workflow_handle(first.id).describe()
        if latest.run_id != first.result_run_id:
            return client.get_workflow_handle(first.id, run_id=latest.run_id)
        await asyncio.sleep(0.1)
    raise AssertionError(f"{first.id} did not continue as new")


async def test_a_takeover_that_would_break_running_executions_is_refused_until_patched(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    project_id = unique_id("takeover")
    old, client, waiting = await waiting_before_a_change(api, project_id, 2)
    deployments = f"/api/projects/{project_id}/deployments"

    check = api.post(f"{deployments}/check", json={"replaces": old["id"]})
    refused = api.post(deployments, json={"replaces": old["id"]})

    assert check.status_code == 200, check.text
    found = check.json()
    assert found["ok"] is False
    assert found["running"] == 2
    assert [d["running"] for d in found["divergences"]] == [True, True]
    assert {d["workflow_id"] for d in found["divergences"]} == {h.id for h in waiting}
    assert found["summary"] == [
        'flow: 2 running executions would fail at node "a" (activity changed: the history ran '
        "'step_one' here, the new code runs 'step_three' (node \"c\"))"
    ]
    # flow ends: it is best deployed beside, its executions finishing on their version
    assert found["recommended"] == "versioning"
    assert [(w["workflow_id"], w["way"], w["unpatchable"]) for w in found["ways"]] == [
        ("flow", "versioning", [])
    ]
    assert refused.status_code == 409, refused.text
    assert "would break executions running there" in refused.json()["detail"]
    assert (
        "deploy beside it as a new version (`versioning`): flow: it ends"
        in refused.json()["detail"]
    )
    assert refused.json()["check"]["ok"] is False
    # nothing changed: the old deployment still serves its executions, alone
    listed = api.get(deployments).json()
    assert [(d["id"], d["desired"]) for d in listed] == [(old["id"], "running")]
    assert listed[0]["running_executions"] == 2

    patched = api.post(deployments, json={"replaces": old["id"], "patch": True})

    assert patched.status_code == 201, patched.text
    new = patched.json()
    assert new["task_queue"] == old["task_queue"]
    assert new["replaces"] == old["id"]
    assert [(p["node_id"], p["path"]) for p in new["patches"]] == [("c", "new")]
    wait_for(lambda: stopped(api, old["id"]), "the replaced deployment's worker to stop")
    wait_until_running(api, new["id"])
    for handle in waiting:
        await handle.signal("go")
    for handle in waiting:
        await handle.result()
        events = [e async for e in handle.fetch_history_events()]
        assert failed_tasks(events) == [], "no nondeterminism error on the new version"
        assert activities_run(events) == ["step_one", "step_two"]
    fresh = await start_waiting(client, old["task_queue"], 1)
    await fresh[0].signal("go")
    await fresh[0].result()
    events = [e async for e in fresh[0].fetch_history_events()]
    assert activities_run(events) == ["step_three", "step_one", "step_two"]
    # the replaced deployment cannot start again while the new one serves its executions
    again = api.post(f"/api/deployments/{old['id']}/start")
    assert again.status_code == 409
    assert new["id"] in again.json()["detail"]


async def test_a_changed_condition_is_named_and_patched_at_its_node_on_deploy(
    shared_app: RuntimeApp,
) -> None:
    """Version 1 took c for size 3 (`input.size > 5` fails); version 2 takes b (`input.size >
    1`). The check names the condition; deployed over with patching, the executions that chose
    on version 1 finish as they chose, and a new one takes the new branch."""
    api = shared_app.api
    project_id = unique_id("choice")
    old = deploy(api, chooser(project_id, "condition", "input.size > 5"))
    client = await temporal_client(api)
    waiting = [
        await client.start_workflow(
            "flow", {"size": 3}, id=unique_id("flow"), task_queue=old["task_queue"]
        )
        for _ in range(2)
    ]
    for handle in waiting:
        await until_activities_done(handle, 2)
    store(api, chooser(project_id, "condition", "input.size > 1"))
    deployments = f"/api/projects/{project_id}/deployments"

    check = api.post(f"{deployments}/check", json={"replaces": old["id"]})
    assert check.status_code == 200, check.text
    assert check.json()["summary"] == [
        'flow: 2 running executions would fail at node "check" (condition changed: the '
        "history took its 'false' path (node \"c\" ran 'step_three'), the new code takes "
        "'true' (node \"b\" runs 'step_two'))"
    ]
    patched = api.post(deployments, json={"replaces": old["id"], "patch": True})

    assert patched.status_code == 201, patched.text
    new = patched.json()
    assert [(p["node_id"], p["path"]) for p in new["patches"]] == [("check", "new")]
    wait_until_running(api, new["id"])
    for handle in waiting:
        await handle.signal("go")
        await handle.result()
        events = [e async for e in handle.fetch_history_events()]
        assert failed_tasks(events) == [], "no nondeterminism error on the new version"
        assert activities_run(events) == ["step_one", "step_three"]
    fresh = await client.start_workflow(
        "flow", {"size": 3}, id=unique_id("flow"), task_queue=old["task_queue"]
    )
    await until_activities_done(fresh, 2)
    await fresh.signal("go")
    await fresh.result()
    events = [e async for e in fresh.fetch_history_events()]
    assert activities_run(events) == ["step_one", "step_two"]


async def test_a_label_timeout_and_retry_change_takes_over_without_a_patch(
    shared_app: RuntimeApp,
) -> None:
    """The replay does not compare an activity's timeouts or retry policy: the execution that
    ran a with the old ones replays, and needs no patch."""
    api = shared_app.api
    project_id = unique_id("neutral")
    document = version_one(project_id)
    old = deploy(api, document)
    client = await temporal_client(api)
    waiting = await start_waiting(client, old["task_queue"], 1)
    changed = json.loads(json.dumps(document))
    for item in changed["workflows"][0]["nodes"]:
        if item["id"] == "a":
            item["label"] = "First step, renamed"
            item["config"]["start_to_close_timeout"] = "45s"
            item["config"]["retry"] = {"maximum_attempts": 7, "initial_interval": "3s"}
    store(api, changed)

    answer = api.post(f"/api/projects/{project_id}/deployments", json={"replaces": old["id"]})

    assert answer.status_code == 201, answer.text
    assert answer.json()["patches"] == []
    new = wait_until_running(api, answer.json()["id"])
    assert new["task_queue"] == old["task_queue"]
    await waiting[0].signal("go")
    await waiting[0].result()
    events = [e async for e in waiting[0].fetch_history_events()]
    assert failed_tasks(events) == []


async def test_a_deployment_with_running_executions_stops_only_when_forced(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    deployment = deploy(api, version_one(unique_id("busy")))
    client = await temporal_client(api)
    waiting = await start_waiting(client, deployment["task_queue"], 1)
    stop = f"/api/deployments/{deployment['id']}/stop"

    refused = api.post(stop)

    assert refused.status_code == 409
    assert refused.json()["running_executions"] == 1
    assert "1 execution runs on" in refused.json()["detail"]
    assert api.get(f"/api/deployments/{deployment['id']}").json()["desired"] == "running"
    forced = api.post(stop, params={"force": "true"})
    assert forced.status_code == 200
    assert forced.json()["desired"] == "stopped"
    await waiting[0].cancel()


async def test_a_later_takeover_deprecates_the_patches_executions_recorded(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    project_id = unique_id("chain")
    deployments = f"/api/projects/{project_id}/deployments"
    first, client, older = await waiting_before_a_change(api, project_id, 1)
    answer = api.post(deployments, json={"replaces": first["id"], "patch": True})
    assert answer.status_code == 201, answer.text
    second = wait_until_running(api, answer.json()["id"])
    (patch_id,) = {p["patch_id"] for p in second["patches"]}
    # one execution of the second version, which records the patch, still runs
    newer = await start_waiting(client, second["task_queue"], 1)
    await older[0].signal("go")
    await older[0].result()
    relabelled = version_c_first(project_id)
    relabelled["workflows"][0]["nodes"][0]["label"] = "Begin"
    store(api, relabelled)

    check = api.post(f"{deployments}/check", json={"replaces": second["id"]})
    answer = api.post(deployments, json={"replaces": second["id"]})

    assert check.status_code == 200, check.text
    assert check.json()["ok"] is True, check.json()["summary"]
    assert answer.status_code == 201, answer.text
    third = wait_until_running(api, answer.json()["id"])
    assert [(p["patch_id"], p["path"], p["node_id"]) for p in third["patches"]] == [
        (patch_id, "deprecated", "c")
    ]
    code = shared_app.settings.data_dir / "deployments" / third["id"] / third["package"]
    assert f'workflow.deprecate_patch("{patch_id}")' in (code / "workflows" / "flow.py").read_text()
    await newer[0].signal("go")
    await newer[0].result()
    events = [e async for e in newer[0].fetch_history_events()]
    assert failed_tasks(events) == []
    assert activities_run(events) == ["step_three", "step_one", "step_two"]


def test_a_refusal_names_the_way_that_would_work() -> None:
    from backend.models import DeploymentCheckPublic, WayPublic
    from backend.services.takeover import refusal

    endless = WayPublic(
        workflow_id="monitor",
        way="patching",
        reason=(
            "it may run for ever (it continues as new), so versioned it would stay on the old "
            "version (until it continues as new, if it does); patching changes it at once"
        ),
        unpatchable=[],
    )
    short = WayPublic(
        workflow_id="build",
        way="versioning",
        reason="it ends, so its running executions can finish on the version they began on",
        unpatchable=[],
    )
    check = DeploymentCheckPublic(
        replaces="old",
        ok=False,
        running=3,
        closed=0,
        summary=['monitor: 3 running executions would fail at node "which" (condition changed)'],
        divergences=[],
        patches=[],
        recommended="patching",
        ways=[endless, short],
    )
    unpatched = refusal(check, patched=False)
    assert unpatched.startswith("deploying over old would break executions running there: ")
    assert "deploy over it with patching (`patch`): monitor: it may run for ever" in unpatched
    assert "build" not in unpatched
    # patched and still refused: only deploying beside is left
    still = refusal(check, patched=True)
    assert "deploy beside it as a new version (`versioning`): the patched code" in still


async def test_a_new_version_beside_keeps_running_executions_pinned_until_they_end(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    project_id = unique_id("pinned")
    old, client, waiting = await waiting_before_a_change(api, project_id, 1)
    deployments = f"/api/projects/{project_id}/deployments"

    answer = api.post(deployments, json={"replaces": old["id"], "versioning": True})

    assert answer.status_code == 201, answer.text
    new = answer.json()
    assert new["task_queue"] == old["task_queue"]
    assert new["replaces"] == old["id"]
    wait_until_running(api, new["id"])
    # a new execution on the task queue runs the new version's code
    fresh = await start_waiting(client, old["task_queue"], 1)
    await fresh[0].signal("go")
    await fresh[0].result()
    events = [e async for e in fresh[0].fetch_history_events()]
    assert activities_run(events) == ["step_three", "step_one", "step_two"]
    # each version lists the runs pinned to it, not every run on the shared queue (visibility
    # may take a moment to show the last)
    for deployment, pinned in ((old, waiting[0]), (new, fresh[0])):
        runs_path = f"/api/deployments/{deployment['id']}/runs"

        def runs_listed(path: str = runs_path) -> list[str] | None:
            return [run["workflow_id"] for run in api.get(path).json()] or None

        assert wait_for(runs_listed, f"the runs of {deployment['id']}") == [pinned.id]
    # a run opens on the version it ran on, not on the deployment named after the queue
    assert api.get(f"/api/runs/{fresh[0].id}").json()["deployment_id"] == new["id"]
    assert api.get(f"/api/runs/{waiting[0].id}").json()["deployment_id"] == old["id"]
    # a run started from the old version would run the new one's code: refused, naming it
    refused_run = api.post(f"/api/deployments/{old['id']}/runs", json={"workflow": "flow"})
    assert refused_run.status_code == 409, refused_run.text
    assert refused_run.json()["current_version"] == new["id"]
    assert f"start the run from {new['id']}" in refused_run.json()["detail"]
    assert api.post(f"/api/runs/{waiting[0].id}/rerun").status_code == 409
    started = api.post(f"/api/deployments/{new['id']}/runs", json={"workflow": "flow"})
    assert started.status_code == 201, started.text
    assert started.json()["deployment_id"] == new["id"]
    await client.get_workflow_handle(started.json()["workflow_id"]).terminate("seen")
    # the old version keeps serving the execution pinned to it, and is not stopped under it
    assert api.get(f"/api/deployments/{old['id']}").json()["desired"] == "running"
    # each version counts the executions pinned to it, not all those on the shared queue
    assert api.get(f"/api/deployments/{old['id']}").json()["running_executions"] == 1
    by_id = {d["id"]: d for d in api.get(deployments).json()}
    assert by_id[old["id"]]["running_executions"] == 1
    assert by_id[new["id"]]["running_executions"] == 0
    refused = api.post(f"/api/deployments/{old['id']}/stop")
    assert refused.status_code == 409, refused.text
    assert refused.json()["running_executions"] == 1
    assert api.get(f"/api/deployments/{old['id']}").json()["desired"] == "running"
    description = await waiting[0].describe()
    versioning = description.raw_description.workflow_execution_info.versioning_info
    assert versioning.deployment_version.deployment_name == old["task_queue"]
    await waiting[0].signal("go")
    await waiting[0].result()
    events = [e async for e in waiting[0].fetch_history_events()]
    assert failed_tasks(events) == [], "no nondeterminism error: it ended on its own version"
    assert activities_run(events) == ["step_one", "step_two"]
    # drained: the old version's worker stops
    wait_for(lambda: stopped(api, old["id"]), "the drained deployment's worker to stop")
    assert api.get(f"/api/deployments/{old['id']}").json()["desired"] == "stopped"
    assert api.get(f"/api/deployments/{new['id']}").json()["status"] == "running"


async def test_a_workflow_that_continues_as_new_moves_to_the_new_version_at_its_next_run(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    project_id = unique_id("rounds")
    old = deploy(api, forever_one(project_id))
    client = await temporal_client(api)
    first = (await start_waiting(client, old["task_queue"], 1))[0]
    store(api, forever_c_first(project_id))
    new = deploy_beside(api, project_id, old["id"])
    try:
        # the gate opens: the run continues as new, and its next run starts on the new version
        await first.signal("go")
        following = await next_run(client, first)
        await until_activities_done(following, 2)
        events = [e async for e in following.fetch_history_events()]
        assert activities_run(events) == ["step_three", "step_one"], "the new version's code"
        described = await following.describe()
        version = described.raw_description.workflow_execution_info.versioning_info
        assert version.deployment_version.deployment_name == new["task_queue"]
        assert version.behavior == 1  # VERSIONING_BEHAVIOR_PINNED: it stays there
        # the first run ended on its own version, with no nondeterminism error
        ended = client.get_workflow_handle(first.id, run_id=first.result_run_id)
        old_run = [e async for e in ended.fetch_history_events()]
        assert failed_tasks(old_run) == [] and activities_run(old_run) == ["step_one"]
        # nothing runs on the old version any more: its worker stops
        wait_for(lambda: stopped(api, old["id"]), "the drained deployment's worker to stop")
    finally:
        await client.get_workflow_handle(first.id).terminate("the test is over")
