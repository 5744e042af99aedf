"""Templates through the HTTP API: the list, a project from a template, a pattern added to a
project; every template compiles, and every pattern runs to its end on the dev server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from temporalio.client import Client

import samples
from compiler import compile_project
from tests.backend.documents import project, settings_of
from tests.support.harness import import_package, running_worker, unique_id
from tests.support.samples import scale_waits

PATTERNS = ["approval", "fan-out", "polling", "saga"]
PATTERNS_FOLDER = samples.FOLDER / "templates"
RUN_TIMEOUT = timedelta(seconds=60)


def pattern(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (PATTERNS_FOLDER / f"{name}.json").read_text(encoding="utf-8")
    )
    return document


def from_template(api: TestClient, template: str, project_id: str, name: str = "") -> Any:
    return api.post(
        "/api/projects-from-template", json={"template": template, "id": project_id, "name": name}
    )


def add_pattern(api: TestClient, project_id: str, template: str, workflow_id: str) -> Any:
    return api.post(
        f"/api/projects/{project_id}/workflows-from-template",
        json={"template": template, "workflow_id": workflow_id},
    )


def test_templates_list_the_samples_then_the_patterns(api: TestClient) -> None:
    listed = api.get("/api/templates").json()
    assert [(t["id"], t["kind"]) for t in listed] == [
        *((name, "project") for name in samples.names()),
        *((name, "pattern") for name in PATTERNS),
    ]
    by_id = {t["id"]: t for t in listed}
    assert by_id["fan-out"]["workflows"] == ["Fan-out", "Process item"]
    assert by_id["fan-out"]["node_count"] == 6
    for sample in samples.documents():
        summary = by_id[sample["id"]]
        assert summary["name"] == sample["name"]
        assert summary["node_count"] == sum(len(w["nodes"]) for w in sample["workflows"])


@pytest.mark.parametrize("template", [*samples.names(), *PATTERNS])
def test_a_project_from_each_template_compiles(api: TestClient, template: str) -> None:
    created = from_template(api, template, "mine", "My project")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["id"], body["name"], body["task_queue"]) == ("mine", "My project", "mine")
    exported = api.get("/api/projects/mine/export").json()
    result = compile_project(exported)
    errors = [d.format() for d in result.diagnostics if d.severity == "error"]
    assert result.ok, errors
    assert [w["id"] for w in body["workflows"]] == [w["id"] for w in exported["workflows"]]
    assert len(body["workflows"]) >= 1


def test_a_project_from_a_template_keeps_its_name_unless_given_one(api: TestClient) -> None:
    created = from_template(api, "saga", "trips")
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Saga"
    assert [w["id"] for w in created.json()["workflows"]] == ["saga"]


def test_a_taken_id_is_a_conflict_and_a_bad_one_invalid(api: TestClient) -> None:
    assert from_template(api, "approval", "taken").status_code == 201
    again = from_template(api, "polling", "taken")
    assert again.status_code == 409
    assert "taken" in again.json()["detail"]
    assert [w["id"] for w in api.get("/api/projects/taken").json()["workflows"]] == ["approval"]

    bad = from_template(api, "approval", "Not A Slug!")
    assert bad.status_code == 422
    assert [d["field"] for d in bad.json()["diagnostics"]] == ["id"]

    unknown = from_template(api, "no-such-template", "fresh")
    assert unknown.status_code == 404
    detail = unknown.json()["detail"]
    assert "'no-such-template'" in detail and "approval" in detail and "plan-writer" in detail
    assert api.get("/api/projects/fresh").status_code == 404


def create_plain(api: TestClient, project_id: str = "demo") -> dict[str, Any]:
    response = api.post("/api/projects", json=settings_of(project(project_id)))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_pattern_adds_its_workflow_with_what_it_needs(api: TestClient) -> None:
    before = create_plain(api)
    added = add_pattern(api, "demo", "fan-out", "batch")
    assert added.status_code == 201, added.text
    body = added.json()
    assert [w["id"] for w in body["workflows"]] == ["batch", "process-item"]
    assert [a["name"] for a in body["activities"]] == [
        *(a["name"] for a in before["activities"]),
        "handle_item",
    ]
    assert body["revision"] == before["revision"] + 1
    batch = api.get("/api/projects/demo/workflows/batch").json()["document"]
    assert batch["name"] == "Fan-out"
    assert [n["type"] for n in batch["nodes"]] == ["start", "spawn_children", "end"]

    # a second copy shares the child workflow and the activity it already added
    again = add_pattern(api, "demo", "fan-out", "nightly-batch")
    assert again.status_code == 201, again.text
    assert [w["id"] for w in again.json()["workflows"]] == [
        "batch",
        "process-item",
        "nightly-batch",
    ]
    assert [a["name"] for a in again.json()["activities"]].count("handle_item") == 1
    assert again.json()["revision"] == body["revision"], "nothing in the settings changed"
    assert compile_project(api.get("/api/projects/demo/export").json()).ok


def test_adding_a_pattern_refuses_what_would_clash(api: TestClient) -> None:
    create_plain(api)
    assert add_pattern(api, "demo", "approval", "sign-off").status_code == 201
    taken = add_pattern(api, "demo", "polling", "sign-off")
    assert taken.status_code == 409
    assert "'sign-off'" in taken.json()["detail"]

    # an activity of the same name that does something else is not overwritten
    current = api.get("/api/projects/demo").json()
    activities = [a for a in current["activities"] if a["name"] != "check_job"]
    activities.append({"name": "check_job", "input": {"url": "str"}, "output": "bool"})
    changed = api.patch(
        "/api/projects/demo", json={"revision": current["revision"], "activities": activities}
    )
    assert changed.status_code == 200, changed.text
    clash = add_pattern(api, "demo", "polling", "wait-for-job")
    assert clash.status_code == 409
    assert "'check_job'" in clash.json()["detail"]
    after = api.get("/api/projects/demo").json()
    assert [w["id"] for w in after["workflows"]] == ["sign-off"]
    assert after["revision"] == changed.json()["revision"]

    whole = add_pattern(api, "demo", "plan-writer", "plans")
    assert whole.status_code == 404
    assert (
        "there is no pattern 'plan-writer'; the patterns are approval, fan-out"
        in (whole.json()["detail"])
    )
    assert add_pattern(api, "nowhere", "saga", "trip").status_code == 404
    bad = add_pattern(api, "demo", "saga", "Trip!")
    assert bad.status_code == 422
    assert [d["field"] for d in bad.json()["diagnostics"]] == ["workflow_id"]


# each pattern on the dev server, with its simulated activities


async def run_pattern(
    client: Client, package_dir: Path, name: str, arg: dict[str, Any], signals: Sequence[Any] = ()
) -> Any:
    document = scale_waits(pattern(name), 0.01)
    document["id"] = f"template-run-{name}"
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await client.start_workflow(
            document["workflows"][0]["id"],
            arg,
            id=unique_id(name),
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        for signal, payload in signals:
            await handle.signal(signal, payload)
        return await handle.result()


async def test_the_approval_pattern_runs_once_approved(client: Client, package_dir: Path) -> None:
    outcome = await run_pattern(
        client, package_dir, "approval", {"request": "laptop"}, [("approve", {"approver": "ann"})]
    )
    assert outcome == "laptop done, approved by ann"


async def test_the_saga_pattern_runs(client: Client, package_dir: Path) -> None:
    outcome = await run_pattern(client, package_dir, "saga", {"traveller": "bo"})
    assert outcome == "car-bo, hotel-bo, flight-bo"


async def test_the_polling_pattern_runs_until_done(client: Client, package_dir: Path) -> None:
    outcome = await run_pattern(client, package_dir, "polling", {"job": "j1", "done_after": 2})
    assert outcome == "j1 done after 2 checks"


async def test_the_fan_out_pattern_runs(client: Client, package_dir: Path) -> None:
    outcome = await run_pattern(client, package_dir, "fan-out", {"items": ["a", "b", "c", "d"]})
    assert outcome["completed"] == {item: f"processed {item}" for item in "abcd"}
    assert outcome["failed"] == {}
