"""What services raise when a request cannot be served, and how each becomes a response.

Every error answer is JSON with a `detail` sentence; a conflict adds the current revision and
bad input adds diagnostics in the compiler's shape, so the editor can mark every bad node.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pydantic_core
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from language.diagnostics import Codes, Diagnostic
from language.load import schema_diagnostic

logger = logging.getLogger("wfd.backend")


class NotFound(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Conflict(Exception):
    def __init__(self, detail: str, current_revision: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.current_revision = current_revision


class Invalid(Exception):
    def __init__(self, detail: str, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.diagnostics = list(diagnostics)


class Refused(Exception):
    """A request that would harm what runs (409): the answer says why, and what was found."""

    def __init__(self, detail: str, found: dict[str, Any]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.found = found


class Unavailable(Exception):
    """Something the request needs (Temporal, the runtime) does not answer (503), or is off on
    this server (409: asking again will not help until the server is started otherwise)."""

    def __init__(self, detail: str, status_code: int = 503) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code


def invalid_response(detail: str, diagnostics: Sequence[Diagnostic]) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "diagnostics": [d.to_dict() for d in diagnostics]}, status_code=422
    )


def request_diagnostic(body: Any, error: Any) -> Diagnostic:
    """One FastAPI validation error as a diagnostic naming the workflow, node or edge."""
    loc: tuple[int | str, ...] = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return Diagnostic(Codes.INVALID_JSON, f"the request body is not valid JSON: {reason}")
    if not loc or loc[0] != "body":
        # a path or query parameter
        return Diagnostic(Codes.SCHEMA, str(error.get("msg", "")), field=".".join(map(str, loc)))
    if len(loc) == 1:
        # the body as a whole: missing, or not a JSON object
        if error.get("type") == "missing":
            return Diagnostic(Codes.SCHEMA, "the request needs a JSON body")
        return Diagnostic(Codes.SCHEMA, f"the request body must be a JSON object: {error['msg']}")
    item = {**error, "loc": loc[1:]}
    if len(loc) >= 2 and loc[1] == "document" and isinstance(body, dict):
        # a workflow document inside a request body: read it as the project's only workflow
        found = schema_diagnostic(
            {"workflows": [body.get("document")]}, {**error, "loc": ("workflows", 0, *loc[2:])}
        )
        if found.node_id is None and found.edge_id is None:
            found = replace(found, field=".".join(map(str, loc[1:])))
        return found
    return schema_diagnostic(body if isinstance(body, dict) else {}, item)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(_request: Request, error: NotFound) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=404)

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, error: Conflict) -> JSONResponse:
        return JSONResponse(
            {"detail": error.detail, "current_revision": error.current_revision}, status_code=409
        )

    @app.exception_handler(Refused)
    async def refused(_request: Request, error: Refused) -> JSONResponse:
        return JSONResponse({**error.found, "detail": error.detail}, status_code=409)

    @app.exception_handler(Invalid)
    async def invalid(_request: Request, error: Invalid) -> JSONResponse:
        return invalid_response(error.detail, error.diagnostics)

    @app.exception_handler(Unavailable)
    async def unavailable(_request: Request, error: Unavailable) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        body = error.body
        if isinstance(body, str | bytes):
            try:  # pydantic's parser stops at a nesting limit where json's would recurse
                body = pydantic_core.from_json(body, allow_inf_nan=False)
            except ValueError:
                body = None
        diagnostics = [request_diagnostic(body, item) for item in error.errors()]
        return invalid_response("the request is not valid; see diagnostics", diagnostics)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error.detail)}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(OperationalError)
    async def database_unavailable(_request: Request, error: OperationalError) -> JSONResponse:
        logger.error("database error: %s", error)
        return JSONResponse(
            {"detail": "the database is busy or unreachable; try again"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _error: Exception) -> JSONResponse:
        # Starlette logs the traceback after this answer is sent; the client never sees it.
        return JSONResponse({"detail": "internal error; the server log has the details"}, 500)
