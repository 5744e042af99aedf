"""What a run's input can do to an http or shell activity: fill values, never choose the program,
the server, an option of the command, a step up a URL's path or the shape of a JSON body.

The generated activities are run for real: a command in a subprocess, requests to a local HTTP
server that records what it receives."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from compiler import compile_project
from language.diagnostics import Codes
from tests.support.harness import chain, import_package, node, project, unique_id


class Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        Recorder.received.append((self.command, self.path, self.rfile.read(length)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def activities_project(project_id: str, activities: list[dict[str, Any]]) -> dict[str, Any]:
    steps = [
        node(f"call{i}", "activity", activity=a["name"], args={"name": "input.name"})
        for i, a in enumerate(activities)
    ]
    nodes = [node("start", "start"), *steps, node("done", "end")]
    flow = {
        "id": "w",
        "name": "W",
        "input": {"name": "str"},
        "nodes": nodes,
        "edges": chain(*(n["id"] for n in nodes)),
    }
    catalogue = [{"input": {"name": "str"}, "output": "Any", **a} for a in activities]
    return project(project_id, [flow], activities=catalogue)


def http(name: str, url: str, **implementation: Any) -> dict[str, Any]:
    return {"name": name, "implementation": {"kind": "http", "url": url, **implementation}}


def shell(name: str, *command: str) -> dict[str, Any]:
    return {"name": name, "implementation": {"kind": "shell", "command": list(command)}}


def diagnostics(activity: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    result = compile_project(activities_project("rules", [activity]))
    return [(d.code, d.field, d.message) for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    ("activity", "field", "words"),
    [
        (shell("run", "{name}", "--help"), "command.0", "never which command runs"),
        (shell("run", "/usr/bin/{name}"), "command.0", "never which command runs"),
        (http("get", "https://{name}/items"), "url", "fixed http:// or https:// server"),
        (http("get", "{name}/items"), "url", "fixed http:// or https:// server"),
        (http("get", "https://api.{name}.example.com/"), "url", "fixed http"),
        (http("get", "file:///etc/{name}"), "url", "fixed http"),
        (
            http(
                "post",
                "https://api.example.com/notes",
                method="POST",
                headers={"Content-Type": "application/json"},
                body='{"note": {name}}',
            ),
            "body",
            "placeholders inside strings",
        ),
    ],
)
def test_input_that_would_choose_the_program_server_or_body_shape_is_a_diagnostic(
    activity: dict[str, Any], field: str, words: str
) -> None:
    ((code, where, message),) = diagnostics(activity)

    assert code == Codes.INPUT_TAKES_CONTROL
    assert where == f"activities.0.implementation.{field}"
    assert words in message


@pytest.mark.parametrize(
    "activity",
    [
        shell("run", "echo", "--", "{name}"),
        http("get", "https://api.example.com/items/{name}?q={name}"),
        http("get", "http://127.0.0.1:8080"),
        http("post", "https://api.example.com/notes", method="POST", body="note: {name}"),
    ],
)
def test_input_that_fills_values_only_compiles(activity: dict[str, Any]) -> None:
    assert diagnostics(activity) == []


def _package(tmp_path: Path, activities: list[dict[str, Any]]) -> dict[str, Any]:
    modules = import_package(activities_project(unique_id("rules"), activities), tmp_path)
    return {
        "activities": modules["activities"],
        # the input dataclass of each activity: `make("flag", "x")` is FlagInput(name="x")
        "input": lambda activity, name: getattr(modules["models"], f"{activity.title()}Input")(
            name=name
        ),
    }


async def test_a_value_that_starts_with_a_dash_never_becomes_an_option(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        [
            shell("run", "echo", "{name}"),
            shell("flag", "echo", "-n", "{name}"),
            shell("ended", "printf", "--", "%s", "{name}"),
        ],
    )
    activities = package["activities"]
    environment = ActivityEnvironment()
    make = package["input"]

    plain = await environment.run(activities.run, make("run", "world"))
    assert plain["stdout"] == "world\n"
    with pytest.raises(ApplicationError) as refused:
        await environment.run(activities.run, make("run", "-e \\x41"))
    assert refused.value.non_retryable
    assert refused.value.type == "UnsafeInput"
    assert "an option of the command" in refused.value.message
    # an option written in the document stays one; the value beside it is still checked
    assert (await environment.run(activities.flag, make("flag", "x")))["stdout"] == "x"
    with pytest.raises(ApplicationError):
        await environment.run(activities.flag, make("flag", "--version"))
    # after a `--` in the document, options have ended: the value is an operand
    ended = await environment.run(activities.ended, make("ended", "-n"))
    assert ended["stdout"] == "-n"


async def test_url_values_are_encoded_and_cannot_climb_the_path(
    tmp_path: Path, server: str
) -> None:
    package = _package(tmp_path, [http("fetch", server + "/items/{name}?q={name}")])
    environment = ActivityEnvironment()
    make = package["input"]

    await environment.run(package["activities"].fetch, make("fetch", "a/b c"))
    assert Recorder.received[-1][:2] == ("GET", "/items/a%2Fb%20c?q=a%2Fb%20c")
    for climbing in ("..", "."):
        with pytest.raises(ApplicationError) as refused:
            await environment.run(package["activities"].fetch, make("fetch", climbing))
        assert refused.value.non_retryable
        assert refused.value.type == "UnsafeInput"
    assert len(Recorder.received) == 1  # nothing was sent for them


async def test_a_json_body_encodes_the_values_it_is_filled_with(
    tmp_path: Path, server: str
) -> None:
    body = '{"note": "for {name}", "who": "{name}", "fixed": 1}'
    package = _package(
        tmp_path,
        [
            http(
                "post",
                server + "/notes",
                method="POST",
                headers={"Content-Type": "application/json"},
                body=body,
            )
        ],
    )
    hostile = 'x", "admin": true, "y": "'

    await ActivityEnvironment().run(package["activities"].post, package["input"]("post", hostile))

    method, path, received = Recorder.received[-1]
    assert (method, path) == ("POST", "/notes")
    assert json.loads(received) == {"note": f"for {hostile}", "who": hostile, "fixed": 1}
