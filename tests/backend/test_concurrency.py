"""Many editors at once against a real `wfd serve`, on SQLite and on PostgreSQL, served by one
process and by two (`--workers 2`: on SQLite the processes take turns through a lock file)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.backend.conftest import STORAGE, database
from tests.backend.documents import normalised, project, workflow
from tests.backend.live import LiveServer

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def workers(request: pytest.FixtureRequest) -> int:
    number: int = request.param
    return number


@pytest.fixture(scope="module", params=STORAGE)
def url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, workers: int
) -> Iterator[str]:
    """One server per storage and process count; each test works in a project of its own."""
    folder = tmp_path_factory.mktemp("concurrency")
    server = LiveServer(folder / "logs")
    with database(request.param, folder) as database_url:
        try:
            address = server.start(database_url, workers=workers)
            server.wait_for_workers(workers)
            yield address
        finally:
            server.stop()


@pytest.fixture
def project_id() -> str:
    return f"race-{uuid.uuid4().hex[:8]}"


@asynccontextmanager
async def warmed_client(url: str, connections: int) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its connections already open, so the requests that follow leave together."""
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(http.get("/api/health") for _ in range(connections)))
        yield http


async def test_twenty_saves_on_one_revision_exactly_one_wins(url: str, project_id: str) -> None:
    main = f"/api/projects/{project_id}/workflows/main"
    documents = [workflow("main", steps=1 + i % 7, name=f"editor {i}") for i in range(20)]
    async with warmed_client(url, 20) as http:
        assert (await http.post("/api/import", json=project(project_id))).status_code == 201
        responses = await asyncio.gather(
            *(http.put(main, json={"revision": 1, "document": d}) for d in documents)
        )
        stored = (await http.get(main)).json()

    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] + [409] * 19, statuses
    winner = statuses.index(200)
    assert responses[winner].json()["revision"] == 2
    assert all(r.json()["current_revision"] == 2 for r in responses if r.status_code == 409)
    # the draft is the winner's document, whole: nothing from the others mixed in
    assert stored["revision"] == 2
    assert stored["document"] == normalised(documents[winner])


async def test_losers_reload_and_retry_until_every_edit_lands(url: str, project_id: str) -> None:
    """Each editor appends its own node; with reload-and-retry on 409 none is lost."""
    main = f"/api/projects/{project_id}/workflows/main"
    async with warmed_client(url, 10) as http:
        await http.post("/api/import", json=project(project_id))

        async def append(editor: int) -> int:
            conflicts = 0
            while True:
                current = (await http.get(main)).json()
                document: dict[str, Any] = current["document"]
                document["nodes"].append({"id": f"note-{editor}", "type": "end", "label": "x"})
                response = await http.put(
                    main, json={"revision": current["revision"], "document": document}
                )
                if response.status_code == 200:
                    return conflicts
                assert response.status_code == 409, response.text
                conflicts += 1

        conflicts = await asyncio.gather(*(append(editor) for editor in range(10)))
        stored = (await http.get(main)).json()
    assert stored["revision"] == 11
    notes = sorted(n["id"] for n in stored["document"]["nodes"] if n["id"].startswith("note-"))
    assert notes == sorted(f"note-{editor}" for editor in range(10))
    assert sum(conflicts) > 0, "the editors never collided; the test proved nothing"


async def test_snapshots_of_one_draft_made_at_once_store_one_version(
    url: str, project_id: str
) -> None:
    main = f"/api/projects/{project_id}/workflows/main"
    async with warmed_client(url, 12) as http:
        await http.post("/api/import", json=project(project_id))
        responses = await asyncio.gather(
            *(http.post(f"{main}/versions", json={"message": f"v{i}"}) for i in range(12))
        )
        listed = (await http.get(f"{main}/versions")).json()
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] * 11 + [201], statuses
    created = responses[statuses.index(201)].json()
    assert {r.json()["number"] for r in responses} == {created["number"]} == {1}
    assert [v["message"] for v in listed] == [created["message"]]


async def test_versions_of_drafts_saved_in_between_get_distinct_numbers(
    url: str, project_id: str
) -> None:
    """Each editor saves its own change and snapshots it, all at once: every snapshot is a
    version of its own, numbered without gaps or repeats, holding a draft that existed."""
    main = f"/api/projects/{project_id}/workflows/main"
    async with warmed_client(url, 8) as http:
        await http.post("/api/import", json=project(project_id))

        async def save_and_snapshot(i: int) -> httpx.Response:
            while True:  # save on the newest revision, again after a 409
                draft = (await http.get(main)).json()
                document = {**draft["document"], "name": f"draft {i}"}
                saved = await http.put(
                    main, json={"revision": draft["revision"], "document": document}
                )
                if saved.status_code == 200:
                    break
                assert saved.status_code == 409, saved.text
            return await http.post(f"{main}/versions", json={"message": f"v{i}"})

        responses = await asyncio.gather(*(save_and_snapshot(i) for i in range(8)))
        listed = (await http.get(f"{main}/versions")).json()
    numbers = sorted(r.json()["number"] for r in responses if r.status_code == 201)
    assert numbers == list(range(1, len(numbers) + 1))
    assert {v["number"] for v in listed} == set(numbers)
    # a snapshot that found no newer draft than the newest version's answered that version
    for answer in responses:
        assert answer.status_code in (200, 201), answer.text
        assert answer.json()["document"]["name"].startswith("draft ")


async def test_the_same_project_created_at_once_is_created_once(url: str, project_id: str) -> None:
    async with warmed_client(url, 10) as http:
        responses = await asyncio.gather(
            *(
                http.post("/api/import", json=project(project_id, [workflow(name=f"copy {i}")]))
                for i in range(10)
            )
        )
        exported = (await http.get(f"/api/projects/{project_id}/export")).json()
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [201] + [409] * 9, statuses
    winner = statuses.index(201)
    assert exported["workflows"][0]["name"] == f"copy {winner}"
