"""Request bodies built to hurt the server get a 4xx with the reason, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("depth", [999, 100_000])
@pytest.mark.parametrize("route", ["/api/validate", "/api/compile", "/api/import"])
def test_json_nested_deeper_than_the_parser_allows_is_a_422(
    api: TestClient, route: str, depth: int
) -> None:
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        answer = api.post(route, content=body, headers={"content-type": "application/json"})

        assert answer.status_code == 422, answer.text
        assert "recursion limit" in answer.json()["diagnostics"][0]["message"]
