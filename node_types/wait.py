"""`wait`: an approval gate. Waits until a condition set by a signal or update holds.

Ports: `approved` when `approved_when` holds, `rejected` when `rejected_when` holds, `timeout`
when the timeout passes first. While it waits, the gate is listed by the workflow's
`pending_gates` query.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from node_types.base import (
    EVENTS_PER_STEP,
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    Port,
    Role,
    duration_expressions,
)
from node_types.context import NodeCheck, NodeRender

DURATIONS = frozenset({"timeout"})

PENDING_QUERY = '''@workflow.query(name="pending_gates")
def pending_gates(self) -> list[dict[str, str]]:
    """The approval gates this workflow is waiting on."""
    return list(self._pending_gates)'''


GATE_METHOD = '''async def _gate(
    self,
    node: str,
    gate: str,
    approved: Callable[[], bool],
    rejected: Callable[[], bool] | None = None,
    timeout: timedelta | None = None,
) -> str:
    """Waits at an approval gate, listed by pending_gates meanwhile, until it is approved or
    rejected, or its timeout passes: returns "approved", "rejected" or "timeout"."""
    entry = {"gate": gate, "node": node, "since": workflow.now().isoformat()}
    self._pending_gates.append(entry)
    try:
        await workflow.wait_condition(
            lambda: approved() or (rejected is not None and rejected()),
            timeout=timeout,
            timeout_summary=f"{node}: {gate}" if timeout is not None else None,
        )
    except TimeoutError:
        return "timeout"
    finally:
        self._pending_gates.remove(entry)
    return "approved" if approved() else "rejected"'''
"""One method every gate of a workflow waits through: each gate instance (iterations of a
concurrent loop wait side by side) has its own entry in pending_gates."""


class WaitConfig(Config):
    gate: str = Field(default="", max_length=100, description="Name shown in pending_gates")
    approved_when: Expression = Field(description="e.g. state.approval == 'approved'")
    rejected_when: Expression | None = Field(
        default=None, description="e.g. state.approval == 'rejected'"
    )
    timeout: Duration | None = Field(
        default=None,
        description="Take `timeout` after this long: 72h, or seconds read from data",
    )


class WaitKind(NodeType[WaitConfig]):
    kind = "wait"
    label = "Wait / approval"
    category = "steps"
    icon = "hand"
    color = "#ca8a04"
    description = "Waits for a condition set by a signal or update: approved, rejected or timeout."
    config = WaitConfig
    role = Role.BRANCH
    template = "wait.jinja"
    outputs = (
        Port("approved", "approved"),
        Port("rejected", "rejected"),
        Port("timeout", "timeout"),
    )
    defaults = {"approved_when": "", "timeout": "24h"}
    not_allowed_in = frozenset({"signal"})
    not_allowed_code = Codes.WAIT_IN_HANDLER
    not_allowed_reason = (
        "a signal handler that waits keeps the workflow from finishing while its sender "
        "never learns the outcome; wait in the main flow and let the signal only change "
        "state, or make it an update, whose caller waits for its result"
    )
    duration_fields = DURATIONS
    history_events = EVENTS_PER_STEP
    gate_query = "pending_gates"
    queries = (gate_query,)
    timeout_port = "timeout"

    def gate_conditions(self, config: WaitConfig) -> dict[str, str]:
        conditions = {"approved": config.approved_when}
        if config.rejected_when:
            conditions["rejected"] = config.rejected_when
        return conditions

    def validate(self, config: WaitConfig, ctx: NodeCheck) -> None:
        ctx.duration("timeout", config.timeout, expression=True)
        wired = ctx.workflow.wired_ports.get(ctx.node.id, set())
        if "timeout" in wired and not config.timeout:
            ctx.error(
                Codes.BAD_CONFIG,
                "timeout",
                "the timeout port is connected but the gate has no timeout; set one",
            )
        if "rejected" in wired and not config.rejected_when:
            ctx.error(
                Codes.BAD_CONFIG,
                "rejected_when",
                "the rejected port is connected but nothing rejects; set rejected_when",
            )

    def expressions(self, config: WaitConfig) -> Iterable[ExpressionRef]:
        yield from duration_expressions(config, DURATIONS)
        yield "approved_when", config.approved_when, False
        if config.rejected_when:
            yield "rejected_when", config.rejected_when, False

    def possible_ports(self, config: WaitConfig) -> set[str]:
        return (
            {"approved"}
            | ({"rejected"} if config.rejected_when else set())
            | ({"timeout"} if config.timeout else set())
        )

    def prepare(self, config: WaitConfig, ctx: NodeRender) -> dict[str, object]:
        ctx.add_member(
            "pending_gates",
            "self._pending_gates: list[dict[str, str]] = []",
            PENDING_QUERY,
        )
        ctx.add_member("gate", "", GATE_METHOD)
        approved = ctx.expr(config.approved_when)
        rejected = ctx.expr(config.rejected_when) if config.rejected_when else None
        gate = config.gate or ctx.node.label or ctx.node.id
        possible = (
            ["approved"]
            + (["rejected"] if rejected else [])
            + (["timeout"] if config.timeout else [])
        )
        outcomes = [(port, ctx.body(port)) for port in possible if ctx.body(port)]
        arguments = [repr(ctx.node.id), repr(gate), f"lambda: {approved}"]
        if rejected:
            arguments.append(f"rejected=lambda: {rejected}")
        if config.timeout:
            arguments.append(f"timeout={ctx.duration(config.timeout)}")
        return {
            "call": f"await self._gate({', '.join(arguments)})",
            "decision": ctx.claim_local("decision"),
            "outcomes": outcomes,
            "only_approval": possible == ["approved"],
            "exhaustive": len(outcomes) == len(possible),
        }


KIND = WaitKind()
