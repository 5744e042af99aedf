"""`spawn_children`: one child workflow per item of a list, bounded, optionally in dependency order.

At most `concurrency` children run at once; the limit may instead be read from an expression
(`state.max_concurrent`) each time a slot frees or a signal changes it. With `depends_on`, an
item starts only after every item it names (by key) has completed; items whose dependency
failed are skipped. Failure policy: `fail_fast` cancels the running children and fails,
`continue` records the failure and goes on, `retry` runs a failed child again (same id) up to
`retries` more times, then records it.

Without dependencies, a limit read from an expression or retries, the step needs no scheduler:
it compiles to a semaphore and `asyncio.gather` of the children (no progress query; the run
view reads its children from the history).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from language.diagnostics import Codes
from language.expressions import ExpressionError, parse_expression
from node_types.base import (
    Config,
    Expression,
    ExpressionRef,
    NodeType,
    ResultName,
    Role,
    Template,
)
from node_types.context import NodeCheck, NodeRender

MAX_CONCURRENCY = 1000
"""Pending children stay well under Temporal's 2,000 pending operations."""

PROGRESS_QUERY = '''@workflow.query(name="spawn_progress")
def spawn_progress(self) -> list[dict[str, Any]]:
    """Each spawn_children step under way: the keys of its waiting, running, completed,
    failed (with the reason) and skipped children."""
    return [progress() for progress in self._spawn_progress]'''


class SpawnChildrenConfig(Config):
    workflow: str = Field(min_length=1, description="Id of the child workflow in this project")
    items: Expression = Field(description="The list to spawn one child per item of")
    key: Expression = Field(default="item", description="An item's key, e.g. item.name")
    args: dict[str, Expression] = Field(default_factory=dict, description="Child input; reads item")
    id_template: Template | None = Field(
        default=None, description="Stable child id, e.g. build-{item.name}"
    )
    concurrency: int = Field(default=4, ge=1, le=MAX_CONCURRENCY)
    concurrency_from: Expression | None = Field(
        default=None, description="Read the limit from here instead, e.g. state.max_concurrent"
    )
    depends_on: Expression | None = Field(
        default=None, description="Keys an item waits for, e.g. item.dependencies"
    )
    failure_policy: Literal["fail_fast", "continue", "retry"] = "fail_fast"
    retries: int = Field(default=2, ge=0, le=100, description="For the retry policy")
    result: ResultName | None = Field(
        default=None,
        description="Binds {'completed': {key: result}, 'failed': {key: error}, 'skipped': [key]}",
    )


def _static_value(expression: str, item: Any) -> Any:
    """Evaluates `item`, `item.x`, `item['x']` on constant data; raises LookupError otherwise."""
    tree = parse_expression(expression)

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and node.id == "item":
            return item
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Attribute) and isinstance(target := value(node.value), dict):
            return target[node.attr]
        if isinstance(node, ast.Subscript):
            return value(node.value)[value(node.slice)]
        raise LookupError(expression)

    return value(tree)


def _static_cycle(config: SpawnChildrenConfig) -> list[str]:
    """A dependency cycle among constant items, found at compile time (else [])."""
    if not config.depends_on:
        return []
    try:
        items = ast.literal_eval(parse_expression(config.items))
        graph = {
            str(_static_value(config.key, item)): [
                str(d) for d in _static_value(config.depends_on, item)
            ]
            for item in items
        }
    except (ExpressionError, LookupError, ValueError, TypeError, IndexError, SyntaxError):
        return []
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(key: str) -> list[str]:
        state[key] = 1
        path.append(key)
        for dependency in graph.get(key, []):
            if dependency not in graph:
                continue
            if state.get(dependency) == 1:
                return [*path[path.index(dependency) :], dependency]
            if dependency not in state and (found := visit(dependency)):
                return found
        path.pop()
        state[key] = 2
        return []

    for key in sorted(graph):
        if key not in state and (found := visit(key)):
            return found
    return []


def is_simple(config: SpawnChildrenConfig) -> bool:
    """No dependencies, a fixed limit and no retries: a bounded `asyncio.gather` of the
    children does it, without the scheduler (or its progress query)."""
    return (
        config.depends_on is None
        and config.concurrency_from is None
        and config.failure_policy != "retry"
    )


class SpawnChildrenKind(NodeType[SpawnChildrenConfig]):
    kind = "spawn_children"
    label = "Spawn children"
    category = "orchestration"
    icon = "git-fork"
    color = "#9333ea"
    description = "Starts a child workflow per item, bounded, optionally in dependency order."
    config = SpawnChildrenConfig
    role = Role.STEP
    template = "spawn_children.jinja"
    defaults = {"workflow": "", "items": "", "concurrency": 4, "failure_policy": "fail_fast"}
    not_allowed_in = frozenset({"signal", "update"})
    not_allowed_reason = "spawning children from a handler would outlive it; do it in the main flow"
    field_names = {
        field: ("item",)
        for field in ("config.key", "config.args", "config.id_template", "config.depends_on")
    }
    element_of = {"item": "config.items"}
    queries = ("spawn_progress",)

    def started_workflow(self, config: SpawnChildrenConfig) -> str:
        return config.workflow

    def validate(self, config: SpawnChildrenConfig, ctx: NodeCheck) -> None:
        info = ctx.workflow_ref("workflow", config.workflow)
        if info is not None:
            ctx.arguments(
                "args",
                config.args,
                info.input.fields,
                f"workflow {config.workflow!r}",
                optional=set(info.input.defaults),
            )
        cycle = _static_cycle(config)
        if cycle:
            ctx.error(
                Codes.CYCLE,
                "depends_on",
                f"these items depend on each other in a circle: {' -> '.join(map(repr, cycle))}; "
                "no order can build them",
            )

    def expressions(self, config: SpawnChildrenConfig) -> Iterable[ExpressionRef]:
        yield "items", config.items, False
        yield "key", config.key, False
        for name, text in config.args.items():
            yield f"args.{name}", text, False
        if config.id_template:
            yield "id_template", config.id_template, True
        if config.concurrency_from:
            yield "concurrency_from", config.concurrency_from, False
        if config.depends_on:
            yield "depends_on", config.depends_on, False

    def binds(
        self, config: SpawnChildrenConfig, ctx: NodeCheck | NodeRender
    ) -> list[tuple[str, str]]:
        return [(config.result, "dict[str, Any]")] if config.result else []

    def prepare(self, config: SpawnChildrenConfig, ctx: NodeRender) -> dict[str, object]:
        ctx.imports |= {"asyncio", "ApplicationError", "ParentClosePolicy", "WorkflowIDReusePolicy"}
        simple = is_simple(config)
        info = ctx.project.workflows[config.workflow]
        item = ctx.container_name("item")
        item_scope = ctx.with_names("item")
        key_of = item_scope.expr(config.key)
        child_id = (
            item_scope.template(config.id_template)
            if config.id_template
            else ctx.fstring(f"{config.workflow}-", (key_of,))
        )
        if simple:
            bases: tuple[str, ...] = ("items", "limit", "run_child", "tasks", "outcomes", "outcome")
            if config.failure_policy != "fail_fast":
                bases += ("completed", "failed")
        else:
            ctx.add_member(
                "spawn_progress",
                "self._spawn_progress: list[Callable[[], dict[str, Any]]] = []",
                PROGRESS_QUERY,
            )
            bases = (
                "spawn_items",
                "spawn_keys",
                "spawn_needs",
                "waiting",
                "running",
                "completed",
                "failed",
                "skipped",
                "spawn_child",
                "spawn_limit",
                "startable",
                "skip_blocked",
                "spawn_progress",
                "index",
            )
        names = {base: ctx.claim_local(base) for base in bases}
        if simple:  # the locals holding the items and the limit, beside the fields' code
            names["items_name"] = names.pop("items")
            names["limit_name"] = names.pop("limit")
        limit = (
            f"max(1, min({MAX_CONCURRENCY}, int({ctx.expr(config.concurrency_from)})))"
            if config.concurrency_from
            else str(config.concurrency)
        )
        result_type = info.output if info.output not in ("None", "Any") else None
        return {
            **names,
            "simple": simple,
            "item_type": ctx.name_annotation("item") if simple else "Any",
            "child_output": result_type or "Any",
            "failure_message": "" if simple else ctx.failure_message("error"),
            "outcome_message": (
                ctx.failure_message(names["outcome"])
                if simple and config.failure_policy == "continue"
                else ""
            ),
            "item": item,
            "items": ctx.expr(config.items),
            "key_of": key_of,
            "needs_of": item_scope.expr(config.depends_on) if config.depends_on else None,
            "workflow": repr(config.workflow),
            "input_class": info.input.class_name,
            "args": ", ".join(
                f"{n}={item_scope.expr(config.args[n])}"
                for n in info.input.fields
                if n in config.args
            ),
            "child_id": child_id,
            "result_type": result_type,
            "limit": limit,
            "dynamic_limit": config.concurrency_from is not None,
            "policy": config.failure_policy,
            "retries": config.retries,
            "result": ctx.result_name(config.result),
            "summary": repr(f"{ctx.node.id}: {ctx.node.label or 'spawn'}"[:200]),
            "node_key": repr(ctx.node.id),
            "cycle_message": repr(
                f"{ctx.node.label or ctx.node.id}: "
                "these items wait on each other and can never start: "
            ),
        }


KIND = SpawnChildrenKind()
