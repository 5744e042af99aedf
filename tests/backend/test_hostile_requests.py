"""Request bodies built to hurt the server get a 4xx with the reason, never a 500."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from backend.settings import DEFAULT_MAX_BODY_BYTES
from language.document import MAX_NODES
from tests.backend.live import LiveServer
from tests.support.harness import chain, project

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long


@pytest.mark.parametrize("depth", [999, 100_000])
@pytest.mark.parametrize("route", ["/api/validate", "/api/compile", "/api/import"])
def test_json_nested_deeper_than_the_parser_allows_is_a_422(
    api: TestClient, route: str, depth: int
) -> None:
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        answer = api.post(route, content=body, headers={"content-type": "application/json"})

        assert answer.status_code == 422, answer.text
        assert "recursion limit" in answer.json()["diagnostics"][0]["message"]


def large_project(project_id: str, workflows: int) -> dict[str, Any]:
    """Workflows of the most nodes allowed, each node as short as it can be: the document that
    grows the most when every default field is written out."""
    return project(project_id, [_long_workflow(f"w{i}") for i in range(workflows)])


def _long_workflow(workflow_id: str) -> dict[str, Any]:
    steps = [
        {"id": f"s{i}", "type": "set_state", "config": {"assignments": []}}
        for i in range(MAX_NODES - 2)
    ]
    nodes: list[dict[str, Any]] = [{"id": "a", "type": "start"}, *steps, {"id": "z", "type": "end"}]
    return {"id": workflow_id, "nodes": nodes, "edges": chain(*(n["id"] for n in nodes))}


def test_an_export_imports_again_even_when_the_import_was_near_the_body_limit(
    api: TestClient,
) -> None:
    document = large_project("near-limit", 21)
    body = json.dumps(document, separators=(",", ":")).encode()
    assert 4_500_000 < len(body) < DEFAULT_MAX_BODY_BYTES
    json_headers = {"content-type": "application/json"}
    assert api.post("/api/import", content=body, headers=json_headers).status_code == 201
    drafts = [api.get(f"/api/projects/near-limit/workflows/w{i}").json() for i in range(21)]

    exported = api.get("/api/projects/near-limit/export?compact=true")

    assert exported.status_code == 200
    assert len(exported.content) <= len(body) * 1.05  # about what was sent, not 1.4 times it
    again = api.post("/api/import?overwrite=true", content=exported.content, headers=json_headers)
    assert again.status_code == 201, again.text[:500]
    for i, before in enumerate(drafts):
        after = api.get(f"/api/projects/near-limit/workflows/w{i}").json()
        assert after["document"] == before["document"]
        assert after["revision"] == before["revision"] + 1


def test_a_version_of_an_unchanged_draft_is_the_newest_version_stored_once(
    api: TestClient,
) -> None:
    api.post("/api/projects", json={"id": "snap", "name": "Snap"}).raise_for_status()
    workflows = "/api/projects/snap/workflows"
    created = api.post(workflows, json={"document": {"id": "w", "name": "W"}})
    assert created.status_code == 201, created.text
    versions = f"{workflows}/w/versions"

    first = api.post(versions, json={"message": "first"})
    same = api.post(versions, json={"message": "nothing changed"})
    pinned = api.post(versions, json={"message": "at revision 1", "revision": 1})

    assert first.status_code == 201
    assert (same.status_code, same.json()["number"]) == (200, 1)
    assert same.json()["message"] == "first"
    assert (pinned.status_code, pinned.json()["number"]) == (200, 1)
    assert [v["number"] for v in api.get(versions).json()] == [1]

    draft = api.get(f"{workflows}/w").json()
    changed = {**draft["document"], "name": "W2"}
    saved = api.put(f"{workflows}/w", json={"revision": draft["revision"], "document": changed})
    saved.raise_for_status()
    second = api.post(versions, json={"message": "second"})
    assert (second.status_code, second.json()["number"]) == (201, 2)
    stale = api.post(versions, json={"message": "stale", "revision": 1})
    assert stale.status_code == 409
    assert [v["number"] for v in api.get(versions).json()] == [1, 2]


async def test_health_answers_while_a_large_import_is_validated_and_stored(
    live_server: LiveServer, sqlite_url: str
) -> None:
    """A heavy request runs beside the event loop: a health check sent after it is answered
    before it ends, not queued behind it."""
    url = live_server.start(sqlite_url)
    body = json.dumps(large_project("heavy", 21), separators=(",", ":")).encode()
    answered: list[str] = []
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(300)) as client:
        await client.get("/api/health")  # connections open, the app warm

        async def heavy() -> None:
            answer = await client.post(
                "/api/import", content=body, headers={"content-type": "application/json"}
            )
            assert answer.status_code == 201, answer.text[:300]
            answered.append("import")

        async def light() -> None:
            await asyncio.sleep(0.05)  # the import's body is on its way
            while "import" not in answered:
                (await client.get("/api/health")).raise_for_status()
                answered.append("health")
                await asyncio.sleep(0.01)

        await asyncio.gather(heavy(), light())

    assert answered.index("health") < answered.index("import"), answered
