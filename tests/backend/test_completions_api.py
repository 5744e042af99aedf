"""The names in scope at each node, with their types, in the answer of /api/validate: what the
editor's expression fields complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.backend.documents import project, workflow

FLEET = json.loads(
    (
        Path(__file__).parents[1] / "compiler" / "golden" / "fleet_patching" / "project.json"
    ).read_text()
)


def scope(completions: dict[str, Any], index: int) -> dict[str, str]:
    """The names of one scope, its chain of differences resolved."""
    chain: list[dict[str, Any]] = []
    while index != -1:
        entry = completions["scopes"][index]
        chain.append(entry)
        index = entry["base"]
    names: dict[str, str] = {}
    for entry in reversed(chain):
        for name in entry["drop"]:
            names.pop(name, None)
        names.update(entry["add"])
    return names


def node_scope(
    completions: dict[str, Any], workflow_id: str, node_id: str, field: str | None = None
) -> dict[str, str]:
    places = completions["workflows"][workflow_id]
    index = places["nodes"][node_id]
    if field is not None:
        index = places["fields"].get(node_id, {}).get(field, index)
    return scope(completions, index)


def test_each_node_sees_the_names_bound_before_it_with_their_types(
    sqlite_api: TestClient,
) -> None:
    response = sqlite_api.post("/api/validate", json=FLEET)
    assert response.status_code == 200, response.text
    completions = response.json()["completions"]

    listing = node_scope(completions, "patch-fleet", "list")
    assert listing["input"] == "PatchFleetInput"
    assert listing["state"] == "PatchFleetState"
    assert listing["now"] == "datetime"
    assert "hosts" not in listing  # bound by this very node

    # inside the for-each loop's body, inside a Try: the item, not yet the patch's result
    drain = node_scope(completions, "patch-fleet", "drain")
    assert (drain["item"], drain["hosts"]) == ("str", "list[str]")
    assert "installed" not in drain
    record = node_scope(completions, "patch-fleet", "record")
    assert record["installed"] == "str"

    # after the loop, its item is gone; in a Retry's body, `attempt` is there
    after = node_scope(completions, "patch-fleet", "count")
    assert "item" not in after and "installed" not in after
    probe = node_scope(completions, "patch-fleet", "probe")
    assert probe["attempt"] == "int"

    # the Retry's `until` is read after its body ran: it sees the probe's result
    assert "healthy" not in node_scope(completions, "patch-fleet", "health")
    assert node_scope(completions, "patch-fleet", "health", "config.until")["healthy"] == "bool"

    # a query reads input and state only
    assert set(node_scope(completions, "patch-fleet", "progress")) == {"input", "state"}

    # the id template is filled before the workflow runs: it reads the input alone
    settings = completions["workflows"]["patch-fleet"]["settings"]
    assert scope(completions, settings) == {"input": "PatchFleetInput"}

    # `state.` completes the record's fields; the allowed functions are listed
    assert completions["records"]["PatchFleetState"] == {
        "patched": "list[str]",
        "failed": "list[str]",
        "sweeps": "int",
    }
    assert completions["records"]["PatchFleetInput"]["region"] == "str"
    assert {"len", "sorted", "str"} <= set(completions["functions"])


def test_project_types_are_records_not_names(sqlite_api: TestClient) -> None:
    body = sqlite_api.post("/api/validate", json=project()).json()
    completions = body["completions"]
    assert completions["records"]["Report"] == {"count": "int", "notes": "list[str]"}
    end = node_scope(completions, "main", "end")
    assert end["r1"] == end["r2"] == "int"
    assert "Report" not in end


def test_the_answer_stays_small_for_a_thousand_nodes(sqlite_api: TestClient) -> None:
    """Each step binds a result, so the scopes grow along the chain: stored as differences,
    the answer grows with the number of nodes, not with its square."""
    document = project(workflows=[workflow("long", steps=1000)])
    response = sqlite_api.post("/api/validate", json=document)
    assert response.status_code == 200
    completions = response.json()["completions"]
    assert len(response.content) < 120_000
    end = node_scope(completions, "long", "end")
    assert {f"r{index}" for index in range(1, 1001)} <= set(end)
    assert "r500" not in node_scope(completions, "long", "step500")
