"""Every API route, included in one place under /api."""

from __future__ import annotations

from fastapi import APIRouter

from backend.routers import (
    children,
    compiling,
    deployments,
    meta,
    projects,
    runs,
    templates,
    versions,
    workflows,
)
from backend.routers.params import COMMON

api_router = APIRouter(prefix="/api", responses=COMMON)
api_router.include_router(meta.router)
api_router.include_router(projects.router)
api_router.include_router(workflows.router)
api_router.include_router(versions.router)
api_router.include_router(compiling.router)
api_router.include_router(deployments.router)
api_router.include_router(runs.router)
api_router.include_router(children.router)
api_router.include_router(templates.router)
