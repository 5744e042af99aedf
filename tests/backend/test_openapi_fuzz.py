"""The OpenAPI document matches what the API accepts: schemathesis with every check against the
server, and the rules it found broken, each pinned here on its own."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from backend.app import create_app
from backend.models import (
    DeploymentCreate,
    ProjectCreate,
    RestoreRequest,
    VersionCreate,
    WorkflowCreate,
)
from backend.routers.runs import RunStart
from backend.settings import Settings
from tests.backend.live import LiveServer

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
"""The operations that may answer 422 to a request the schema allows, and why."""
HELLO = json.loads((Path(__file__).parents[2] / "examples" / "hello.json").read_text())


def test_generated_requests_get_documented_answers(
    live_server: LiveServer, database_url: str, tmp_path: Path
) -> None:
    """Every check: no 500, answers on the schema, a request the schema allows is taken and
    one it does not is refused, and a method a path lacks gets 405 naming those it has.

    On PostgreSQL the fuzzer's cases at the edges of each schema (its coverage phase: empty,
    longest and out-of-range values, what storage meets differently) run, not its random ones
    again: those test the API's validation, which is the same on either storage."""
    url = live_server.start(database_url)
    phases = (
        "examples,coverage"
        if database_url.startswith("postgresql")
        else "examples,coverage,fuzzing"
    )
    # the OpenAPI examples name this project, so the fuzzer reaches stored data, not only 404s
    assert httpx.post(f"{url}/api/import", json=HELLO).status_code == 201
    versions = f"{url}/api/projects/hello/workflows/greet/versions"
    assert httpx.post(versions, json={"message": "first"}).status_code == 201

    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        "10",
        "--seed",
        "20251122",
        "--workers",
        "1",
        "--request-timeout",
        "30",
    ]
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    report = run.stdout[-8000:] + run.stderr[-2000:]
    assert run.returncode == 0, f"{report}\n--- server log ---\n{live_server.log()[-6000:]}"
    assert " passed" in run.stdout, report


# --- 405 and Allow ----------------------------------------------------------------------------


@pytest.fixture(params=["with the editor", "without the editor"])
def client(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app with the editor's files mounted at / (as `wfd serve` has them), and without."""
    dist = tmp_path / "dist"
    if request.param == "with the editor":
        dist.mkdir()
        (dist / "index.html").write_text("<!doctype html><title>wfd</title>")
    settings = dataclasses.replace(Settings(database_url=sqlite_url), frontend_dist=dist)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_method_a_path_lacks_gets_405_naming_every_method_it_has(client: TestClient) -> None:
    paths: dict[str, dict[str, Any]] = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        url = re.sub(r"\{[^}]+\}", "x1", path)
        documented = {method.upper() for method in operations}
        for method in sorted({"OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE"} - documented):
            answer = client.request(method, url)
            assert answer.status_code == 405, f"{method} {path}: {answer.status_code}"
            allowed = set(answer.headers["allow"].split(", ")) - {"HEAD"}
            assert allowed == documented, f"{method} {path}: Allow: {answer.headers['allow']}"
            assert answer.json() == {"detail": "Method Not Allowed"}


def test_a_run_id_path_with_slashes_gets_the_methods_of_its_own_route(
    client: TestClient,
) -> None:
    answer = client.request("OPTIONS", "/api/runs/package-build-@scope/name/cancel")
    assert (answer.status_code, answer.headers["allow"]) == (405, "POST")
    answer = client.request("PUT", "/api/runs/package-build-@scope/name")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) - {"HEAD"} == {"GET"}


# --- the schema states what the models check --------------------------------------------------


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    return create_app(Settings(database_url=f"sqlite:///{folder / 'wfd.db'}")).openapi()


def _agree(openapi: dict[str, Any], model: type[BaseModel], instance: Any) -> tuple[bool, bool]:
    """Whether the OpenAPI schema of `model` allows `instance`, and whether the model takes it
    (from JSON text, as a request body is read)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}", **openapi}
    validator = jsonschema_rs.Draft202012Validator(
        schema, pattern_options=jsonschema_rs.FancyRegexOptions()
    )
    try:
        model.model_validate_json(json.dumps(instance))
        taken = True
    except ValidationError:
        taken = False
    return validator.is_valid(instance), taken


def _project(**activity: Any) -> dict[str, Any]:
    return {"id": "p", "activities": [{"name": "a", **activity}]}


def _types(types: dict[str, Any]) -> dict[str, Any]:
    return {"id": "p", "types": types}


def _workflow(**changes: Any) -> dict[str, Any]:
    return {"document": {"id": "w", **changes}}


def _stand_in(stand_in: Any) -> dict[str, Any]:
    return {"workflow": "w", "stand_ins": {"n": stand_in}}


CASES: dict[str, tuple[type[BaseModel], Any, bool]] = {
    # an implementation names its kind: the schema requires it, as the discriminator does
    "python without kind": (ProjectCreate, _project(implementation={"function": "m:f"}), False),
    "simulate without kind": (ProjectCreate, _project(implementation={}), False),
    "python": (ProjectCreate, _project(implementation={"kind": "python", "function": "m:f"}), True),
    "simulate": (ProjectCreate, _project(implementation={"kind": "simulate"}), True),
    "no implementation": (ProjectCreate, _project(), True),
    # a python function is `package.module:function`, no keyword
    "function a.b:c": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "a.b_2:_c"}),
        True,
    ),
    "function m.f": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "m.f"}),
        False,
    ),
    "function m:if": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "m:if"}),
        False,
    ),
    "function import.m:f": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "import.m:f"}),
        False,
    ),
    "function m:iffy": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "m:iffy"}),
        True,
    ),
    "function m:f:g": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "m:f:g"}),
        False,
    ),
    "function é:f": (
        ProjectCreate,
        _project(implementation={"kind": "python", "function": "é:f"}),
        False,
    ),
    # numbers are numbers: not booleans, not strings; a float field takes an integer, an integer
    # field a number without a fraction
    "fail_attempts true": (
        ProjectCreate,
        _project(implementation={"kind": "simulate", "fail_attempts": True}),
        False,
    ),
    "fail_attempts '2'": (
        ProjectCreate,
        _project(implementation={"kind": "simulate", "fail_attempts": "2"}),
        False,
    ),
    "fail_attempts 2.0": (
        ProjectCreate,
        _project(implementation={"kind": "simulate", "fail_attempts": 2.0}),
        True,
    ),
    "fail_attempts 2.5": (
        ProjectCreate,
        _project(implementation={"kind": "simulate", "fail_attempts": 2.5}),
        False,
    ),
    "delay_seconds 1": (
        ProjectCreate,
        _project(implementation={"kind": "simulate", "delay_seconds": 1}),
        True,
    ),
    "delay_seconds false": (
        ProjectCreate,
        _project(implementation={"kind": "simulate", "delay_seconds": False}),
        False,
    ),
    "maximum_attempts '3'": (
        ProjectCreate,
        _project(defaults={"retry": {"maximum_attempts": "3"}}),
        False,
    ),
    "backoff_coefficient true": (
        ProjectCreate,
        _project(defaults={"retry": {"backoff_coefficient": True}}),
        False,
    ),
    "position x 3": (
        WorkflowCreate,
        _workflow(nodes=[{"id": "n", "type": "t", "position": {"x": 3}}]),
        True,
    ),
    "position x true": (
        WorkflowCreate,
        _workflow(nodes=[{"id": "n", "type": "t", "position": {"x": True}}]),
        False,
    ),
    "revision 2.0": (VersionCreate, {"message": "m", "revision": 2.0}, True),
    "revision true": (VersionCreate, {"message": "m", "revision": True}, False),
    "revision 0": (RestoreRequest, {"revision": 0}, False),
    "revision '1'": (RestoreRequest, {"revision": "1"}, False),
    "non_retryable 1": (
        RunStart,
        _stand_in({"error": {"message": "m", "non_retryable": 1}}),
        False,
    ),
    # field names: ASCII letters, digits and underscores, starting with a letter, no keyword
    "state name ok_2": (WorkflowCreate, _workflow(state=[{"name": "ok_2", "type": "int"}]), True),
    "state name Upper": (WorkflowCreate, _workflow(state=[{"name": "Upper", "type": "int"}]), True),
    "state name empty": (WorkflowCreate, _workflow(state=[{"name": "", "type": "int"}]), False),
    "state name _x": (WorkflowCreate, _workflow(state=[{"name": "_x", "type": "int"}]), False),
    "state name class": (
        WorkflowCreate,
        _workflow(state=[{"name": "class", "type": "int"}]),
        False,
    ),
    "state name None": (WorkflowCreate, _workflow(state=[{"name": "None", "type": "int"}]), False),
    "state name classy": (
        WorkflowCreate,
        _workflow(state=[{"name": "classy", "type": "int"}]),
        True,
    ),
    "state name café": (WorkflowCreate, _workflow(state=[{"name": "café", "type": "int"}]), False),
    "state name \ufb01eld": (
        WorkflowCreate,
        _workflow(state=[{"name": "\ufb01eld", "type": "int"}]),
        False,
    ),
    "state name a-b": (WorkflowCreate, _workflow(state=[{"name": "a-b", "type": "int"}]), False),
    "input key if": (WorkflowCreate, _workflow(input={"if": "int"}), False),
    "input key qty": (WorkflowCreate, _workflow(input={"qty": "int"}), True),
    "input default key 1x": (WorkflowCreate, _workflow(input_defaults={"1x": 1}), False),
    "activity input key __main__": (ProjectCreate, _project(input={"__main__": "str"}), False),
    # type names: capitalised ASCII, not a name Python or the generated code uses
    "type Order": (ProjectCreate, _types({"Order": {"fields": {"qty": "int"}}}), True),
    "type order": (ProjectCreate, _types({"order": {}}), False),
    "type ValueError": (ProjectCreate, _types({"ValueError": {}}), False),
    "type Any": (ProjectCreate, _types({"Any": {}}), False),
    "type Anything": (ProjectCreate, _types({"Anything": {}}), True),
    "type field if": (ProjectCreate, _types({"Order": {"fields": {"if": "int"}}}), False),
    # a deployment names saved versions of workflows by their ids
    "versions a: 1": (DeploymentCreate, {"versions": {"a": 1}}, True),
    "versions a: 1.0": (DeploymentCreate, {"versions": {"a": 1.0}}, True),
    "versions a: 0": (DeploymentCreate, {"versions": {"a": 0}}, False),
    "versions A: 1": (DeploymentCreate, {"versions": {"A": 1}}, False),
    "versions a: true": (DeploymentCreate, {"versions": {"a": True}}, False),
    # a stand-in gives either `result` or `error`
    "stand-in result": (RunStart, _stand_in({"result": None}), True),
    "stand-in result, error null": (RunStart, _stand_in({"result": 1, "error": None}), True),
    "stand-in error": (RunStart, _stand_in({"error": {"message": "m"}}), True),
    "stand-in nothing": (RunStart, _stand_in({}), False),
    "stand-in error null": (RunStart, _stand_in({"error": None}), False),
    "stand-in both": (RunStart, _stand_in({"result": 1, "error": {"message": "m"}}), False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_schema_allows_what_the_models_take(openapi: dict[str, Any], case: str) -> None:
    model, instance, expected = CASES[case]
    allowed, taken = _agree(openapi, model, instance)
    assert (allowed, taken) == (expected, expected), (
        f"schema allows: {allowed}, model takes: {taken}"
    )


def _keys(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            yield key
            yield from _keys(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _keys(item)


def test_constrained_keys_are_property_names(openapi: dict[str, Any]) -> None:
    """`patternProperties` alone would let any other key through; `ge`, `le` are no JSON
    Schema (pydantic writes them when it cannot place a constraint)."""
    found = set(_keys(openapi["components"]))
    assert not found & {"patternProperties", "ge", "le", "gt", "lt"}


RUN_PATHS = [
    ("GET", "/api/runs/w"),
    ("GET", "/api/runs/w/events"),
    ("GET", "/api/runs/w/nodes/n/children"),
    ("POST", "/api/runs/w/cancel"),
    ("POST", "/api/runs/w/rerun"),
]


@pytest.mark.parametrize(("method", "path"), RUN_PATHS)
def test_a_run_id_is_a_uuid_as_temporal_has_it(
    sqlite_api: TestClient, method: str, path: str
) -> None:
    """Temporal refuses any other run id (`Invalid RunId.`); the schema says so and the API
    refuses it before asking. (This server runs without Temporal: a good one gets 409.)"""
    for bad in ["0", "9Aea8E8FdEcFd1b-099D-d0c", "0" * 63, f"{uuid.uuid4()}\n"]:
        answer = sqlite_api.request(method, path, params={"run_id": bad})
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["diagnostics"][0]["field"] == "query.run_id"
    for good in [str(uuid.uuid4()), str(uuid.uuid4()).upper()]:
        assert sqlite_api.request(method, path, params={"run_id": good}).status_code == 409
