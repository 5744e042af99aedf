"""Diagnostics and generated code for a posted project document."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from backend.models import CompilePublic, ValidatePublic
from backend.requests import StrictJSONRoute
from backend.services import compiling
from language.document import Project

router = APIRouter(tags=["compiler"], route_class=StrictJSONRoute)


@router.post("/validate")
def validate(document: Project) -> ValidatePublic:
    """Every diagnostic of the document; `ok` is false when any of them is an error."""
    return compiling.validate(document)


@router.post(
    "/compile",
    response_model=CompilePublic,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The files and source map, or with ?format=zip the package folder",
        }
    },
)
def compile_project(
    document: Project, format: Annotated[Literal["json", "zip"], Query()] = "json"
) -> CompilePublic | Response:
    """The generated package; a document with errors gets 422 and its diagnostics."""
    result = compiling.compile_document(document)
    if format == "json":
        return compiling.as_json(result)
    return Response(
        compiling.as_zip(result),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{result.package}.zip"'},
    )
