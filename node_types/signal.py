"""`signal`: a `@workflow.signal` handler; the chain leaving it is the handler's body."""

from __future__ import annotations

from pydantic import Field

from language.document import Fields
from language.names import docstring
from node_types.base import Config, NodeType, Role
from node_types.context import NodeRender

EXCLUSIVE_DESCRIPTION = (
    "Runs one at a time with this workflow's other exclusive handlers (under a workflow "
    "lock), so that handlers that wait on steps cannot interleave and act on stale state"
)

HANDLER_LOCK = "self._handler_lock = asyncio.Lock()"


class SignalConfig(Config):
    name: str = Field(min_length=1, max_length=100, description="The signal's name in Temporal")
    params: Fields = Field(default_factory=dict, description="Payload fields: name -> type")
    exclusive: bool = Field(default=False, description=EXCLUSIVE_DESCRIPTION)


def handler_variables(
    kind: str, name: str, ctx: NodeRender, *, exclusive: bool = False
) -> dict[str, object]:
    handler = ctx.workflow.handlers[(kind, name)]
    body = ctx.body("out")
    if exclusive and body:
        ctx.add_member("handler_lock", HANDLER_LOCK)
    return {
        "name": repr(name),
        "method": handler.method,
        "payload": handler.payload.class_name if handler.payload else None,
        "docstring": docstring(f"{kind.capitalize()} {name} (node {ctx.node.id})."),
        "body": body,
        "exclusive": exclusive and bool(body),
    }


class SignalKind(NodeType[SignalConfig]):
    kind = "signal"
    label = "Signal"
    category = "entries"
    icon = "radio"
    color = "#db2777"
    description = "Receives a signal; the steps after it run each time one arrives."
    config = SignalConfig
    role = Role.ENTRY
    template = "signal.jinja"
    has_input = False
    defaults = {"name": "", "params": {}}
    instant = True
    message_type = "signal"

    def prepare(self, config: SignalConfig, ctx: NodeRender) -> dict[str, object]:
        return handler_variables("signal", config.name, ctx, exclusive=config.exclusive)

    def message(self, config: SignalConfig) -> tuple[str, dict[str, str]]:
        return (config.name, dict(config.params))


KIND = SignalKind()
