"""The sample projects are documents (`samples/<project id>.json`) kept in canonical form.

Writing a sample file that was read gives its bytes back, so an edit that leaves the form (a
hand edit, a project saved from the editor and exported) shows as a failure here, and the
canonical writer says how the file should read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import samples
from compiler import check_document
from compiler.document_json import WIDTH, document_json

PATHS = samples.paths()


def test_there_are_the_four_samples() -> None:
    assert samples.names() == [
        "autonomous-dev",
        "feature-pipeline",
        "package-management",
        "plan-writer",
    ]
    assert [document["id"] for document in samples.documents()] == samples.names()


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_a_sample_file_is_canonical(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["id"] == path.stem
    assert document_json(document) == text, (
        f"{path.name} is not in canonical form: rewrite it with "
        "compiler.document_json.document_json"
    )
    assert check_document(text).diagnostics == []


def reversed_keys(value: dict[str, Any]) -> dict[str, Any]:
    return dict(reversed(value.items()))


def test_the_models_decide_the_key_order() -> None:
    """Keys a model declares come in its order, whatever order they were read in; the maps the
    user names (types, fields, arguments) keep the order they have, which means something."""
    document = samples.load("plan-writer")
    mixed = reversed_keys(document)
    mixed["types"] = {name: reversed_keys(t) for name, t in document["types"].items()}
    mixed["activities"] = [
        reversed_keys(
            {
                **activity,
                "implementation": reversed_keys(activity["implementation"]),
                "defaults": reversed_keys(activity["defaults"]),
            }
        )
        for activity in document["activities"]
    ]
    mixed["workflows"] = [
        reversed_keys(
            {
                **workflow,
                "state": [reversed_keys(variable) for variable in workflow["state"]],
                "nodes": [
                    reversed_keys({**node, "config": reversed_keys(node["config"])})
                    for node in workflow["nodes"]
                ],
                "edges": [reversed_keys(edge) for edge in workflow["edges"]],
            }
        )
        for workflow in document["workflows"]
    ]
    assert json.dumps(mixed) != json.dumps(document)
    assert document_json(mixed) == document_json(document)
    assert list(json.loads(document_json(mixed))) == [
        "schema_version",
        "id",
        "name",
        "description",
        "task_queue",
        "types",
        "activities",
        "workflows",
    ]


def test_short_objects_share_a_line_and_long_ones_break() -> None:
    edge = {"id": "a-out-b", "source": "a", "source_handle": "out", "target": "b"}
    node = {
        "id": "wait",
        "type": "timer",
        "label": "Wait",
        "position": {"x": 0.0, "y": 120.0},
        "config": {"duration": "5m"},
    }
    document = {
        "schema_version": 1,
        "id": "tiny",
        "task_queue": "tiny",
        "workflows": [{"id": "main", "nodes": [node], "edges": [edge]}],
    }
    text = document_json(document)
    lines = [line.strip() for line in text.splitlines()]
    assert f'"edges": [{json.dumps(edge)}]' in lines
    assert json.dumps(node) in lines
    assert '"schema_version": 1, "id": "tiny", "task_queue": "tiny",' in lines
    assert json.loads(text) == document
    # an object longer than WIDTH goes one member (or a few short ones) a line
    long_label = "x" * WIDTH
    node["label"] = long_label
    lines = document_json(document).splitlines()
    assert any(line.strip() == f'"label": "{long_label}",' for line in lines)
    assert json.loads("\n".join(lines)) == document
