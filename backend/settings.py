"""Settings, read from the environment when the app is created (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./data/wfd.db"
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


class SettingsError(ValueError):
    """An environment variable holds a value the server cannot use."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    token: str | None = None
    """When set, every /api request needs `Authorization: Bearer <token>`."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    frontend_dist: Path = DEFAULT_FRONTEND_DIST
    """The built editor, served at `/` when the folder exists."""
    seed_when_empty: bool = False
    """Create the sample projects at start-up when the database has none (`wfd serve`)."""
    server_process: bool = False
    """The process serves the app and nothing else (`wfd serve`): once started, it keeps the
    objects made so far out of the garbage collector's sight (see `backend.app`)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """DATABASE_URL, WFD_TOKEN, WFD_MAX_BODY_BYTES and WFD_FRONTEND_DIST, with defaults."""
        env = os.environ if environ is None else environ
        limit_text = env.get("WFD_MAX_BODY_BYTES", "").strip()
        try:
            limit = int(limit_text) if limit_text else DEFAULT_MAX_BODY_BYTES
        except ValueError:
            raise SettingsError(
                f"WFD_MAX_BODY_BYTES={limit_text!r} is not a whole number of bytes"
            ) from None
        if limit <= 0:
            raise SettingsError(f"WFD_MAX_BODY_BYTES={limit} must be positive")
        return cls(
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            token=env.get("WFD_TOKEN") or None,
            max_body_bytes=limit,
            frontend_dist=Path(env.get("WFD_FRONTEND_DIST") or DEFAULT_FRONTEND_DIST),
        )
