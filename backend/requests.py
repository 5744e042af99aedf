"""JSON request bodies parsed strictly: no NaN or Infinity, no numbers beyond a float's range.

The standard parser turns `1e999` into infinity and accepts `NaN`; pydantic would store either
as `null`, and the saved document would then fail to load. Refusing them at the door keeps every
stored document loadable. (Lone UTF-16 surrogates are refused by the same parser.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.routing import APIRoute


def _non_finite(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            text = body.decode("utf-8", errors="replace")
            try:
                parsed = pydantic_core.from_json(body, allow_inf_nan=False)
            except ValueError as error:
                raise json.JSONDecodeError(str(error), text, 0) from None
            # Writing the value back out is far quicker than walking it in Python; only when
            # the text shows an infinity (or the word in a string) is the value walked.
            written = pydantic_core.to_json(parsed, inf_nan_mode="constants")
            if b"Infinity" in written and _non_finite(parsed):
                raise json.JSONDecodeError("a number is too large for a float", text, 0)
            self._json = parsed
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
