"""Checks that run before any route: the bearer token, then the size of the request body."""

from __future__ import annotations

import hmac
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class TokenMiddleware:
    """With a token configured, every /api request must carry it as a bearer token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_api(scope["path"]):
            given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
            # the scheme is case-insensitive (RFC 9110 section 11.1): bearer, BEARER, Bearer
            scheme, _, credentials = given.strip().partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(
                credentials.strip(), self.expected
            ):
                await _answer(
                    send,
                    401,
                    "a valid `Authorization: Bearer <token>` header is required",
                    {"www-authenticate": "Bearer"},
                )
                return
        await self.app(scope, receive, send)


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class BodyLimitMiddleware:
    """Bodies above the limit get 413, whether or not they announce their length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _answer(send, 413, self.detail, {"connection": "close"})
            return
        received = 0

        async def counting_receive() -> Message:
            # a body without a (truthful) length is counted as it arrives; the route's body
            # reading turns this exception into the same 413 answer
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, self.detail, {"connection": "close"})
            return message

        await self.app(scope, counting_receive, send)

    @property
    def detail(self) -> str:
        return f"the request body is larger than the limit of {self.limit} bytes"
