"""What the tests written into a compiled package can do with each workflow, read from its
structured graph (`compiler.generated_tests` renders them).

- A run to completion needs nothing the graph leaves open: a workflow serving a work queue,
  waiting longer than LONGEST_WAIT at a node, sleeping until a computed time or signalling a
  workflow whose id it computes (other than `{input.x}`, which a test fills with the id of a
  workflow it starts) gets none; the reasons are kept to be said in a comment.
- An approval gate opens when the test sends the signal or update whose handler sets the state
  its condition reads (`state.x`, `not state.x`, `state.x == v`, `state.x in (...)`,
  `state.x is not None`), with the payload that sets it so.
- A branch of the run (a gate, a condition comparing one input with a constant) gets one test
  per outcome where the outcome shows: the activities only its path calls, the activities only
  the other paths call, the error type its Fail raises.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from compiler.activity_owners import calls_of
from compiler.scopes import Analysis
from compiler.structure import Block, Tree, always_leaves
from language.defaults import DefaultError, default_source
from language.durations import parse_duration
from language.expressions import ExpressionError, parse_expression, parse_template
from language.names import plain_text
from language.typerefs import literal_values
from node_types import REGISTRY
from node_types.base import Config, NodeType, Role
from node_types.project_info import FieldsInfo, HandlerInfo, ProjectInfo

LONGEST_WAIT = 30.0
"""Seconds a generated test may wait at one node (a timer, a gate's timeout, a retry's backoff):
a workflow waiting longer somewhere gets no run test."""
SHORT_WAIT = 1
"""Seconds given to a wait the graph reads from an input, where the test waits it out."""
LONG_WAIT = 600
"""Seconds given to a gate's timeout read from an input, where the test answers the gate."""

EXAMPLE_DATETIME = "2030-01-01T09:00:00+00:00"


# example values


def example_value(annotation: str, name: str, types: dict[str, dict[str, str]]) -> Any:
    """JSON data of the annotation's type: the field's name for a string, zero, false, the
    first choice of a Literal, empty collections, null for an optional value, and a project
    type with its fields filled the same way."""
    return _example(ast.parse(annotation, mode="eval").body, name, types, frozenset())


def _example(
    tree: ast.expr, name: str, types: dict[str, dict[str, str]], seen: frozenset[str]
) -> Any:
    if isinstance(tree, ast.BinOp):  # `T | None`
        return None
    if isinstance(tree, ast.Subscript) and isinstance(tree.value, ast.Name):
        if tree.value.id == "Literal":
            return literal_values(tree)[0]
        return [] if tree.value.id == "list" else {}
    if not isinstance(tree, ast.Name):
        return None
    scalars: dict[str, Any] = {"str": name, "int": 0, "float": 0.0, "bool": False}
    if tree.id in scalars:
        return scalars[tree.id]
    if tree.id == "datetime":
        return EXAMPLE_DATETIME
    if tree.id in types and tree.id not in seen:
        return {
            field_name: _example(
                ast.parse(annotation, mode="eval").body, field_name, types, seen | {tree.id}
            )
            for field_name, annotation in types[tree.id].items()
        }
    return None


def value_code(annotation: str, value: Any, types: dict[str, dict[str, str]]) -> str:
    """Python source building `value` as a value of the annotation (`Report(title='x')`), made
    by the same function that writes state defaults. Raises DefaultError."""
    code = default_source(annotation, value, types, given=True)
    assert code is not None
    for wrapper, inner in (
        ("field(default_factory=lambda: ", None),
        ("field(default_factory=list)", "[]"),
        ("field(default_factory=dict)", "{}"),
    ):
        if code == wrapper and inner is not None:
            return inner
        if inner is None and code.startswith(wrapper):
            return code[len(wrapper) : -1]
    return code


def fields_code(
    fields: FieldsInfo,
    values: dict[str, Any],
    types: dict[str, dict[str, str]],
    runtime: dict[str, str],
) -> str:
    """`Input(a=..., b=...)`: `values` (JSON data) for the named fields, `runtime` (code) for
    fields the test fills as it runs, the example value for the other fields without default."""
    parts = []
    for name, annotation in fields.fields.items():
        if name in runtime:
            parts.append(f"{name}={runtime[name]}")
        elif name in values:
            parts.append(f"{name}={value_code(annotation, values[name], types)}")
        elif name not in fields.defaults:
            example = example_value(annotation, name, types)
            parts.append(f"{name}={value_code(annotation, example, types)}")
    return f"{fields.class_name}({', '.join(parts)})"


# walking the structured tree


@dataclass(frozen=True)
class Place:
    """Where a block sits in the run: whether it may run several times (in a loop or retry)
    or may not run at all (in one arm of a branch, or a Try's error path)."""

    repeated: bool = False
    conditional: bool = False


def walk(blocks: list[Block], tree: Tree, place: Place = Place()) -> Iterator[tuple[Block, Place]]:
    for block in blocks:
        yield block, place
        kind = REGISTRY[block.node.type]
        for port, arm in block.arms:
            inner = Place(
                repeated=place.repeated or (port == "body" and kind.body_repeats),
                conditional=place.conditional
                or kind.role is Role.BRANCH
                or (kind.role is Role.CONTAINER and port != "body")
                or (port == "body" and kind.body_may_not_run),
            )
            yield from walk(arm, tree, inner)


def run_blocks(tree: Tree) -> list[Block]:
    """The body of the workflow's run method."""
    for entry in tree.entries:
        if REGISTRY[entry.node.type].starts_run and entry.arms:
            return entry.arms[0][1]
    return []


def handler_blocks(tree: Tree, handler: HandlerInfo) -> list[Block]:
    for entry in tree.entries:
        if entry.node.id == handler.node_id and entry.arms:
            return entry.arms[0][1]
    return []


def sure_blocks(blocks: list[Block], tree: Tree) -> Iterator[Block]:
    """The blocks that run whenever this sequence runs to its end: its own, and those of the
    bodies of the phases and Trys in it (not the arms of branches, loops or retries)."""
    for block in blocks:
        yield block
        kind = REGISTRY[block.node.type]
        if kind.role is not Role.CONTAINER or kind.body_repeats:
            continue
        for port, arm in block.arms:
            if port == "body":
                yield from sure_blocks(arm, tree)


# what blocks a run test


def _input_field(tree: ast.expr) -> str | None:
    """`x` for the expression `input.x`."""
    if (
        isinstance(tree, ast.Attribute)
        and isinstance(tree.value, ast.Name)
        and tree.value.id == "input"
    ):
        return tree.attr
    return None


def _template_input_field(template: str) -> str | None:
    """`x` for the template `{input.x}` and nothing else."""
    try:
        tree = parse_template(template)
    except ExpressionError:
        return None
    if isinstance(tree, ast.JoinedStr) and len(tree.values) == 1:
        part = tree.values[0]
        if isinstance(part, ast.FormattedValue) and part.conversion == -1 and not part.format_spec:
            return _input_field(part.value)
    return None


def _label(block: Block) -> str:
    """How a comment or docstring names a node: `Label (node id)`."""
    node_id = plain_text(block.node.id, 80)
    label = plain_text(block.node.label, 80)
    return f"{label} (node {node_id})" if label else f"node {node_id}"


@dataclass
class Wait:
    """A wait the run test must get through: seconds, or the input field giving them."""

    seconds: float | None = None
    input_field: str | None = None


@dataclass
class Needs:
    """What running a workflow to completion takes, or why a test cannot do it."""

    blockers: list[str] = field(default_factory=list)
    signal_targets: list[str] = field(default_factory=list)
    """Input fields naming a workflow the run signals: the test starts one under that id."""
    short_inputs: set[str] = field(default_factory=set)
    """Input fields giving a wait in seconds that the test waits out (given SHORT_WAIT)."""
    answered_inputs: set[str] = field(default_factory=set)
    """Input fields giving the timeout of a gate the test answers (given LONG_WAIT)."""


class Planner:
    """Decides, for each workflow of a project, which tests can be generated."""

    def __init__(self, project: ProjectInfo, trees: list[tuple[Tree, Analysis]]) -> None:
        self.project = project
        self.trees = {tree.graph.info.definition.id: tree for tree, _analysis in trees}
        self.types = project.records
        self.openers: dict[str, dict[str, dict[str, Message]]] = {}
        """workflow id -> gate node id -> outcome -> the message that brings it."""
        self._needs: dict[str, Needs] = {}
        self._child_blockers: dict[str, list[str]] = {}

    def needs(self, workflow_id: str) -> Needs:
        if workflow_id not in self._needs:
            self._needs[workflow_id] = self._find_needs(self.trees[workflow_id])
        return self._needs[workflow_id]

    def _find_needs(self, tree: Tree) -> Needs:
        workflow_id = tree.graph.info.definition.id
        needs = Needs()
        openers = self.gate_openers(workflow_id)
        for block, _place in walk(run_blocks(tree), tree):
            kind = REGISTRY[block.node.type]
            config = tree.graph.configs[block.node.id]
            self._note_what_it_starts(needs, tree, block, kind, config)
            conditions = kind.gate_conditions(config)
            gate = conditions is not None and next(iter(conditions)) in openers.get(
                block.node.id, {}
            )
            self._note_waits(needs, tree, block, config, gate)
            if conditions is not None and not list(self.waits(tree, block, config)) and not gate:
                needs.blockers.append(
                    f"the gate {_label(block)} waits for a condition no signal or update of the "
                    "graph is known to make true"
                )
        for name in sorted(needs.short_inputs & needs.answered_inputs):
            needs.blockers.append(
                f"the input {name} gives both a wait to sit out and a gate's timeout to answer "
                "before"
            )
        return needs

    def _note_what_it_starts(
        self, needs: Needs, tree: Tree, block: Block, kind: NodeType[Any], config: Config
    ) -> None:
        """What a node that blocks a run, signals a workflow or starts a child needs."""
        where = _label(block)
        blocker = kind.run_blocker(config)
        signalled = kind.signalled_workflow(config)
        started = kind.started_workflow(config)
        if blocker is not None:
            needs.blockers.append(f"{where} {blocker}")
        elif signalled is not None:
            inputs = tree.graph.info.input.fields
            target = _template_input_field(signalled)
            if target in inputs and inputs[target] == "str":
                if target not in needs.signal_targets:
                    needs.signal_targets.append(target)
            else:
                needs.blockers.append(f"{where} signals a workflow whose id is computed as it runs")
        elif started is not None:
            for reason in self.child_blockers(started):
                needs.blockers.append(f"{where} starts {started!r}, which {reason}")

    def _note_waits(
        self, needs: Needs, tree: Tree, block: Block, config: Config, gate: bool
    ) -> None:
        """The inputs a node's waits take, and the waits a generated test cannot sit out."""
        where = _label(block)
        for name, wait in self.waits(tree, block, config):
            if wait.input_field is not None:
                if gate:
                    needs.answered_inputs.add(wait.input_field)
                else:
                    needs.short_inputs.add(wait.input_field)
            elif wait.seconds is None and not gate:
                needs.blockers.append(f"{where} waits for a {name} computed as it runs")
            elif wait.seconds is not None and wait.seconds > LONGEST_WAIT and not gate:
                needs.blockers.append(
                    f"{where} waits up to {wait.seconds:g} s ({name}); "
                    f"a generated test waits at most {LONGEST_WAIT:g} s at a node"
                )

    def waits(self, tree: Tree, block: Block, config: Any) -> Iterator[tuple[str, Wait]]:
        """The waits of a node: what its kind declares as durations, other than time limits."""
        kind = REGISTRY[block.node.type]
        inputs = tree.graph.info.input.fields
        for name in sorted(kind.duration_fields):
            value = getattr(config, name, None)
            if name.endswith("_timeout") or value is None or value == "":
                continue
            try:
                yield name, Wait(seconds=parse_duration(value))
                continue
            except ValueError:
                pass
            try:
                expression = parse_expression(str(value))
            except ExpressionError:
                yield name, Wait()
                continue
            input_field = _input_field(expression)
            numeric = inputs.get(input_field or "") in ("int", "float")
            yield name, Wait(input_field=input_field if numeric else None)

    def child_blockers(self, workflow_id: str) -> list[str]:
        """Why a child workflow cannot run to its end while its parent's test runs: anything
        that blocks its own run test, and gates (the parent's test cannot answer them)."""
        if workflow_id in self._child_blockers:
            return self._child_blockers[workflow_id]
        self._child_blockers[workflow_id] = []  # a workflow starting itself blocks nothing more
        tree = self.trees.get(workflow_id)
        if tree is None:
            return []
        needs = self.needs(workflow_id)
        found = list(needs.blockers)
        if needs.signal_targets or needs.short_inputs or needs.answered_inputs:
            found.append("reads waits or the workflows it signals from its input")
        for block, _place in walk(run_blocks(tree), tree):
            config = tree.graph.configs[block.node.id]
            gate = REGISTRY[block.node.type].gate_conditions(config) is not None
            if gate and not any(
                wait.seconds is not None and wait.seconds <= LONGEST_WAIT
                for _name, wait in self.waits(tree, block, config)
            ):
                found.append(f"waits at the gate {_label(block)} for an answer")
        self._child_blockers[workflow_id] = found[:1]
        return found[:1]

    # gates

    def gate_openers(self, workflow_id: str) -> dict[str, dict[str, Message]]:
        """Gate node id -> outcome (`approved`, `rejected`) -> a message that brings it."""
        if workflow_id in self.openers:
            return self.openers[workflow_id]
        tree = self.trees[workflow_id]
        found: dict[str, dict[str, Message]] = {}
        for block, _place in walk(run_blocks(tree), tree):
            outcomes = REGISTRY[block.node.type].gate_conditions(tree.graph.configs[block.node.id])
            for outcome, condition in (outcomes or {}).items():
                message = self.message_making(tree, condition)
                if message is not None:
                    found.setdefault(block.node.id, {})[outcome] = message
        self.openers[workflow_id] = found
        return found

    def message_making(self, tree: Tree, condition: str) -> Message | None:
        """A signal or update of the workflow whose handler sets the state so that the
        condition holds, with the payload that does it; None when none is found."""
        need = _state_need(condition)
        if need is None:
            return None
        state_field, want = need
        info = tree.graph.info
        for (kind, name), handler in sorted(info.handlers.items()):
            message_type = REGISTRY[kind].message_type
            if message_type is None or REGISTRY[kind].read_only:
                continue
            for value in self.assigned(tree, handler, state_field):
                payload = self.payload_for(handler, value, want)
                if payload is not None:
                    return Message(message_type, name, payload)
        return None

    def assigned(self, tree: Tree, handler: HandlerInfo, state_field: str) -> Iterator[ast.expr]:
        """The expressions a handler's body assigns to `state.<state_field>`."""
        for block, _place in walk(handler_blocks(tree, handler), tree):
            config = tree.graph.configs[block.node.id]
            for target, value in REGISTRY[block.node.type].state_assignments(config):
                if target == f"state.{state_field}":
                    try:
                        yield parse_expression(value)
                    except ExpressionError:
                        continue

    def payload_for(self, handler: HandlerInfo, value: ast.expr, want: Want) -> str | None:
        """Code of the payload that makes the handler assign a wanted value; "" for a message
        without payload; None when it cannot be made."""
        fields = handler.payload
        literal = _constant(value)
        if literal is not _NOTHING:
            if not want.holds(literal):
                return None
            try:
                return fields_code(fields, {}, self.types, {}) if fields else ""
            except DefaultError:
                return None
        if (
            fields is None
            or not isinstance(value, ast.Attribute)
            or not isinstance(value.value, ast.Name)
            or value.value.id != "payload"
            or value.attr not in fields.fields
        ):
            return None
        annotation = fields.fields[value.attr]
        chosen = want.value_of(annotation, value.attr, self.types)
        if chosen is _NOTHING:
            return None
        try:
            return fields_code(fields, {value.attr: chosen}, self.types, {})
        except DefaultError:
            return None


_NOTHING = object()


def _constant(tree: ast.expr) -> Any:
    """The value a constant expression (`'a'`, `(1, 2)`, `-3`) stands for, else _NOTHING."""
    try:
        return ast.literal_eval(tree)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOTHING


@dataclass(frozen=True)
class Want:
    """What a state field must hold: truthy, falsy, equal to a value, or not None."""

    how: str
    value: Any = None

    def holds(self, candidate: Any) -> bool:
        if self.how == "truthy":
            return bool(candidate)
        if self.how == "falsy":
            return not candidate
        if self.how == "not_none":
            return candidate is not None
        return bool(candidate == self.value and type(candidate) is type(self.value))

    def value_of(self, annotation: str, name: str, types: dict[str, dict[str, str]]) -> Any:
        """A value of the annotation that holds, or _NOTHING."""
        tree = ast.parse(annotation, mode="eval").body
        if isinstance(tree, ast.BinOp):  # `T | None`
            if self.how in ("falsy",) or (self.how == "equals" and self.value is None):
                return None
            tree = tree.left
        candidates: list[Any] = []
        if isinstance(tree, ast.Subscript) and isinstance(tree.value, ast.Name):
            if tree.value.id == "Literal":
                candidates = list(literal_values(tree))
        elif isinstance(tree, ast.Name):
            scalars: dict[str, list[Any]] = {
                "bool": [True, False],
                "str": [name, ""],
                "int": [1, 0],
                "float": [1.0, 0.0],
            }
            candidates = scalars.get(tree.id, [])
        if self.how == "equals":
            fits = [c for c in candidates if c == self.value and type(c) is type(self.value)]
            if not fits and isinstance(tree, ast.Name) and tree.id == type(self.value).__name__:
                return self.value
            return fits[0] if fits else _NOTHING
        for candidate in candidates:
            if self.holds(candidate):
                return candidate
        return _NOTHING


def _state_need(condition: str) -> tuple[str, Want] | None:
    """(state field, what it must hold) for the conditions one state field decides:
    `state.x`, `not state.x`, `state.x == v`, `state.x in (v, ...)`, `state.x is not None`."""
    try:
        tree = parse_expression(condition)
    except ExpressionError:
        return None
    negated = isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not)
    subject = tree.operand if isinstance(tree, ast.UnaryOp) and negated else tree
    state_field = _state_field(subject)
    if state_field is not None:
        return state_field, Want("falsy" if negated else "truthy")
    if negated or not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
        return None
    left, op, right = tree.left, tree.ops[0], tree.comparators[0]
    if _state_field(left) is None and isinstance(op, ast.Eq):
        left, right = right, left
    state_field = _state_field(left)
    if state_field is None:
        return None
    if isinstance(op, ast.IsNot) and isinstance(right, ast.Constant) and right.value is None:
        return state_field, Want("not_none")
    value = _constant(right)
    if value is _NOTHING:
        return None
    if isinstance(op, ast.Eq):
        return state_field, Want("equals", value)
    if isinstance(op, ast.In) and isinstance(value, tuple | list) and value:
        return state_field, Want("equals", value[0])
    return None


def _state_field(tree: ast.expr) -> str | None:
    if (
        isinstance(tree, ast.Attribute)
        and isinstance(tree.value, ast.Name)
        and tree.value.id == "state"
    ):
        return tree.attr
    return None


@dataclass(frozen=True)
class Message:
    kind: str
    """The Temporal message: `signal` or `update`."""
    name: str
    payload: str
    """Code of the payload; "" for none."""

    def code(self) -> str:
        arguments = [repr(self.kind), repr(self.name)] + ([self.payload] if self.payload else [])
        return f"Message({', '.join(arguments)})"


# outcomes: what a branch decided shows in what runs after it

TIMEOUT_TEST_LONGEST = 5.0
"""A gate's timeout (seconds, written in the graph) a test waits out to see it time out."""


@dataclass
class Outcome:
    """One test of a branch: the inputs or gate answers that take one of its paths, and what
    shows that it was taken."""

    name: str
    description: str
    inputs: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    """Gate node id -> code of the message it gets (the other gates are approved)."""
    unanswered: str | None = None
    """A gate left to time out."""
    failure: str | None = None
    """The error type the workflow fails with on this path; None when it completes."""
    ran: list[str] = field(default_factory=list)
    not_ran: list[str] = field(default_factory=list)


def _nodes(blocks: Iterable[Block], tree: Tree) -> set[str]:
    return {block.node.id for block, _place in walk(list(blocks), tree)}


class Paths:
    """The paths out of one branch of the run, for the tests of its outcomes."""

    def __init__(self, tree: Tree, sequence: list[Block], index: int) -> None:
        self.tree = tree
        self.branch = sequence[index]
        self.after = sequence[index + 1 :]
        calls = calls_of(
            (node.id, node.type, tree.graph.configs.get(node.id))
            for node in tree.graph.info.definition.nodes
        )
        self.sites: dict[str, set[str]] = {
            activity: {node_id for node_id, _role in sites} for activity, sites in calls.items()
        }
        """Activity type -> every node calling it (as its step, an undo or bookkeeping)."""
        self.steps: dict[str, set[str]] = {
            activity: {node_id for node_id, role in sites if role == "step"}
            for activity, sites in calls.items()
        }
        """Activity type -> the nodes calling it as their own work."""

    def arm(self, port: str) -> list[Block]:
        return next((arm for name, arm in self.branch.arms if name == port), [])

    def leaves(self, port: str) -> bool:
        return always_leaves(self.arm(port), self.tree.graph.configs)

    def reach(self, port: str) -> set[str]:
        """Nodes the path may run, up to the end of the branch's sequence."""
        found = _nodes(self.arm(port), self.tree)
        return found if self.leaves(port) else found | _nodes(self.after, self.tree)

    def sure(self, port: str) -> list[Block]:
        """Blocks the path runs whenever it runs to its end."""
        blocks = list(sure_blocks(self.arm(port), self.tree))
        return blocks if self.leaves(port) else blocks + list(sure_blocks(self.after, self.tree))

    def failure(self, port: str) -> str | None:
        for block in self.sure(port):
            config = self.tree.graph.configs[block.node.id]
            error_type = REGISTRY[block.node.type].fails_with(config)
            if error_type is not None:
                return error_type
        return None

    def evidence(self, ports: list[str]) -> dict[str, tuple[list[str], list[str], str | None]]:
        """Port -> (activities only this path runs, activities only the others run, the error
        its Fail raises); a port missing when nothing tells its path from the others."""
        reach = {port: self.reach(port) for port in ports}
        failures = {port: self.failure(port) for port in ports}
        found: dict[str, tuple[list[str], list[str], str | None]] = {}
        for port in ports:
            others = set().union(*(reach[other] for other in ports if other != port))
            sure = {block.node.id for block in self.sure(port)}
            ran = sorted(
                activity
                for activity, sites in self.sites.items()
                if self.steps[activity] & sure and sites <= reach[port] and not sites & others
            )
            not_ran = sorted(
                activity
                for activity, sites in self.sites.items()
                if sites <= others and not sites & reach[port]
            )
            distinct = any(failures[other] != failures[port] for other in ports if other != port)
            if ran or not_ran or distinct:
                found[port] = (ran, not_ran, failures[port])
        return found


def _places(blocks: list[Block], tree: Tree) -> Iterator[tuple[list[Block], int]]:
    """(sequence, index) of every block the run reaches whenever it reaches the end of
    `blocks`: the sequence itself and the bodies of phases and Trys in it."""
    for index, block in enumerate(blocks):
        yield blocks, index
        kind = REGISTRY[block.node.type]
        if kind.role is not Role.CONTAINER or kind.body_repeats:
            continue
        for port, arm in block.arms:
            if port == "body":
                yield from _places(arm, tree)


def gate_outcomes(planner: Planner, tree: Tree, skipped: list[str]) -> Iterator[Outcome]:
    workflow_id = tree.graph.info.definition.id
    openers = planner.gate_openers(workflow_id)
    for sequence, index in _places(run_blocks(tree), tree):
        block = sequence[index]
        kind = REGISTRY[block.node.type]
        config = tree.graph.configs[block.node.id]
        if kind.gate_conditions(config) is None:
            continue
        where = _label(block)
        messages = openers.get(block.node.id, {})
        ports = list(messages)
        timeout = next(iter(planner.waits(tree, block, config)), None)
        if timeout is not None and kind.timeout_port is not None:
            wait = timeout[1]
            if wait.input_field is not None or (
                wait.seconds is not None and wait.seconds <= TIMEOUT_TEST_LONGEST
            ):
                ports.append(kind.timeout_port)
        if len(ports) < 2:
            skipped.append(
                f"the gate {where}: no outcome tests; they need two outcomes a test can bring "
                "(a signal or update setting the state its conditions read, or a short timeout)"
            )
            continue
        evidence = Paths(tree, sequence, index).evidence(ports)
        if len(evidence) < len(ports):
            skipped.append(
                f"the gate {where}: no outcome tests; its paths call no activity and raise no "
                "error of their own to tell them apart"
            )
            continue
        for port in ports:
            ran, not_ran, failure = evidence[port]
            outcome = Outcome(
                name=f"{block.node.id}_{port}",
                description=f"the gate {where} {_gate_words(port, kind.timeout_port)}",
                failure=failure,
                ran=ran,
                not_ran=not_ran,
            )
            if port == kind.timeout_port:
                outcome.unanswered = block.node.id
                if timeout is not None and timeout[1].input_field is not None:
                    outcome.inputs[timeout[1].input_field] = SHORT_WAIT
            else:
                outcome.answers[block.node.id] = messages[port].code()
            yield outcome


def _gate_words(port: str, timeout_port: str | None) -> str:
    """What taking a gate's port means: its name (`approved`), or left to time out."""
    return "left to time out" if port == timeout_port else port


def condition_outcomes(
    planner: Planner, tree: Tree, needs: Needs, skipped: list[str]
) -> Iterator[Outcome]:
    taken = set(needs.signal_targets) | needs.short_inputs | needs.answered_inputs
    inputs = tree.graph.info.input
    for sequence, index in _places(run_blocks(tree), tree):
        block = sequence[index]
        expression = REGISTRY[block.node.type].if_expression(tree.graph.configs[block.node.id])
        if expression is None:
            continue
        where = _label(block)
        choice = input_choice(expression, inputs, planner.types)
        if choice is None or choice[0] in taken:
            skipped.append(
                f"the condition {where}: no branch tests; its expression is not a comparison of "
                "one input field with a constant that a test can make true and false"
            )
            continue
        input_field, when_true, when_false = choice
        evidence = Paths(tree, sequence, index).evidence(["true", "false"])
        if len(evidence) < 2:
            skipped.append(
                f"the condition {where}: no branch tests; its arms call no activity and raise no "
                "error of their own to tell them apart"
            )
            continue
        for port, value in (("true", when_true), ("false", when_false)):
            ran, not_ran, failure = evidence[port]
            yield Outcome(
                name=f"{block.node.id}_{port}",
                description=f"the condition {where} {port} (input {input_field} = {value!r})",
                inputs={input_field: value},
                failure=failure,
                ran=ran,
                not_ran=not_ran,
            )


_FLIPPED = {
    ast.Lt: ast.Gt,
    ast.LtE: ast.GtE,
    ast.Gt: ast.Lt,
    ast.GtE: ast.LtE,
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
}


def input_choice(
    expression: str, inputs: FieldsInfo, types: dict[str, dict[str, str]]
) -> tuple[str, Any, Any] | None:
    """(input field, a value making the expression true, one making it false) for
    `input.x`, `not input.x` and `input.x <op> constant`; None for anything else."""
    try:
        tree = parse_expression(expression)
    except ExpressionError:
        return None
    negated = isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not)
    subject = tree.operand if isinstance(tree, ast.UnaryOp) and negated else tree
    name = _input_field(subject)
    if name is not None:
        if inputs.fields.get(name) != "bool":
            return None
        return (name, False, True) if negated else (name, True, False)
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
        return None
    left, op, right = tree.left, tree.ops[0], tree.comparators[0]
    if _input_field(left) is None and type(op) in _FLIPPED:
        left, right, op = right, left, _FLIPPED[type(op)]()
    name = _input_field(left)
    if name is None or name not in inputs.fields:
        return None
    constant = _constant(right)
    if constant is _NOTHING:
        return None
    values = _comparison_values(inputs.fields[name], op, constant)
    if values is None:
        return None
    return name, values[0], values[1]


def _comparison_values(annotation: str, op: ast.cmpop, constant: Any) -> tuple[Any, Any] | None:
    """(true, false) values of the annotation for `field <op> constant`."""
    number = annotation in ("int", "float") and type(constant) in (int, float)
    if annotation == "int" and type(constant) is not int:
        return None
    if isinstance(op, ast.Eq | ast.NotEq):
        other = _other_value(annotation, constant)
        if other is None:
            return None
        return (constant, other) if isinstance(op, ast.Eq) else (other, constant)
    if not number:
        return None
    step = 1 if annotation == "int" else 1.0
    value = constant if annotation == "int" else float(constant)
    pairs = {
        ast.Lt: (value - step, value),
        ast.LtE: (value, value + step),
        ast.Gt: (value + step, value),
        ast.GtE: (value, value - step),
    }
    return pairs.get(type(op))


def _other_value(annotation: str, constant: Any) -> Any:
    """A value of the annotation that is not `constant`; None when there is none to pick."""
    if annotation == "str" and isinstance(constant, str):
        return constant + "-other" if constant else "other"
    if annotation == "int" and type(constant) is int:
        return constant + 1
    if annotation == "float" and type(constant) in (int, float):
        return float(constant) + 1.0
    if annotation == "bool" and isinstance(constant, bool):
        return not constant
    tree = ast.parse(annotation, mode="eval").body
    if (
        isinstance(tree, ast.Subscript)
        and isinstance(tree.value, ast.Name)
        and tree.value.id == "Literal"
    ):
        choices = literal_values(tree)
        if constant in choices:
            return next((c for c in choices if c != constant), None)
    return None
