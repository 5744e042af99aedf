"""A method a path does not have answers 405 with `Allow` naming the methods it has.

Left to routing, such a request reaches whatever matches last: the editor's static files
mounted at `/` answer 405 `Allow: GET, HEAD` (wrong for every API path) or 404 for a GET of a
path that only takes POST; without the editor, the first route of the path answers with its
own methods only (`GET, HEAD` for `/api/projects/{id}`, which also has PATCH and DELETE).
RFC 9110 wants a 405 and an `Allow` listing every method of the resource, so this answers
before routing, from all the routes whose path matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

try:  # FastAPI 0.165 includes routers lazily: their routes are reached through contexts
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - an older FastAPI lists every route in app.routes

    def iter_route_contexts(routes: Sequence[Any]) -> Iterable[Any]:  # type: ignore[misc]
        return routes


MethodTable = list[tuple[re.Pattern[str], frozenset[str]]]


def method_table(routes: Sequence[BaseRoute]) -> MethodTable:
    """Each route's path pattern with its methods; mounts (no methods) are left out.

    HEAD is listed where a route has it: Starlette's own routes add it beside GET, the routes
    of an included FastAPI router do not (a HEAD there gets this 405, listing GET)."""
    table: MethodTable = []
    for route in iter_route_contexts(routes):
        methods = getattr(route, "methods", None)
        pattern = getattr(route, "path_regex", None)
        if methods and pattern is not None:
            table.append((pattern, frozenset(methods)))
    return table


def allowed_methods(table: MethodTable, path: str) -> frozenset[str]:
    """The methods of every route matching `path`; none when no route matches it."""
    found: frozenset[str] = frozenset()
    for pattern, methods in table:
        if pattern.match(path):
            found |= methods
    return found


class AllowedMethodsMiddleware:
    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes  # the app's own list: routes added after this are seen too
        self.table: MethodTable | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.table is None:  # the first request: every route is in place by now
                self.table = method_table(self.routes)
            methods = allowed_methods(self.table, get_route_path(scope))
            if methods and scope["method"] not in methods:
                body = json.dumps({"detail": "Method Not Allowed"}, separators=(",", ":")).encode()
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"allow", ", ".join(sorted(methods)).encode()),
                ]
                await send({"type": "http.response.start", "status": 405, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
