"""Browser tests: Debian's Chromium, driven by Playwright, against a real server of the backend.

The server is uvicorn running `backend.app:create_app` on a temporary SQLite database and a free
loopback port, serving the built editor (`frontend/dist`, which ./scripts/test builds first).
Each test works in a project of its own, so the tests share one server and one browser.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# the machine runs as root with no outside network: without these Chromium stalls
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Chromium logs every 4xx answer; a conflict (409) or a document with errors (422) is one the
# editor expects and shows, not a failure of the page.
EXPECTED_ANSWER = re.compile(r"Failed to load resource: .* status of (409|422)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve_editor(folder: Path, **env: str) -> Iterator[str]:
    """A live server of the built editor on a new database in `folder`, with `env` added to
    its environment (WFD_TOKEN, say); its base URL until the block ends, then it is stopped."""
    if not (DIST / "index.html").is_file():
        pytest.fail("frontend/dist is missing: ./scripts/test builds it (./scripts/frontend build)")
    port = _free_port()
    log_path = folder / "server.log"
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'wfd.db'}",
        "WFD_FRONTEND_DIST": str(DIST),
    }
    environment.pop("WFD_TOKEN", None)
    environment.update(env)
    headers = {"authorization": f"Bearer {env['WFD_TOKEN']}"} if "WFD_TOKEN" in env else {}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "backend.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # generous: on a loaded machine (two cores, other jobs beside) a start took 25 s
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited early:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/api/health", headers=headers).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer in 120 s:\n{log_path.read_text()}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a live server with an empty database."""
    with serve_editor(tmp_path_factory.mktemp("browser-server")) as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./scripts/test installs Debian's chromium package")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageErrors(list[str]):
    """Uncaught exceptions and console errors of the pages a test opened."""


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def context(browser: Browser, page_errors: PageErrors) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not EXPECTED_ANSWER.search(message.text):
            page_errors.append(f"console: {message.text}")

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: page_errors.append(f"pageerror: {error}"))
        page.on("console", on_console)

    context.on("page", watch)
    yield context
    context.close()
    # an editor that throws or logs errors is broken even when the test's steps worked
    assert list(page_errors) == []


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


class Api:
    """The HTTP API, to prepare projects and to check what the editor saved."""

    def __init__(self, base: str, token: str | None = None) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=f"{base}/api", timeout=30, headers=headers)

    def import_project(self, document: dict[str, Any]) -> None:
        answer = self.client.post("/import", json=document)
        assert answer.status_code == 201, answer.text

    def workflow(self, project: str, workflow: str) -> dict[str, Any]:
        answer = self.client.get(f"/projects/{project}/workflows/{workflow}")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found


@pytest.fixture
def api(server: str) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.client.close()


@pytest.fixture
def project_id(request: pytest.FixtureRequest) -> str:
    """A project id of the test's own, so tests sharing the server never meet."""
    name = request.node.name.removeprefix("test_").replace("_", "-").lower()
    return "t-" + "".join(c for c in name if c.isalnum() or c == "-")[:50].strip("-")


def shop_project(project_id: str, workflows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A project with two activities and the workflows given (an empty `orders` by default)."""
    return {
        "schema_version": 1,
        "id": project_id,
        "name": "Shop",
        "task_queue": "shop",
        "types": {"Receipt": {"fields": {"amount": "int", "id": "str"}}},
        "activities": [
            {
                "name": "charge",
                "input": {"amount": "int"},
                "output": "Receipt",
                "implementation": {"kind": "simulate", "result": {"amount": 150, "id": "r1"}},
            },
            {
                "name": "notify",
                "input": {"text": "str"},
                "output": "None",
                "implementation": {"kind": "simulate"},
            },
        ],
        "workflows": workflows
        if workflows is not None
        else [{"id": "orders", "name": "Orders", "input": {"amount": "int"}}],
    }


def orders_workflow(workflow_id: str = "orders", name: str = "Orders") -> dict[str, Any]:
    """Start -> Charge -> Large order? (true: Review phase holding Notify; false: Done)."""

    def at(x: float, y: float) -> dict[str, float]:
        return {"x": x, "y": y}

    return {
        "id": workflow_id,
        "name": name,
        "input": {"amount": "int"},
        "nodes": [
            {"id": "start", "type": "start", "label": "Start", "position": at(300, 0)},
            {
                "id": "charge",
                "type": "activity",
                "label": "Charge",
                "position": at(300, 120),
                "config": {
                    "activity": "charge",
                    "args": {"amount": "input.amount"},
                    "result": "receipt",
                },
            },
            {
                "id": "large",
                "type": "condition",
                "label": "Large order?",
                "position": at(300, 240),
                "config": {"expression": "receipt.amount > 100"},
            },
            {
                "id": "review",
                "type": "phase",
                "label": "Review",
                "position": at(80, 380),
                "size": {"width": 320, "height": 200},
            },
            {
                "id": "notify",
                "type": "activity",
                "label": "Notify",
                "parent_id": "review",
                "position": at(50, 80),
                "config": {"activity": "notify", "args": {"text": "'large order'"}},
            },
            {"id": "done", "type": "end", "label": "Done", "position": at(300, 660)},
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "charge"},
            {"id": "e2", "source": "charge", "target": "large"},
            {"id": "e3", "source": "large", "source_handle": "true", "target": "review"},
            {"id": "e4", "source": "large", "source_handle": "false", "target": "done"},
            {"id": "e5", "source": "review", "target": "done"},
        ],
    }


def save_artifact(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path
