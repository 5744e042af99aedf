"""JSON request bodies parsed strictly: no NaN or Infinity, no numbers beyond a float's range.

The standard parser turns `1e999` into infinity and accepts `NaN`; pydantic would store either
as `null`, and the saved document would then fail to load. Refusing them at the door keeps every
stored document loadable. (Lone UTF-16 surrogates are refused by the same parser.)

A route whose body is one model has it validated straight from the bytes, in one pass: a
200-node workflow is not first built as dictionaries and lists, written out again to look for
infinities, then validated from the dictionaries. The models refuse non-finite numbers
themselves (`allow_inf_nan=False`, and JSON data checked value by value), so a body they accept
holds none; a body they refuse takes the long way, which names the problem as every route does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

THREAD_FROM_BYTES = 64 * 1024
"""Bodies from this size on are validated in a worker thread."""


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
    body_model: type[BaseModel] | None = None
    """The route's body, when it is one model (not embedded beside other body parameters)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            if self.body_model is not None:
                try:
                    # FastAPI's own validation then takes the instance as it is
                    if len(body) < THREAD_FROM_BYTES:
                        self._json = self.body_model.model_validate_json(body)
                    else:  # a large body is validated beside the loop, not on it
                        self._json = await run_in_threadpool(
                            self.body_model.model_validate_json, body
                        )
                    return self._json
                except ValidationError:
                    pass  # the long way reports it like any other route's bad body
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
        model = None
        if self.body_field is not None and not self._embed_body_fields:
            annotation = self.body_field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                model = annotation

        async def strict_handler(request: Request) -> Response:
            strict = StrictJSONRequest(request.scope, request.receive)
            strict.body_model = model
            return await handler(strict)

        return strict_handler
