"""A node kind: one definition holding its config, UI metadata, ports, hooks and template."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from language.document import Workflow
from language.durations import parse_duration
from language.expressions import is_expression
from language.names import names_in
from node_types.context import NodeCheck, NodeRender


class Role(StrEnum):
    """How the structure stage treats a kind."""

    ENTRY = "entry"  # starts a scope: the run method or a handler
    STEP = "step"  # one way in, one way out
    BRANCH = "branch"  # several ports, exactly one taken; arms merge again
    PARALLEL = "parallel"  # every branch runs; they meet at a join
    JOIN = "join"
    TERMINAL = "terminal"  # nothing follows
    CONTAINER = "container"  # holds a body of child nodes


@dataclass(frozen=True)
class Port:
    name: str
    label: str
    multiple: bool = False
    """Several edges may leave this port (parallel branches)."""
    prefix: bool = False
    """The port stands for a family `name:<key>` (switch cases)."""
    raises_when_unwired: bool = False
    """A failure path: left unwired, the failure propagates instead of ending the path."""


Expression = Annotated[str, Field(min_length=1, json_schema_extra={"format": "expression"})]
Template = Annotated[str, Field(json_schema_extra={"format": "template"})]
Duration = Annotated[str, Field(min_length=1, json_schema_extra={"format": "duration"})]
ResultName = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60, json_schema_extra={"format": "identifier"}),
]


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


ConfigT = TypeVar("ConfigT", bound=Config)

ExpressionRef = tuple[str, str, bool]
"""(field path, text, is_template)"""


@dataclass(frozen=True)
class StateRecord:
    """A record a node keeps in the workflow's state: its field, the state list it reads its
    items from, and the activities its hooks call (hook name -> activity)."""

    field: str
    items_from: str
    hooks: dict[str, str]


@dataclass(frozen=True)
class ScheduleSpec:
    """A Temporal Schedule that starts the workflow, as `schedules.py` creates it; an empty
    `schedule_id` or `workflow_id` takes the default derived from the workflow's id."""

    schedule_id: str
    workflow_id: str
    args: Mapping[str, str]
    """Input field -> a constant expression giving its value."""
    cron: list[str]
    interval: str | None
    time_zone: str
    overlap: str
    """The `ScheduleOverlapPolicy` member's name (`SKIP`)."""
    catchup_window: str
    paused: bool
    note: str


class NodeType(Generic[ConfigT]):
    """A node kind: its identity and catalogue data as class attributes, and what the compiler
    asks of it as methods with defaults, grouped by the stage that asks. A kind module
    subclasses it, overrides only what its kind needs, and exposes one instance as `KIND`."""

    # --- identity and catalogue: what the editor's palette, canvas and forms show ---

    kind: ClassVar[str]
    label: ClassVar[str]
    category: ClassVar[str]
    icon: ClassVar[str]
    color: ClassVar[str]
    description: ClassVar[str]
    config: type[ConfigT]
    """The kind's config model (pydantic)."""
    role: ClassVar[Role]
    template: ClassVar[str]
    """File name of the kind's Jinja template, beside its module."""
    outputs: ClassVar[tuple[Port, ...]] = (Port("out", "next"),)
    has_input: ClassVar[bool] = True
    defaults: ClassVar[Mapping[str, Any]] = {}
    """A config a new node of this kind starts with in the editor."""

    def parse_config(self, raw: dict[str, Any]) -> ConfigT:
        return self.config.model_validate(raw)

    def without_defaults(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """A written config without the fields written as their default, which mean what
        leaving them out means (an update returning `"None"`, as documents said it before the
        field could be left out): what two configs that do the same have in common."""
        fields = self.config.model_fields
        return {
            key: value
            for key, value in raw.items()
            if key not in fields
            or fields[key].is_required()
            or _json(value) != _json(fields[key].get_default(call_default_factory=True))
        }

    def catalogue_entry(self) -> CatalogueEntry:
        return CatalogueEntry(
            kind=self.kind,
            label=self.label,
            category=self.category,
            icon=self.icon,
            color=self.color,
            description=self.description,
            role=self.role,
            has_input=self.has_input,
            outputs=[
                CataloguePort(name=p.name, label=p.label, multiple=p.multiple, prefix=p.prefix)
                for p in self.outputs
            ],
            config_schema=self.config.model_json_schema(),
            defaults=dict(self.defaults),
        )

    # --- entries: where the run method, a handler or a schedule begins ---

    starts_run: ClassVar[bool] = False
    """The workflow's run method begins here: one per workflow, and its scope returns the
    workflow's output."""
    message_type: ClassVar[str | None] = None
    """For a message handler, the Temporal message it receives (`signal`, `update`, `query`):
    the code it runs in, and how the starter, the README and generated tests send it."""

    @property
    def handles_message(self) -> bool:
        """A message handler: its `params` are the message's payload fields, and `message`
        gives its name."""
        return self.message_type is not None

    read_only: ClassVar[bool] = False
    """A handler that answers without changing anything (a query): it has no body, its
    expressions read no workflow APIs, it may not take the name of a query a kind answers
    (`queries`), and no message to it moves the workflow on."""
    before_run: ClassVar[bool] = False
    """Evaluated before any run exists (a schedule's fields): its expressions see neither the
    workflow's input nor its state."""

    def schedule(self, config: ConfigT) -> ScheduleSpec | None:
        """For an entry that starts the workflow on a Temporal Schedule: that schedule."""
        return None

    def scope_output(self, config: ConfigT) -> str:
        """For a handler, the type reference of what it returns to its caller (an update's
        `returns`); `None` when it returns nothing."""
        return "None"

    # --- checking: the config's own rules and the expressions in it ---

    duration_fields: ClassVar[frozenset[str]] = frozenset()
    """Config fields holding a duration: a literal (`30s`, `1h`) or an expression giving
    seconds (`input.timeout_seconds`), checked like any other expression."""
    after_body_fields: ClassVar[frozenset[str]] = frozenset()
    """Expression fields evaluated after the body ran (containers) or after the node's own
    result is bound (steps), so they can read those results."""
    field_names: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """Expression fields (by path prefix) that see extra names, e.g. `item` in per-item
    fields or `result` in a field evaluated once a child finished."""
    not_allowed_in: ClassVar[frozenset[str]] = frozenset()
    """Scopes (signal, update, phase, branch) where this kind cannot stand, with the reason."""
    not_allowed_reason: ClassVar[str] = ""
    not_allowed_code: ClassVar[str] = "E115"
    """The diagnostic code when it stands where it must not (E211 for waiting in a handler)."""

    def validate(self, config: ConfigT, ctx: NodeCheck) -> None:
        """The kind's own checks of a parsed config, reported through `ctx`."""

    def expressions(self, config: ConfigT) -> Iterable[ExpressionRef]:
        """The expressions and templates in the config, to be parsed and checked."""
        return ()

    def choice_expressions(self, config: ConfigT) -> dict[str, str] | None:
        """For a kind whose config is nothing but the expressions that choose its path (a
        condition, a switch): those expressions by the port they lead to, in the order they
        are tried. A changed choice is then patched at the node: executions started before
        the change keep the old expressions (`compiler.compat`). None for other kinds."""
        return None

    def name_types(self, config: ConfigT, ctx: NodeCheck) -> dict[str, str]:
        """Annotations of the names in `field_names`, where the config says (default `Any`)."""
        return {}

    # --- scopes: the names a node binds, for itself, its body and the nodes after it ---

    port_binds: ClassVar[Mapping[str, tuple[tuple[str, str], ...]]] = {}
    """Names visible on the path leaving a port, e.g. `error` on a Try's error port."""
    after_whole_body: ClassVar[frozenset[str]] = frozenset()
    """Ports a container leaves through only once its body ran to its end, inline (a Try's
    `out`, a Retry's `out`): the results the body binds on every path are visible there."""
    element_of: ClassVar[Mapping[str, str]] = {}
    """Names (from `body_binds` or `field_names`) that hold one element of an expression
    field's value, so take its element type: `{"item": "config.items"}`."""

    def binds(self, config: ConfigT, ctx: NodeCheck | NodeRender) -> list[tuple[str, str]]:
        """Locals a node binds for the nodes after it: (name, annotation)."""
        return []

    def bind_field(self, config: ConfigT, name: str) -> str:
        """The config path that names a bound local, for diagnostics (a step's `result`)."""
        return "result"

    def body_binds(self, config: ConfigT) -> list[tuple[str, str]]:
        """Names a container makes visible inside its body, e.g. `attempt`: (name, annotation)."""
        return []

    def names_within(self, config: ConfigT) -> dict[str, list[str]]:
        """Names a node binds for its own later fields: field path -> local names visible there
        (a set_state's later assignments read the locals its earlier ones set)."""
        return {}

    def typed_by(self, config: ConfigT) -> dict[str, str]:
        """Locals from `binds` whose type is that of an expression field's value: name -> field."""
        return {}

    # --- structure: where control goes ---

    body_context: ClassVar[str] = "phase"
    """For containers, where the body runs: `phase` (a method of its own), or inline in the
    enclosing code (`retry`, `try`, `loop`), or `branch` (a concurrent closure)."""

    def body_context_for(self, config: ConfigT) -> str:
        """Where this container's body runs with this config (default `body_context`)."""
        return self.body_context

    body_repeats: ClassVar[bool] = False
    """The container's body may run several times (a loop's rounds, a retry's attempts)."""
    body_may_not_run: ClassVar[bool] = False
    """The container's body may not run at all (a loop over an empty list)."""

    def possible_ports(self, config: ConfigT) -> set[str]:
        """Ports control can actually leave through with this config (default: all); an
        unwired port that cannot happen is no path that ends."""
        return {port.name for port in self.outputs}

    def open_ports(self, config: Any, wired: set[str]) -> list[str]:
        """Declared, possible ports without an edge whose path would end (not raise)."""
        possible = self.possible_ports(config)
        return [
            p.name
            for p in self.outputs
            if not p.prefix
            and not p.raises_when_unwired
            and p.name not in wired
            and p.name in possible
        ]

    def port(self, handle: str) -> Port | None:
        for port in self.outputs:
            if port.name == handle or (port.prefix and handle.startswith(port.name + ":")):
                return port
        return None

    # --- runtime facts: what the generated workflow does when it runs the node ---

    instant: ClassVar[bool] = False
    """Never awaits: a message handler made only of such nodes finishes within its
    activation."""
    carries_state: ClassVar[bool] = False
    """Continues as new: the workflow's input then carries its state to the next run."""
    history_events: ClassVar[int] = 0
    """Events the node adds to the history each time it runs (`EVENTS_PER_STEP` for a step
    that schedules an activity, a child or a timer): what a repeating body's rounds cost."""

    def without_end(self, config: ConfigT) -> str | None:
        """Why a workflow holding this node may run for ever (it continues as new, it repeats
        without a bound), in words; None when the node alone does not make it so. Such a
        workflow never leaves the version it started on, so a change is best patched."""
        return "it continues as new" if self.carries_state else None

    can_fail: ClassVar[bool] = False
    """The step fails with a Temporal failure when the work it starts fails."""
    catches_failures: ClassVar[bool] = False
    """A failure of a step in this container's body comes back to it (a Try's error path, a
    Retry's next attempt) instead of failing the workflow at once."""
    collects_compensations: ClassVar[bool] = False
    """Steps inside this container register their compensations with it (Try)."""
    catch_port: ClassVar[str | None] = None
    """The port a failure inside this container's body leaves through (a Try's `error`):
    wired, the body's failures are caught and do not fail the workflow."""
    queries: ClassVar[tuple[str, ...]] = ()
    """Queries the generated workflow answers when it has a node of this kind; a query node
    may not take these names."""

    def check_failures_come_back(self, config: ConfigT, ctx: NodeCheck, around: str) -> None:
        """For a node in the body of containers that catch failures (`around` names them:
        `Try`, `Retry and Try`): warn, through `ctx`, where its failures would hardly ever come
        back to them (an activity retried without end)."""

    def message(self, config: ConfigT) -> tuple[str, dict[str, str]] | None:
        """For a message handler (signal, update, query): the message's name and its payload
        fields, from which the project info names the handler and its payload class."""
        return None

    def state_record(self, config: ConfigT) -> StateRecord | None:
        """For a kind that keeps a record in the workflow's state (a work queue's progress)."""
        return None

    def needs_workflow_init(self, config: ConfigT) -> bool:
        """Whether the node needs the workflow's `__init__` (`@workflow.init`): a query it
        answers may come before `run`, or a member it keeps needs its first value there."""
        return bool(self.queries)

    def activity_calls(self, config: ConfigT) -> Iterable[tuple[str, str]]:
        """The activity calls the node's code makes: (activity type, role), role `step` (the
        node's own work), `undo` (its compensation in a Try) or `aux` (bookkeeping, e.g. a work
        queue's). Where one call site is the only one of its activity type in the workflow,
        the type alone ties the call to its node (`compiler.activity_owners`) and the call
        carries no summary."""
        return ()

    # --- generated tests: what a test of the compiled package can bring about and observe ---

    gate_query: ClassVar[str | None] = None
    """For a gate waiting on the workflow's state, the query listing the gates waiting now:
    a generated test polls it to answer them."""
    timeout_port: ClassVar[str | None] = None
    """The port a gate leaves through when its wait times out."""

    def gate_conditions(self, config: ConfigT) -> dict[str, str] | None:
        """For a gate: port -> the condition over the state that takes it, the port that lets
        the run go on (`approved`) first; None for other kinds."""
        return None

    def if_expression(self, config: ConfigT) -> str | None:
        """For a two-way branch: the expression taking its `true` port when it holds and its
        `false` port otherwise; None for other kinds."""
        return None

    def run_blocker(self, config: ConfigT) -> str | None:
        """Why a test cannot run a workflow through this node to its end, in words following
        the node's name (`serves a work queue until it is told to stop`); None when it can."""
        return None

    def started_workflow(self, config: ConfigT) -> str | None:
        """The id of the project's workflow this node starts as a child (or children)."""
        return None

    def signalled_workflow(self, config: ConfigT) -> str | None:
        """The id template of a workflow the node signals that it did not start itself: a
        test must start one under that id."""
        return None

    def state_assignments(self, config: ConfigT) -> Iterable[tuple[str, str]]:
        """The assignments the node makes: (target, value expression), e.g. `state.x`."""
        return ()

    def fails_with(self, config: ConfigT) -> str | None:
        """The error type the workflow fails with when it reaches this node."""
        return None

    # --- rendering ---

    def prepare(self, config: ConfigT, ctx: NodeRender) -> dict[str, Any]:
        """The variables the kind's template is rendered with."""
        return {}


class CataloguePort(BaseModel):
    """An output port as the editor sees it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    label: str
    multiple: bool
    """Several edges may leave this port (parallel branches)."""
    prefix: bool
    """The port stands for a family `name:<key>` (switch cases)."""


class CatalogueEntry(BaseModel):
    """A node kind in the catalogue (`GET /api/node-types`): what the editor's palette, canvas
    and config forms are made from. The one declaration of it: the API answers with this model
    and the editor's `NodeKind` is generated from the API's schema."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    label: str
    category: str
    icon: str
    color: str
    description: str
    role: Role
    has_input: bool
    outputs: list[CataloguePort]
    config_schema: dict[str, Any]
    """The JSON Schema of the kind's config."""
    defaults: dict[str, Any]
    """A config a new node of this kind starts with."""


STEP_FAILURES = ("ActivityError", "ChildWorkflowError", "ApplicationError")
"""What a failed step raises in workflow code: an activity's or a child's failure, or a Fail."""


def failures_caught(*, starts_children: bool) -> str:
    """The exception tuple caught around steps: the step failures, and, where children are
    started, a start refused because the child's id is taken."""
    caught = [*STEP_FAILURES, "WorkflowAlreadyStartedError"] if starts_children else STEP_FAILURES
    return f"({', '.join(caught)})"


def step_failures(body: str) -> str:
    """`failures_caught` for a container around `body`."""
    names = names_in(body)
    starts = "execute_child_workflow" in names or "start_child_workflow" in names
    return failures_caught(starts_children=starts)


HISTORY_LIMIT = 51_200
"""Events Temporal lets one run's history hold before it terminates the run."""
HISTORY_BUDGET = 40_000
"""Events a repeating container may add to one run before the check warns: room is left for
the rest of the workflow."""
EVENTS_PER_STEP = 3
"""Events a step adds (scheduled, started, completed; a timer's started and fired)."""
WORKFLOW_TASK_EVENTS = 3
"""Events each round's workflow task adds (scheduled, started, completed)."""
BACKOFF_EVENTS = 2
"""Events a round's backoff timer adds (started, fired)."""


def unbounded_history(
    workflow: Workflow, container: str, rounds: int | None, what: str, *, backoff: bool
) -> str | None:
    """The warning for a container whose body repeats `rounds` times (None: without end),
    waiting between rounds when `backoff`; None when its rounds fit in one run's history, or
    when its body continues as new, which starts a fresh history."""
    from node_types import REGISTRY  # here: the kinds import this module

    inside = _members(workflow, container)
    kinds = [
        REGISTRY[node.type]
        for node in workflow.nodes
        if node.id in inside and node.type in REGISTRY
    ]
    # a path ending in a node that continues as new starts each later round in a fresh run
    if any(kind.role is Role.TERMINAL and kind.carries_state for kind in kinds):
        return None
    events = sum(kind.history_events for kind in kinds)
    per_round = WORKFLOW_TASK_EVENTS + (BACKOFF_EVENTS if backoff else 0) + events
    if rounds is not None and rounds * per_round <= HISTORY_BUDGET:
        return None
    extent = "without end" if rounds is None else f"up to {rounds} times"
    return (
        f"{what} repeats {extent}, adding about {per_round} events to the history each round; "
        f"Temporal ends a run whose history passes {HISTORY_LIMIT:,} events. Bound the rounds "
        f"(at most {HISTORY_BUDGET // per_round:,} fit), or continue as new inside it"
    )


def _members(workflow: Workflow, container: str) -> set[str]:
    """Every node inside a container, at any depth."""
    children: dict[str, list[str]] = {}
    for node in workflow.nodes:
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(node.id)
    found: set[str] = set()
    stack = list(children.get(container, []))
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def is_duration_literal(text: str) -> bool:
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def duration_expressions(config: Any, fields: Iterable[str]) -> Iterator[ExpressionRef]:
    """The duration fields set to an expression rather than a literal, to be type-checked."""
    for name in fields:
        value = getattr(config, name, None)
        # text that does not parse as an expression is a bad duration (the validate hook)
        if isinstance(value, str) and not is_duration_literal(value) and is_expression(value):
            yield name, value, False


def _json(value: Any) -> str:
    # JSON text, not ==: 1 == 1.0 == True in Python; a model default is compared as its data
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return json.dumps(data, sort_keys=True, default=str)
