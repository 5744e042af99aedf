"""`agent`: an activity whose implementation calls an LLM, given a prompt template.

The catalogue activity it names must take a `prompt: str` input field; the node fills it from
its prompt template and the remaining fields from `args`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from node_types.activity import ActivityConfig, ActivityStep, call_variables, validate_call
from node_types.base import ExpressionRef, Template
from node_types.context import NodeCheck, NodeRender


class AgentConfig(ActivityConfig):
    prompt: Template = Field(
        min_length=1, description="Prompt template; {expressions} are filled in at run time"
    )


class AgentKind(ActivityStep[AgentConfig]):
    kind = "agent"
    label = "Agent"
    category = "steps"
    icon = "sparkles"
    color = "#7c3aed"
    description = "Calls an LLM-backed activity with a prompt built from the workflow's data."
    config = AgentConfig
    defaults = {
        "activity": "",
        "prompt": "",
        "args": {},
        "start_to_close_timeout": "10m",
        "heartbeat_timeout": "1m",
    }

    def validate(self, config: AgentConfig, ctx: NodeCheck) -> None:
        validate_call(config, ctx, skip_fields=("prompt",))
        info = ctx.project.activities.get(config.activity)
        if info is not None and info.input.fields.get("prompt") != "str":
            ctx.error(
                Codes.BAD_ARGUMENT,
                "activity",
                f"an agent's activity needs an input field 'prompt' of type str; "
                f"{config.activity!r} has none",
            )

    def expressions(self, config: AgentConfig) -> Iterable[ExpressionRef]:
        yield from super().expressions(config)
        yield "prompt", config.prompt, True

    def prepare(self, config: AgentConfig, ctx: NodeRender) -> dict[str, object]:
        return call_variables(config, ctx, {"prompt": ctx.template(config.prompt)})


KIND = AgentKind()
