"""SIGKILL in the middle of a stream of saves: every acknowledged save is there after restart."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.backend.documents import normalised, project, workflow
from tests.backend.live import LiveServer

WORKFLOWS = ["alpha", "beta", "gamma", "delta"]


async def test_acknowledged_saves_survive_sigkill(
    live_server: LiveServer, database_url: str
) -> None:
    url = live_server.start(database_url)
    document = project("crash", [workflow(w) for w in WORKFLOWS])
    acknowledged: dict[str, tuple[int, dict[str, Any]]] = {w: (1, workflow(w)) for w in WORKFLOWS}
    in_flight: dict[str, tuple[int, dict[str, Any]] | None] = dict.fromkeys(WORKFLOWS)
    versions: dict[str, list[tuple[int, str]]] = {w: [] for w in WORKFLOWS}
    waiting: dict[str, str | None] = dict.fromkeys(WORKFLOWS)
    """What each editor is waiting for: a save, a version, or nothing."""
    saves = 0

    async def editor(http: httpx.AsyncClient, workflow_id: str) -> None:
        nonlocal saves
        path = f"/api/projects/crash/workflows/{workflow_id}"
        revision = 1
        for count in range(1, 100_000):
            draft = workflow(workflow_id, steps=1 + count % 6, name=f"{workflow_id} save {count}")
            in_flight[workflow_id] = (revision, draft)
            waiting[workflow_id] = "save"
            try:
                response = await http.put(path, json={"revision": revision, "document": draft})
            except httpx.TransportError:
                return  # the server is gone
            waiting[workflow_id] = None
            assert response.status_code == 200, response.text
            revision = response.json()["revision"]
            acknowledged[workflow_id] = (revision, draft)
            in_flight[workflow_id] = None
            saves += 1
            if count % 10 == 0:
                message = f"checkpoint {count}"
                waiting[workflow_id] = "version"
                try:
                    made = await http.post(f"{path}/versions", json={"message": message})
                except httpx.TransportError:
                    return
                waiting[workflow_id] = None
                assert made.status_code == 201, made.text
                versions[workflow_id].append((made.json()["number"], message))

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        assert (await http.post("/api/import", json=document)).status_code == 201
        editors = [asyncio.create_task(editor(http, w)) for w in WORKFLOWS]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while saves < 80 and loop.time() < deadline:
            await asyncio.sleep(0.02)
        live_server.kill()
        await asyncio.gather(*editors)
    assert saves >= 20, f"only {saves} saves were acknowledged before the kill"
    assert any(waiting.values()), "no request was in flight when the server died"

    url = live_server.start(database_url)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for workflow_id in WORKFLOWS:
            path = f"/api/projects/crash/workflows/{workflow_id}"
            stored = (await http.get(path)).json()
            revision, draft = acknowledged[workflow_id]
            pending = in_flight[workflow_id]
            if stored["revision"] == revision:
                assert stored["document"] == normalised(draft), workflow_id
            else:
                # the save in flight was committed, its answer lost with the server
                assert pending is not None and pending[0] == revision, workflow_id
                assert stored["revision"] == revision + 1, workflow_id
                assert stored["document"] == normalised(pending[1]), workflow_id
            listed = (await http.get(f"{path}/versions")).json()
            kept = {(v["number"], v["message"]) for v in listed}
            assert set(versions[workflow_id]) <= kept, workflow_id
        # and the store still takes writes after the crash
        revision = (await http.get("/api/projects/crash/workflows/alpha")).json()["revision"]
        again = await http.put(
            "/api/projects/crash/workflows/alpha",
            json={"revision": revision, "document": workflow("alpha", name="after restart")},
        )
        assert again.status_code == 200
