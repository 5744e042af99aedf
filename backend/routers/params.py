"""Path parameters, the answers routes document in the OpenAPI schema, ready JSON answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from backend.models import MAX_INT, ConflictPublic, ErrorPublic, InvalidPublic
from language.document import SLUG_MAX_LENGTH, SLUG_PATTERN

ProjectId = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        max_length=SLUG_MAX_LENGTH,
        openapi_examples={"example": {"summary": "examples/hello.json", "value": "hello"}},
    ),
]
WorkflowId = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        max_length=SLUG_MAX_LENGTH,
        openapi_examples={"example": {"summary": "examples/hello.json", "value": "greet"}},
    ),
]
VersionNumber = Annotated[
    int, Path(ge=1, le=MAX_INT, openapi_examples={"first": {"summary": "the first", "value": 1}})
]

Responses = dict[int | str, dict[str, Any]]

COMMON: Responses = {
    401: {"model": ErrorPublic, "description": "WFD_TOKEN is set and the bearer token is wrong"},
    413: {"model": ErrorPublic, "description": "The request body is above the size limit"},
    422: {"model": InvalidPublic, "description": "Bad input, with diagnostics"},
    503: {"model": ErrorPublic, "description": "The database is busy or unreachable"},
}
NOT_FOUND: Responses = {404: {"model": ErrorPublic, "description": "No such id"}}
CONFLICT: Responses = {
    409: {"model": ConflictPublic, "description": "Based on a stale revision, or id taken"}
}


_STREAMED: dict[str, type[BaseModel]] = {}
"""The models `schema_ref` named, by name."""


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A reference to `model`'s schema, for an answer FastAPI does not model itself (what each
    event of a stream holds); the OpenAPI document adds the schema (`referenced_schemas`)."""
    _STREAMED[model.__name__] = model
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def referenced_schemas() -> dict[str, Any]:
    """The schemas of the models `schema_ref` named, and of the models they hold, as answers
    (every field listed): name -> JSON Schema."""
    _, found = models_json_schema(
        [(model, "serialization") for model in _STREAMED.values()],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = found.get("$defs", {})
    return schemas


def ready_json(content: bytes, status_code: int = 200) -> Response:
    """An answer a service already encoded (a workflow draft around its stored text)."""
    return Response(content, status_code=status_code, media_type="application/json")
