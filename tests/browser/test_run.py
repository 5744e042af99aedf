"""The Run panel in a browser: run what you drew on `wfd serve` with its embedded Temporal.

The samples run scaled down (package management's waits ×0.05, the feature pipeline's ×0.01),
so a run takes seconds. The module starts its own `wfd serve` (the shared `server` fixture runs
without Temporal) on a database that already holds the two samples, and stops it, its Temporal
and its workers, on every path.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Locator, Page, expect

from backend.app import create_app
from backend.settings import Settings
from tests.backend.live import free_port
from tests.browser.conftest import DIST, save_artifact
from tests.browser.editor import node, open_editor
from tests.support import samples

WFD = Path(sys.executable).with_name("wfd")
PACKAGES = "t-run-packages"
FEATURES = "t-run-features"


def slowness() -> float:
    """How much slower than an idle machine this one is now (at least 1)."""
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def patience(seconds: float) -> float:
    """Milliseconds for a Playwright wait of `seconds` on an idle machine, scaled by load."""
    return seconds * 1000 * slowness()


# --- the server -------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, theirs, ...), read from /proc."""
    found: list[int] = []
    waiting = [pid]
    while waiting:
        parent = waiting.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in found:
                    found.append(child)
                    waiting.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM `wfd serve` (it stops its workers and Temporal), then SIGKILL whatever of its
    process tree is still there."""
    below = _descendants(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in below:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _wait(what: str, condition: Any, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180 * slowness()
    while True:
        if process.poll() is not None:
            pytest.fail(f"wfd serve exited while waiting for {what}:\n{log.read_text()}")
        try:
            if condition():
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"waited too long for {what}:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def run_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `wfd serve` with its embedded Temporal, holding both samples scaled."""
    if not (DIST / "index.html").is_file():
        pytest.fail("frontend/dist is missing: ./scripts/test builds it (./scripts/frontend build)")
    folder = tmp_path_factory.mktemp("run-server")
    data = folder / "data"
    database_url = f"sqlite:///{data / 'wfd.db'}"
    # the projects are there before the server starts, so it seeds no samples of its own
    with TestClient(create_app(Settings(database_url=database_url))) as api:
        for document in (
            samples.package_management(PACKAGES, scale=0.05),
            samples.feature_pipeline(FEATURES, time_scale=0.01),
        ):
            stored = api.post("/api/import", json=document)
            assert stored.status_code == 201, stored.text
    port = free_port()
    log_path = folder / "serve.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WFD_DATA_DIR": str(data),
        "WFD_TEMPORAL": "embedded",
        "WFD_FRONTEND_DIST": str(DIST),
    }
    for name in ("WFD_TOKEN", "TEMPORAL_ADDRESS", "WFD_TEMPORAL_PORT", "WFD_TEMPORAL_UI_PORT"):
        environment.pop(name, None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(WFD), "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(
            "the server",
            lambda: httpx.get(f"{url}/api/health").status_code == 200,
            process,
            log_path,
        )
        _wait("Temporal", lambda: httpx.get(f"{url}/api/runtime").json()["up"], process, log_path)
        yield url
    finally:
        _stop(process)


@pytest.fixture(autouse=True)
def patient(page: Page) -> Iterator[None]:
    """Every wait of this module's tests grows with the machine's load."""
    page.set_default_timeout(patience(20))
    expect.set_options(timeout=patience(20))
    try:
        yield
    finally:
        expect.set_options(timeout=None)  # Playwright's own default again


@pytest.fixture
def run_api(run_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{run_server}/api", timeout=60) as client:
        yield client


# --- what the page shows ----------------------------------------------------------------------

# every change of a node's run state, with the time the page saw it, from before the run starts
WATCH_STATES = """() => {
  window.__runChanges = [];
  const seen = (element) => {
    const id = element.getAttribute("data-node-id");
    const status = element.getAttribute("data-run-status");
    if (id && status) window.__runChanges.push({ id, status, at: performance.now() });
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "attributes") seen(mutation.target);
      else for (const added of mutation.addedNodes)
        if (added instanceof Element) added.querySelectorAll("[data-run-status]").forEach(seen);
    }
  }).observe(document.querySelector(".react-flow"), {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-run-status"],
  });
}"""


def first_completed(page: Page) -> dict[str, float]:
    """Node id -> when the page first showed it completed."""
    changes: list[dict[str, Any]] = page.evaluate("() => window.__runChanges")
    found: dict[str, float] = {}
    for change in changes:
        if change["status"] == "completed":
            found.setdefault(change["id"], change["at"])
    return found


def open_run_panel(page: Page) -> None:
    page.get_by_test_id("tab-run").click()
    expect(page.get_by_test_id("run-panel")).to_be_visible()
    expect(page.get_by_test_id("run-button")).to_be_enabled()


def fill(page: Page, field: str, text: str) -> None:
    page.locator(f'[id="run-input-{field}"]').fill(text)


def shown_status(page: Page) -> Locator:
    return page.get_by_test_id("run-status")


def assert_document_untouched(page: Page) -> None:
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_test_id("unsaved")).to_have_count(0)


# --- the tests --------------------------------------------------------------------------------

COMPLETED_LOOK = re.compile(r"\bin-run\b.*\brun-completed\b")

# package-build's steps as they run for a new package, in the order they must complete
BUILD_STEPS = [
    "preflight",
    "verify_dependencies",
    "scaffold",
    "run_build",
    "run_tests",
    "run_quality",
    "publish",
    "report",
    "end",
]
# the branches a new package does not take
NOT_TAKEN = ["audit_state", "audit_upgrade", "nothing_to_do", "dependencies_missing"]


def test_a_run_lights_its_nodes_in_order_and_a_failed_node_says_why(
    page: Page, run_server: str, run_api: httpx.Client
) -> None:
    open_editor(page, run_server, PACKAGES, "package-build")
    open_run_panel(page)
    # a scoped npm name: the run's workflow id (package-build-@t/pad-…) holds a "/"
    package = f"@t/pad-{uuid.uuid4().hex[:6]}"
    fill(page, "package_name", package)
    fill(page, "dependencies", '["@t/base"]')
    fill(page, "workspace_root", "/work/space")
    fill(page, "registry", "npm.example.com")
    page.evaluate(WATCH_STATES)

    page.get_by_test_id("run-button").click()

    expect(page.get_by_test_id("run-shown")).to_be_visible(timeout=patience(120))
    expect(shown_status(page)).to_have_text("completed", timeout=patience(120))
    for step in BUILD_STEPS:
        look = node(page, step).locator(".wf-node")
        expect(look).to_have_attribute("data-run-status", "completed")
        expect(look).to_have_class(COMPLETED_LOOK)  # the overlay's classes beside the editor's
    for skipped in NOT_TAKEN:
        expect(node(page, skipped).locator(".wf-node")).to_have_attribute(
            "data-run-status", "not_reached"
        )
    # the tests fail on their first attempt, so the step ran twice
    expect(node(page, "run_tests").get_by_test_id("node-run-badge")).to_have_text("completed×2")
    # the canvas followed the run as it went: the steps turned completed one after another,
    # never a later one before an earlier one, and not all at once at the end
    completed = first_completed(page)
    assert set(BUILD_STEPS) <= set(completed), completed
    times = [completed[step] for step in BUILD_STEPS]
    assert times == sorted(times), {step: completed[step] for step in BUILD_STEPS}
    assert len(set(times)) >= 3, times
    seen_running = page.evaluate(
        "() => window.__runChanges.filter((c) => c.status === 'running').map((c) => c.id)"
    )
    assert set(seen_running) & set(BUILD_STEPS), seen_running
    expect(page.get_by_test_id("run-result")).to_contain_text(package)
    # the tests' first failure did not stop the run: the banner says so, naming the step once
    recovered = page.get_by_test_id("run-first-failure")
    expect(recovered).to_have_attribute("data-node-id", "run_tests")
    expect(recovered).to_contain_text("A step failed and the run went on: Tests (run_tests)")
    expect(recovered).to_contain_text("3 of 42 tests failed on attempt 1")
    page.get_by_test_id("run-timeline").get_by_role("button", name="Publish Package").last.click()
    expect(node(page, "publish")).to_be_in_viewport()
    save_artifact(page, "run-package-build-completed.png")
    assert_document_untouched(page)
    completed_run = page.get_by_test_id("run-shown").locator("h3").inner_text()

    # a run whose dependency check fails for good: a stand-in failure, added in the panel's
    # start form, then picked from the panel's list of runs
    fill(page, "package_name", f"@t/broken-{uuid.uuid4().hex[:6]}")
    page.get_by_test_id("run-stand-in-add").select_option("verify_dependencies")
    stand_in = page.locator('[data-testid="run-stand-in"][data-node-id="verify_dependencies"]')
    expect(stand_in).to_contain_text("Verify Dependencies")
    # a result that is not JSON is refused in the form; one that does not fit the activity's
    # output type (DependencyCheck without `missing`) by the server, next to its stand-in
    stand_in_error = stand_in.get_by_test_id("run-stand-in-error")
    stand_in.get_by_label("Result (JSON)").fill("{ready: true")
    page.get_by_test_id("run-button").click()
    expect(stand_in_error).to_contain_text("the result is not JSON")
    stand_in.get_by_label("Result (JSON)").fill('{"ready": true}')
    page.get_by_test_id("run-button").click()
    expect(page.get_by_test_id("run-problem")).to_have_text("A stand-in does not fit its node.")
    expect(stand_in_error).to_contain_text("stand_ins.verify_dependencies")
    stand_in.get_by_label("Stand-in gives").select_option("error")
    stand_in.get_by_label("Failure message").fill("registry npm.example.com is unreachable")
    stand_in.get_by_role("checkbox").check()
    stand_in.scroll_into_view_if_needed()
    save_artifact(page, "run-stand-in-form.png")
    page.get_by_test_id("run-button").click()
    shown = page.get_by_test_id("run-shown").locator("h3")
    expect(shown).to_contain_text("@t/broken-", timeout=patience(120))
    failed_run = shown.inner_text()
    described = run_api.get(f"/runs/{quote(failed_run, safe='')}")
    assert described.status_code == 200, described.text
    assert "verify_dependencies" in described.json()["stand_ins"], described.text
    listed = page.get_by_test_id("run-list").get_by_role("button", name=failed_run)
    expect(listed).to_be_visible(timeout=patience(60))
    listed.click()

    expect(shown_status(page)).to_have_text("failed", timeout=patience(120))
    expect(page.get_by_test_id("run-shown").locator("h3")).to_have_text(failed_run)
    banner = page.get_by_test_id("run-first-failure")
    expect(banner).to_have_attribute("data-node-id", "verify_dependencies")
    expect(banner).to_contain_text(
        "The run failed: Verify Dependencies (verify_dependencies) failed: "
        "registry npm.example.com is unreachable"
    )
    failed = node(page, "verify_dependencies").locator(".wf-node")
    expect(failed).to_have_attribute("data-run-status", "failed")
    expect(failed.get_by_test_id("node-run-badge")).to_have_text("failed")
    expect(node(page, "preflight").locator(".wf-node")).to_have_attribute(
        "data-run-status", "completed"
    )
    for later in ("scaffold", "run_build", "publish", "end"):
        expect(node(page, later).locator(".wf-node")).to_have_attribute(
            "data-run-status", "not_reached"
        )
    banner.click()  # shows the node and opens its detail
    expect(node(page, "verify_dependencies")).to_have_class(re.compile(r"\bselected\b"))
    detail = page.get_by_test_id("run-node-detail")
    expect(detail).to_have_attribute("data-node-id", "verify_dependencies")
    expect(detail.get_by_test_id("run-node-error")).to_have_text(
        "registry npm.example.com is unreachable"
    )
    expect(detail.get_by_test_id("run-node-input")).to_contain_text("npm.example.com")
    expect(failed).to_be_in_viewport()
    save_artifact(page, "run-package-build-failed.png")
    assert_document_untouched(page)

    # a link to the completed run shows it; a run picked afterwards stays shown when the
    # panel's tab is closed and opened again
    page.goto(
        f"{run_server}/#/projects/{PACKAGES}/workflows/package-build?run={quote(completed_run)}"
    )
    expect(page.get_by_test_id("run-shown").locator("h3")).to_have_text(
        completed_run, timeout=patience(30)
    )
    expect(shown_status(page)).to_have_text("completed", timeout=patience(60))
    expect(node(page, "publish").locator(".wf-node")).to_have_attribute(
        "data-run-status", "completed"
    )
    page.get_by_test_id("run-list").get_by_role("button", name=failed_run).click()
    expect(shown_status(page)).to_have_text("failed", timeout=patience(60))
    page.get_by_test_id("tab-properties").click()
    page.get_by_test_id("tab-run").click()
    expect(page.get_by_test_id("run-shown").locator("h3")).to_have_text(failed_run)
    expect(shown_status(page)).to_have_text("failed")
    expect(page.get_by_test_id("run-stream-error")).to_have_count(0)
    assert_document_untouched(page)


def test_a_gate_is_approved_from_the_panel_and_the_run_finishes(
    page: Page, run_server: str
) -> None:
    open_editor(page, run_server, FEATURES, "requirement-intake")
    open_run_panel(page)
    fill(page, "feature_request", "Export invoices as CSV for finance")
    fill(page, "requester_id", "ada")
    fill(page, "project_id", "billing")

    page.get_by_test_id("run-button").click()

    gate = page.locator('[data-testid="run-gate"][data-node-id="approval"]')
    expect(gate).to_be_visible(timeout=patience(120))
    expect(gate).to_contain_text("requirement approval")
    expect(node(page, "approval").locator(".wf-node")).to_have_attribute(
        "data-run-status", "waiting"
    )
    expect(node(page, "approval").get_by_test_id("node-run-badge")).to_have_text("waiting")
    expect(shown_status(page)).to_have_text("running")
    gate.get_by_role("button", name="requirement approval").click()  # shows the gate's node
    expect(node(page, "approval")).to_be_in_viewport()
    expect(page.get_by_test_id("run-node-detail")).to_have_attribute("data-node-id", "approval")
    gate.get_by_role("button", name="Approve").click()
    # approveRequirement takes who approves
    gate.locator('[id="run-gate-approval-approver"]').fill("grace")
    page.get_by_test_id("run-panel").evaluate("(panel) => panel.parentElement.scrollTo(0, 0)")
    save_artifact(page, "run-requirement-intake-waiting.png")
    gate.get_by_role("button", name="Send signal approveRequirement").click()

    expect(shown_status(page)).to_have_text("completed", timeout=patience(120))
    for done in ("approval", "decide", "create_requirement", "accepted"):
        expect(node(page, done).locator(".wf-node")).to_have_attribute(
            "data-run-status", "completed"
        )
    expect(node(page, "declined").locator(".wf-node")).to_have_attribute(
        "data-run-status", "not_reached"
    )
    expect(page.get_by_test_id("run-gates")).to_have_count(0)
    expect(page.get_by_test_id("run-result")).to_contain_text('"decided_by": "grace"')
    save_artifact(page, "run-requirement-intake-completed.png")
    assert_document_untouched(page)
