"""Settings, read from the environment when the app is created (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypedDict

from backend.security import allowed_hosts

DEFAULT_DATABASE_URL = "sqlite:///./data/wfd.db"
DEFAULT_DATA_DIR = Path("data")
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_MIN_FREE_BYTES = 16 * 1024 * 1024
DEFAULT_FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


TemporalMode = Literal["embedded", "external", "off"]
"""`embedded`: `wfd serve` runs a Temporal dev server of its own; `external`: TEMPORAL_ADDRESS
names a server (a cluster, Temporal Cloud) and nothing is started; `off`: the designer alone."""

RuntimeHost = Literal["app", "parent", "none"]
"""Who runs the runtime (Temporal, the deployments' workers): the app itself, in its lifespan;
the `wfd serve` process that started the app (its address handed over in WFD_TEMPORAL_ADDRESS);
or nobody, so deployments are refused."""


_RUNTIME_HOSTS: dict[str, RuntimeHost] = {"app": "app", "parent": "parent", "none": "none"}


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
    data_dir: Path = DEFAULT_DATA_DIR
    """Temporal's state file, deployments, worker logs and the projects' own activity code."""
    temporal: TemporalMode = "embedded"
    temporal_address: str | None = None
    """host:port of the server: a cluster's (external), or the embedded one once started."""
    temporal_namespace: str = "default"
    temporal_api_key: str | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_ui_url: str | None = None
    """The Temporal Web UI, for links from runs and deployments."""
    temporal_port: int | None = None
    """The embedded server's gRPC port; a free one when unset."""
    temporal_ui_port: int | None = None
    temporal_dynamic_config: tuple[str, ...] = ()
    """`key=value` dynamic config values the embedded server starts with (its
    `--dynamic-config-value`, each value JSON), after its own:
    `system.enableDeploymentVersions=false` turns Worker Deployments off,
    `matching.PollerHistoryTTL="10s"` forgets stopped workers sooner."""
    runtime: RuntimeHost = "none"
    allowed_hosts: tuple[str, ...] | None = None
    """The names the Host header may carry (`name` for any port, `name:port`, `*` for any):
    the loopback names, plus `wfd serve --host` and WFD_ALLOWED_HOSTS, when read from the
    environment. None (settings built in code, as tests and embedding programs do) checks
    nothing."""
    min_free_bytes: int = DEFAULT_MIN_FREE_BYTES
    """`/api/health` reports the disk as full when the database's folder has less free space."""

    @property
    def deployments_dir(self) -> Path:
        return self.data_dir / "deployments"

    @property
    def code_dir(self) -> Path:
        """`<data dir>/code/<project id>/` holds a project's own Python activity code."""
        return self.data_dir / "code"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """DATABASE_URL, WFD_TOKEN, WFD_MAX_BODY_BYTES, WFD_FRONTEND_DIST, WFD_DATA_DIR,
        WFD_ALLOWED_HOSTS (and WFD_LISTEN_HOST, which `wfd serve --host` sets) and Temporal's
        (see `_temporal_from_env`), with defaults."""
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
        database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        return cls(
            database_url=database_url,
            token=env.get("WFD_TOKEN") or None,
            max_body_bytes=limit,
            frontend_dist=Path(env.get("WFD_FRONTEND_DIST") or DEFAULT_FRONTEND_DIST),
            data_dir=_data_dir(env, database_url),
            allowed_hosts=_allowed_hosts(env),
            **_temporal_from_env(env),
        )


def _allowed_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    """Loopback, the address `wfd serve` listens on, then WFD_ALLOWED_HOSTS (comma-separated)."""
    extra = [entry for entry in env.get("WFD_ALLOWED_HOSTS", "").split(",") if entry.strip()]
    try:
        return allowed_hosts(extra, env.get("WFD_LISTEN_HOST"))
    except ValueError as error:
        raise SettingsError(f"WFD_ALLOWED_HOSTS: {error}") from None


def _data_dir(env: Mapping[str, str], database_url: str) -> Path:
    """WFD_DATA_DIR; else the folder of the SQLite database (./data by default), so a server
    on a database of its own keeps its Temporal state and deployments beside it; else ./data."""
    named = env.get("WFD_DATA_DIR", "").strip()
    if named:
        return Path(named).resolve()
    if database_url.startswith("sqlite:///"):
        database = database_url.removeprefix("sqlite:///").split("?", 1)[0]
        if database and database != ":memory:":
            return Path(database).parent.resolve()
    return DEFAULT_DATA_DIR.resolve()


class _TemporalSettings(TypedDict):
    temporal: TemporalMode
    temporal_address: str | None
    temporal_namespace: str
    temporal_api_key: str | None
    temporal_tls_cert: Path | None
    temporal_tls_key: Path | None
    temporal_ui_url: str | None
    temporal_port: int | None
    temporal_ui_port: int | None
    temporal_dynamic_config: tuple[str, ...]
    runtime: RuntimeHost


def _temporal_from_env(env: Mapping[str, str]) -> _TemporalSettings:
    """WFD_TEMPORAL (`embedded` or `off`), TEMPORAL_ADDRESS (a server of your own: nothing is
    started), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (as
    the generated worker reads them), WFD_TEMPORAL_PORT and WFD_TEMPORAL_UI_PORT (the embedded
    server's ports), WFD_TEMPORAL_DYNAMIC_CONFIG (its dynamic config values, `key=value`
    separated by spaces), WFD_TEMPORAL_UI_URL; WFD_RUNTIME and WFD_TEMPORAL_ADDRESS are what
    `wfd serve` hands to its app processes."""
    wanted = env.get("WFD_TEMPORAL", "").strip() or "embedded"
    if wanted not in ("embedded", "off"):
        raise SettingsError(f"WFD_TEMPORAL={wanted!r} must be 'embedded' or 'off'")
    runtime_text = env.get("WFD_RUNTIME", "").strip() or "none"
    runtime = _RUNTIME_HOSTS.get(runtime_text)
    if runtime is None:
        raise SettingsError(f"WFD_RUNTIME={runtime_text!r} must be 'app', 'parent' or 'none'")
    cluster = env.get("TEMPORAL_ADDRESS", "").strip()
    mode: TemporalMode = "off" if wanted == "off" else "external" if cluster else "embedded"
    cert, key = env.get("TEMPORAL_TLS_CERT", "").strip(), env.get("TEMPORAL_TLS_KEY", "").strip()
    if bool(cert) != bool(key):
        raise SettingsError("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together")
    return {
        "temporal": mode,
        "temporal_address": cluster or env.get("WFD_TEMPORAL_ADDRESS", "").strip() or None,
        "temporal_namespace": env.get("TEMPORAL_NAMESPACE", "").strip() or "default",
        "temporal_api_key": env.get("TEMPORAL_API_KEY") or None,
        "temporal_tls_cert": Path(cert) if cert else None,
        "temporal_tls_key": Path(key) if key else None,
        "temporal_ui_url": env.get("WFD_TEMPORAL_UI_URL", "").strip() or None,
        "temporal_port": _port(env, "WFD_TEMPORAL_PORT"),
        "temporal_ui_port": _port(env, "WFD_TEMPORAL_UI_PORT"),
        "temporal_dynamic_config": _dynamic_config(env),
        "runtime": "none" if mode == "off" else runtime,
    }


def _dynamic_config(env: Mapping[str, str]) -> tuple[str, ...]:
    values = tuple(env.get("WFD_TEMPORAL_DYNAMIC_CONFIG", "").split())
    for value in values:
        key, equals, _ = value.partition("=")
        if not key or not equals:
            raise SettingsError(
                f"WFD_TEMPORAL_DYNAMIC_CONFIG: {value!r} is not `key=value` "
                "(say system.enableDeploymentVersions=false)"
            )
    return values


def _port(env: Mapping[str, str], name: str) -> int | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"{name}={text!r} is not a port number (1 to 65535)")
    return int(text)
