"""What keeps a server on a developer's machine from being driven by a web page: the Host
header is checked (DNS rebinding), and every answer carries headers that keep the editor and
/docs out of other sites' frames and limit what their pages may load."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""The names a browser on this machine uses for a server listening on loopback."""

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})
"""Listening addresses that mean every interface: they name no host a browser would send."""

EDITOR_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # no 'unsafe-inline' for styles either: the built editor has no inline <style> or
        # style="" markup (React, React Flow and Swagger UI set styles through the CSSOM,
        # which the policy leaves alone); the browser tests fail on any violation
        "style-src 'self'",
        "img-src 'self' data:",  # the favicon and Swagger UI's icons are data: URLs
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The Content-Security-Policy of every answer but /docs (which adds the hash of its one inline
script, see `backend.app`)."""

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1 (brackets allowed)."""
    name = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def normalise_host(entry: str) -> str:
    """An allowed host as the Host header spells it: lower case, IPv6 addresses in brackets,
    no trailing dot; `name:port` keeps its port."""
    text = entry.strip().lower()
    if text == "*":
        return text
    try:
        return f"[{ipaddress.IPv6Address(text)}]"
    except ValueError:
        pass
    parsed = parse_host(text)
    if parsed is None:
        raise ValueError(f"{entry!r} is not a host name, an address or name:port")
    name, port = parsed
    return name if port is None else f"{name}:{port}"


_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9_.\-]+)(?::(?P<port>[0-9]{1,5}))?")


def parse_host(header: str) -> tuple[str, int | None] | None:
    """(name, port) of a Host header, the name lower-cased and without a trailing dot."""
    match = _HOST.fullmatch(header.strip().lower())
    if match is None:
        return None
    name = match["name"]
    if name.startswith("["):
        try:
            name = f"[{ipaddress.IPv6Address(name[1:-1])}]"
        except ValueError:
            return None
    else:
        name = name.rstrip(".")
        if not name:
            return None
    port = match["port"]
    return name, int(port) if port is not None else None


def allowed_hosts(extra: Iterable[str], listen_host: str | None) -> tuple[str, ...]:
    """The loopback names, the address `wfd serve --host` listens on (unless it is every
    interface's), then `extra` (WFD_ALLOWED_HOSTS), normalised, without repeats."""
    entries = list(LOOPBACK_HOSTS)
    if listen_host is not None and listen_host.strip().lower() not in WILDCARD_HOSTS:
        entries.append(listen_host)
    entries.extend(extra)
    found: list[str] = []
    for entry in entries:
        if entry.strip():
            host = normalise_host(entry)
            if host not in found:
                found.append(host)
    return tuple(found)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HostCheckMiddleware:
    """Requests whose Host header names none of the allowed hosts get 400.

    A page on another site can make a browser send requests to 127.0.0.1 by having its own
    name resolve there (DNS rebinding); the Host header still carries the page's name, so the
    request is refused here. An allowed `name` takes any port, `name:port` that port only;
    `*` allows every host.
    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = tuple(hosts)
        self.names = {h for h in self.hosts if not _has_port(h)}
        self.with_port = {h for h in self.hosts if _has_port(h)}
        self.allow_any = "*" in self.hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"host"), None)
        text = header.decode("latin-1") if header is not None else ""
        parsed = parse_host(text) if text else None
        if parsed is not None:
            name, port = parsed
            if name in self.names or (port is not None and f"{name}:{port}" in self.with_port):
                await self.app(scope, receive, send)
                return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        shown = repr(text[:100]) if text else "missing"
        await _refuse(
            send,
            400,
            f"the Host header ({shown}) names no host this server answers to; it answers to "
            f"{', '.join(self.hosts)}. To reach it by another name, add that name to "
            "WFD_ALLOWED_HOSTS (comma-separated)",
        )


def _has_port(host: str) -> bool:
    return bool(re.search(r":[0-9]+$", host)) and not host.endswith("]")


class SecurityHeadersMiddleware:
    """Adds the security headers, and the editor's Content-Security-Policy to answers that
    set none of their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self.csp = (b"content-security-policy", EDITOR_CSP.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                if self.csp[0] not in present:
                    headers.append(self.csp)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
