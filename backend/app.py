"""The FastAPI application: `create_app(settings)` wires storage, routes, checks and the editor."""

from __future__ import annotations

import base64
import dataclasses
import gc
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from backend.allowed_methods import AllowedMethodsMiddleware
from backend.db import make_engine, migrate, seed_when_empty
from backend.errors import install_handlers
from backend.middleware import BodyLimitMiddleware, TokenMiddleware
from backend.routers import api_router
from backend.routers.params import referenced_schemas
from backend.runtime.access import RuntimeAccess
from backend.runtime.host import Runtime
from backend.security import EDITOR_CSP, HostCheckMiddleware, SecurityHeadersMiddleware
from backend.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for `settings`, or for the environment when none are given."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    runtime_access = RuntimeAccess(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(migrate, engine)
        if settings.seed_when_empty:
            await run_in_threadpool(seed_when_empty, engine)
        if settings.runtime == "app" and settings.temporal != "off":
            runtime = Runtime(settings)
            await run_in_threadpool(runtime.start)
            runtime_access.runtime = runtime
        if settings.server_process:
            freeze_start_up_objects()
        try:
            yield
        finally:
            if runtime_access.runtime is not None:
                await run_in_threadpool(runtime_access.runtime.stop)
            engine.dispose()

    app = FastAPI(
        title="wfd",
        summary="Design Temporal workflows as graphs; store, version, validate and compile them.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: /docs works without internet access
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.runtime = runtime_access
    install_handlers(app)
    app.include_router(api_router)
    _openapi_document(app, bearer_token=bool(settings.token))
    _serve_api_docs(app)
    # the last added middleware runs first: a request for another host, or without the token,
    # is refused unread; every answer, refusals too, carries the security headers
    app.add_middleware(AllowedMethodsMiddleware, routes=app.routes)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    if settings.token:
        app.add_middleware(TokenMiddleware, token=settings.token)
    if settings.allowed_hosts is not None:
        app.add_middleware(HostCheckMiddleware, hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.frontend_dist.is_dir():
        app.mount("/", StaticFiles(directory=settings.frontend_dist, html=True), name="editor")
    return app


def create_server_app() -> FastAPI:
    """The app of one `wfd serve` worker process, from the environment.

    `wfd serve` has migrated and seeded the database before it starts the workers.
    """
    return create_app(dataclasses.replace(Settings.from_env(), server_process=True))


def freeze_start_up_objects() -> None:
    """Keep what start-up made (modules, routes, the node registry) out of later collections.

    Those objects live as long as the process. Left in the collector's care, every full
    collection walks all of them (some 100,000) again; saving a 200-node workflow builds
    thousands of containers, enough to set off such collections, and they were a third of the
    time a save took. Frozen, they are never scanned; what requests make is collected as usual.
    """
    gc.collect()
    gc.freeze()


SWAGGER_UI = files("fastapi_swagger") / "resources"
"""Swagger UI's script, style sheet and icon, as the `fastapi-swagger` package ships them."""


def _serve_api_docs(app: FastAPI) -> None:
    """Swagger UI at /docs, its files from this server rather than from a CDN."""
    app.mount("/docs/assets", StaticFiles(directory=str(SWAGGER_UI)), name="docs-assets")

    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title}: API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
        # no badge fetched from validator.swagger.io: the page loads nothing from elsewhere
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode()
    # the page starts Swagger UI with one inline script: the policy allows that script by its
    # hash, and no other inline code
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    policy = EDITOR_CSP.replace("script-src 'self'", f"script-src 'self' {hashes}")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"content-security-policy": policy})


def _openapi_document(app: FastAPI, bearer_token: bool) -> None:
    """The OpenAPI document FastAPI writes, with the schemas of what event streams carry
    (which FastAPI does not model) and, when the API wants a bearer token, that token for /docs
    (and generated clients)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            for name, found in referenced_schemas().items():
                schemas.setdefault(name, found)
            components["schemas"] = dict(sorted(schemas.items()))
            if bearer_token:
                components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
                for path, operations in schema.get("paths", {}).items():
                    if path.startswith("/api/"):
                        for operation in operations.values():
                            operation["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
