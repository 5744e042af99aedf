"""The Run panel's deployments in a browser, on `wfd serve` with its embedded Temporal: how many
executions run on each deployment, a new version deployed over one whose execution waits at a
gate (refused until patched, the nodes named by their labels), and a stop refused while an
execution runs there until forced.

The versions (tests/support/changes.py): version 1 runs a, waits at a gate (signal `go`), naps,
runs b; `version_c_first` runs a new step c before a, where the waiting execution ran a.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import save_artifact
from tests.browser.editor import node, open_editor

# the Run panel's server (wfd serve with its embedded Temporal, stopped on every path) and its
# waits scaled by the machine's load, as fixtures of this module too
from tests.browser.test_run import (  # noqa: F401
    patience,
    patient,
    run_api,
    run_server,
)
from tests.support.changes import version_c_first, version_one
from tests.support.harness import unique_id
from tests.support.waits import Patience

FIRST = "Fetch order"  # node a's label
ADDED = "Reserve stock"  # node c's label

SELECTED = re.compile(r"\bselected\b")

T = TypeVar("T")


def labelled(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its steps labelled as a user would (a label does not change the code)."""
    for item in document["workflows"][0]["nodes"]:
        item["label"] = {"a": FIRST, "c": ADDED}.get(item["id"], item["label"])
    return document


def wait_for(what: str, found: Callable[[], T | None], seconds: float = 60) -> T:
    deadline = Patience(seconds)
    while True:
        value = found()
        if value is not None:
            return value
        assert not deadline.over(), f"waited too long for {what}"
        time.sleep(0.2)


def run_state(api: httpx.Client, workflow_id: str) -> dict[str, Any]:
    answer = api.get(f"/runs/{quote(workflow_id, safe='')}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def deployed_waiting(api: httpx.Client, project_id: str) -> tuple[str, str]:
    """Version 1 deployed through the API and one execution of it waiting at its gate: the
    deployment's id and the execution's workflow id."""
    stored = api.post("/import", json=labelled(version_one(project_id)))
    assert stored.status_code == 201, stored.text
    deployed = api.post(f"/projects/{project_id}/deployments", json={})
    assert deployed.status_code == 201, deployed.text
    deployment_id: str = deployed.json()["id"]
    started = api.post(f"/deployments/{deployment_id}/runs", json={"workflow": "flow", "input": {}})
    assert started.status_code == 201, started.text
    workflow_id: str = started.json()["workflow_id"]

    def at_gate() -> bool | None:
        gate = run_state(api, workflow_id)["nodes"].get("gate")
        return True if gate and gate["status"] == "waiting" else None

    wait_for("the execution to wait at its gate", at_gate)
    return deployment_id, workflow_id


def open_deployments(page: Page, server: str, project_id: str) -> None:
    open_editor(page, server, project_id, "flow")
    page.get_by_test_id("tab-run").click()
    expect(page.get_by_test_id("deployments")).to_be_visible()


def deployment(page: Page, deployment_id: str) -> Locator:
    return page.locator(f'[data-testid="deployment"][data-deployment-id="{deployment_id}"]')


def overlapping(one: Locator, other: Locator) -> bool:
    a, b = one.bounding_box(), other.bounding_box()
    assert a and b
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def short(deployment_id: str, project_id: str) -> str:
    return deployment_id.removeprefix(f"{project_id}-")


def test_a_new_version_takes_over_a_waiting_execution_once_patched(
    page: Page,
    run_server: str,  # noqa: F811
    run_api: httpx.Client,  # noqa: F811
) -> None:
    project_id = unique_id("t-over")
    old_id, waiting = deployed_waiting(run_api, project_id)
    changed = run_api.post("/import?overwrite=true", json=labelled(version_c_first(project_id)))
    assert changed.status_code == 201, changed.text
    open_deployments(page, run_server, project_id)
    old = deployment(page, old_id)
    expect(old.get_by_test_id("deployment-running")).to_have_text("1 running execution")
    expect(old.get_by_test_id("deployment-worker")).to_have_text("worker running")

    old.get_by_test_id("deployment-deploy-over").click()

    dialog = page.get_by_test_id("takeover-dialog")
    expect(dialog.get_by_test_id("takeover-busy")).to_contain_text("Replaying")
    check = dialog.get_by_test_id("takeover-check")
    expect(check).to_have_attribute("data-ok", "false", timeout=patience(90))
    expect(dialog.get_by_test_id("takeover-busy")).to_have_count(0)
    expect(check.get_by_test_id("takeover-replayed")).to_contain_text(
        "Replayed the histories of 1 running execution"
    )
    expect(check.get_by_test_id("takeover-verdict")).to_contain_text(
        "The running execution would break on the new code"
    )
    summary = check.get_by_test_id("takeover-summary")
    expect(summary).to_contain_text("flow: 1 running execution would fail at node Fetch order")
    expect(summary.locator('[data-node-id="a"]')).to_have_text(FIRST)
    expect(summary.locator('[data-node-id="c"]')).to_have_text(ADDED)
    expect(summary).not_to_contain_text('node "a"')
    divergence = check.get_by_test_id("takeover-divergences").locator("li")
    expect(divergence).to_have_count(1)
    expect(divergence).to_contain_text(waiting)
    expect(dialog.get_by_test_id("takeover-over")).to_be_disabled()
    expect(dialog.get_by_test_id("takeover-beside")).to_be_enabled()
    # flow ends: deploying beside (worker versioning) is the way recommended and preselected
    recommended = dialog.get_by_test_id("takeover-recommended")
    expect(recommended).to_have_attribute("data-way", "versioning")
    expect(recommended).to_contain_text("flow: versioning, it ends")
    expect(dialog.get_by_test_id("takeover-beside")).to_have_attribute("data-recommended", "true")
    expect(dialog.get_by_test_id("takeover-beside")).to_be_focused()
    # the node where the execution would break, shown on the canvas behind the dialog
    divergence.locator('button[data-node-id="a"]').click()
    expect(node(page, "a")).to_have_class(SELECTED)
    expect(node(page, "a")).to_be_in_viewport()
    # centred in the canvas (a short animation), beside the dialog rather than under it
    wait_for(
        "the node to come into view beside the dialog",
        lambda: True if not overlapping(node(page, "a"), dialog) else None,
        seconds=10,
    )

    dialog.get_by_test_id("takeover-check-patched").click()

    patched = dialog.get_by_test_id("takeover-patch-check")
    expect(patched).to_have_attribute("data-ok", "true", timeout=patience(90))
    expect(patched.get_by_test_id("takeover-verdict")).to_contain_text(
        "The running execution replays on the new code"
    )
    patch = patched.get_by_test_id("takeover-patches").locator("li")
    expect(patch).to_have_count(1)
    expect(patch).to_have_attribute("data-node-id", "c")
    expect(patch).to_have_attribute("data-path", "new")
    expect(patch).to_contain_text(f"{ADDED} in flow: new step: runs in executions started after")
    expect(dialog.get_by_test_id("takeover-over")).to_be_disabled()
    save_artifact(page, "deployments-takeover-dialog.png")

    dialog.get_by_test_id("takeover-over-patched").click()

    expect(dialog).to_have_count(0, timeout=patience(90))
    newest = page.get_by_test_id("deployment").first
    expect(newest.get_by_test_id("deployment-took-over")).to_contain_text(
        f"took over {short(old_id, project_id)}"
    )
    new_id = newest.get_attribute("data-deployment-id")
    assert new_id and new_id != old_id
    expect(newest.get_by_test_id("deployment-patches")).to_contain_text(f"patched {ADDED}")
    expect(newest).to_have_attribute("data-status", "running", timeout=patience(60))
    expect(old).to_have_attribute("data-status", "stopped", timeout=patience(60))
    expect(old.get_by_test_id("deployment-taken-over")).to_contain_text(
        f"taken over by {short(new_id, project_id)}"
    )
    expect(old.get_by_test_id("deployment-start")).to_have_count(0)
    save_artifact(page, "deployments-after-takeover.png")

    signalled = run_api.post(
        f"/runs/{quote(waiting, safe='')}/signal", json={"name": "go", "payload": None}
    )
    assert signalled.status_code == 202, signalled.text

    def completed() -> dict[str, Any] | None:
        found = run_state(run_api, waiting)
        return found if found["status"] == "COMPLETED" else None

    ended = wait_for("the execution to complete on the new version", completed)
    states = {node_id: state["status"] for node_id, state in ended["nodes"].items()}
    assert states["a"] == states["b"] == "completed"
    # it started before c was added: the patched code skipped c for it
    assert states.get("c", "not_reached") == "not_reached"
    expect(newest.get_by_test_id("deployment-running")).to_have_text(
        "no running executions", timeout=patience(30)
    )


def test_stopping_a_deployment_with_an_execution_running_asks_first(
    page: Page,
    run_server: str,  # noqa: F811
    run_api: httpx.Client,  # noqa: F811
) -> None:
    project_id = unique_id("t-stop")
    deployment_id, waiting = deployed_waiting(run_api, project_id)
    try:
        open_deployments(page, run_server, project_id)
        item = deployment(page, deployment_id)
        expect(item.get_by_test_id("deployment-running")).to_have_text("1 running execution")

        item.get_by_test_id("deployment-stop").click()

        refused = item.get_by_test_id("deployment-stop-refused")
        expect(refused).to_contain_text(f"1 execution runs on {deployment_id}")
        expect(refused).to_contain_text("stop it anyway")
        save_artifact(page, "deployments-stop-refused.png")
        expect(item).to_have_attribute("data-desired", "running")
        assert run_api.get(f"/deployments/{deployment_id}").json()["desired"] == "running"

        refused.get_by_test_id("deployment-stop-anyway").click()

        expect(item).to_have_attribute("data-desired", "stopped")
        expect(refused).to_have_count(0)
        expect(item).to_have_attribute("data-status", "stopped", timeout=patience(60))
        expect(item.get_by_test_id("deployment-running")).to_contain_text(
            "1 running execution: no worker serves them"
        )
        expect(item.get_by_test_id("deployment-start")).to_be_visible()
        assert run_api.get(f"/deployments/{deployment_id}").json()["desired"] == "stopped"
    finally:
        run_api.post(
            f"/runs/{quote(waiting, safe='')}/terminate", json={"reason": "the test is over"}
        )


def test_versions_beside_each_other_show_the_executions_pinned_to_each(
    page: Page,
    run_server: str,  # noqa: F811
    run_api: httpx.Client,  # noqa: F811
) -> None:
    project_id = unique_id("t-beside")
    old_id, waiting = deployed_waiting(run_api, project_id)
    changed = run_api.post("/import?overwrite=true", json=labelled(version_c_first(project_id)))
    assert changed.status_code == 201, changed.text
    beside = run_api.post(
        f"/projects/{project_id}/deployments", json={"replaces": old_id, "versioning": True}
    )
    assert beside.status_code == 201, beside.text
    new_id: str = beside.json()["id"]
    assert beside.json()["task_queue"] == old_id, "a new version on the same task queue"
    open_deployments(page, run_server, project_id)
    old, new = deployment(page, old_id), deployment(page, new_id)
    expect(new).to_have_attribute("data-status", "running", timeout=patience(60))

    old_version = old.get_by_test_id("deployment-version")
    expect(old_version).to_have_attribute("data-role", "draining")
    expect(old_version).to_contain_text(f"new runs start on {short(new_id, project_id)}")
    expect(old.get_by_test_id("deployment-running")).to_have_text(
        "1 running execution pinned to it"
    )
    expect(old.get_by_test_id("deployment-taken-over")).to_have_count(0)
    new_version = new.get_by_test_id("deployment-version")
    expect(new_version).to_have_attribute("data-role", "current")
    expect(new.get_by_test_id("deployment-running")).to_have_text(
        "no running executions pinned to it"
    )
    versions = run_api.get(f"/projects/{project_id}/deployments").json()
    builds = {item["id"]: item["build_id"] for item in versions}
    expect(old_version.locator("code")).to_have_text(builds[old_id])
    expect(new_version.locator("code")).to_have_text(builds[new_id])
    # each version lists the runs pinned to it, not every run on the shared task queue
    expect(new).to_have_class(re.compile(r"\blisted\b"))
    expect(page.get_by_test_id("run-list")).to_have_count(0)
    old.get_by_role("button", name="Show its runs").click()
    expect(page.get_by_test_id("run-list")).to_contain_text(waiting)
    save_artifact(page, "deployments-versions-beside.png")

    signalled = run_api.post(
        f"/runs/{quote(waiting, safe='')}/signal", json={"name": "go", "payload": None}
    )
    assert signalled.status_code == 202, signalled.text

    # the pinned execution ends on its own version; the old version drains and stops
    expect(old_version).to_have_attribute("data-role", "drained", timeout=patience(90))
    expect(old.get_by_test_id("deployment-running")).to_have_text(
        "no running executions pinned to it"
    )
    expect(old).to_have_attribute("data-status", "stopped", timeout=patience(60))
    ended = run_state(run_api, waiting)
    assert ended["status"] == "COMPLETED" and ended["deployment_id"] == old_id
