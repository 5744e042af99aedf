"""What a node kind sees while it is checked and while it is rendered."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from language.diagnostics import Codes, Diagnostic, Severity
from language.document import Node, RetrySpec
from language.durations import parse_duration, timedelta_code
from language.expressions import (
    emit_checked,
    is_expression,
)
from language.names import snake
from language.typerefs import TypeRefError, parse_typeref
from node_types.project_info import ActivityInfo, ProjectInfo, WorkflowInfo, annotation_or_any


@dataclass
class NodeCheck:
    """Collects one node's diagnostics; kinds call its helpers from their `validate` hook."""

    project: ProjectInfo
    workflow: WorkflowInfo
    node: Node
    scope_output: str = "Any"
    """What the scope the node stands in returns (the workflow's output, an update's type)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Expression field (`config.args.phase`) -> the annotation its value is assigned to and
    what that is (`state.phase`): where a Literal is declared, the scope check holds the value
    to its choices."""

    def error(
        self, code: str, field: str | None, message: str, severity: Severity = Severity.ERROR
    ) -> None:
        """A diagnostic on this node; `field` is a path inside its config."""
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                severity=severity,
                workflow_id=self.workflow.definition.id,
                node_id=self.node.id,
                field=f"config.{field}" if field else "config",
            )
        )

    def warning(self, code: str, field: str | None, message: str) -> None:
        self.error(code, field, message, Severity.WARNING)

    def assigns(self, field: str, annotation: str, what: str) -> None:
        """The expression in `field` becomes a value of `annotation` (`what` it is called)."""
        self.targets[f"config.{field}"] = (annotation, what)

    def duration(self, field: str, value: str | None, *, expression: bool = False) -> None:
        """A duration literal; with `expression`, an expression giving seconds may stand
        there instead (the scope check types it)."""
        if value is None:
            return
        try:
            parse_duration(value)
        except ValueError as error:
            if expression and is_expression(value):
                return
            self.error(Codes.BAD_DURATION, field, str(error))

    def typeref(self, field: str, text: str) -> None:
        try:
            parse_typeref(text, self.project.type_names)
        except TypeRefError as error:
            code = Codes.UNKNOWN_TYPE if error.unknown else Codes.BAD_TYPE
            self.error(code, field, str(error))

    def retry(self, field: str, retry: RetrySpec | None) -> None:
        if retry is not None:
            self.duration(f"{field}.initial_interval", retry.initial_interval)
            self.duration(f"{field}.maximum_interval", retry.maximum_interval)

    def activity(self, field: str, name: str) -> ActivityInfo | None:
        info = self.project.activities.get(name)
        if info is None:
            known = ", ".join(repr(a) for a in sorted(self.project.activities)) or "none yet"
            self.error(
                Codes.UNKNOWN_ACTIVITY,
                field,
                f"activity {name!r} is not in the project's catalogue (known: {known}); "
                "add it to the catalogue or pick another",
            )
        return info

    def workflow_ref(self, field: str, workflow_id: str) -> WorkflowInfo | None:
        info = self.project.workflows.get(workflow_id)
        if info is None:
            known = ", ".join(repr(w) for w in sorted(self.project.workflows))
            self.error(
                Codes.UNKNOWN_WORKFLOW,
                field,
                f"workflow {workflow_id!r} is not in this project (known: {known})",
            )
        return info

    def arguments(
        self,
        field: str,
        args: dict[str, str],
        expected: dict[str, str],
        what: str,
        optional: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Arguments must name exactly the target's input fields."""
        for name in args:
            if name in expected:
                self.assigns(f"{field}.{name}", expected[name], f"{name!r} of {what}")
            else:
                self.error(
                    Codes.BAD_ARGUMENT,
                    f"{field}.{name}",
                    f"{what} has no input field {name!r}; its fields are "
                    f"{', '.join(map(repr, expected)) or 'none'}",
                )
        for name in expected:
            if name not in args and name not in optional:
                self.error(
                    Codes.BAD_ARGUMENT,
                    f"{field}.{name}",
                    f"{what} needs a value for its input field {name!r}; add an expression for it",
                )


@dataclass
class Scope:
    """Names an expression may use at one point of the generated code, and what they become."""

    mapping: dict[str, str]
    locals: dict[str, str] = field(default_factory=dict)
    """local variable name -> annotation, for the locals bound by steps so far."""
    kind: str = "run"
    """run, signal, update, phase, branch: where the code lives."""
    compensations: str | None = None
    """The list the innermost Try collects compensations in, if the code is inside one."""
    spawners: tuple[str, ...] = ()
    """The parallels and concurrent loops whose tasks run this code, outermost first: a failure
    beside it there cancels it."""
    types: dict[str, Any] = field(default_factory=dict)
    """expression name -> its value's annotation text, or the `Type` the checker worked out
    (names without one are `Any`)."""

    def child(self, kind: str | None = None) -> Scope:
        return Scope(
            dict(self.mapping),
            dict(self.locals),
            kind or self.kind,
            self.compensations,
            self.spawners,
            dict(self.types),
        )

    def bind(self, name: str, annotation: str, code: str | None = None) -> None:
        """Make `name` readable by expressions; it is the local `code` (default: itself)."""
        self.mapping[name] = code or name
        self.locals[code or name] = annotation
        self.types[name] = annotation


def _annotation(value: Any) -> str:
    """A type the checker worked out, as an annotation the generated code can carry."""
    text = str(value)
    return "Any" if text in ("iterable", "None") or "iterable[" in text else text


FAILURE_MESSAGE_METHOD = '''@staticmethod
def _failure_message(failure: BaseException) -> str:
    """The message at the root of a failure chain (child -> activity -> application error)."""
    while isinstance(failure, FailureError) and failure.cause is not None:
        failure = failure.cause
    return failure.message if isinstance(failure, FailureError) else str(failure)'''

NON_RETRYABLE_METHOD = '''@staticmethod
def _non_retryable(failure: BaseException | None) -> bool:
    """Whether a failure must not be tried again: a non-retryable application error anywhere
    in its chain, or an activity or child its own retry policy stopped as non-retryable."""
    while failure is not None:
        if isinstance(failure, ApplicationError) and failure.non_retryable:
            return True
        if isinstance(failure, (ActivityError, ChildWorkflowError)) and (
            failure.retry_state == RetryState.NON_RETRYABLE_FAILURE
        ):
            return True
        failure = failure.cause if isinstance(failure, FailureError) else None
    return False'''


class Renderer(Protocol):
    """The parts of the workflow renderer a kind may call."""

    def arms(self, node_id: str, port: str) -> list[str]: ...
    def claim_method(self, base: str) -> str: ...
    def claim_local(self, base: str) -> str: ...
    def add_method(self, code: str) -> None: ...
    def add_member(self, key: str, init_line: str, method: str) -> None: ...
    def snippet(self, template: str, **variables: Any) -> str: ...
    def phase_parameters(self, node_id: str) -> list[str]: ...
    def container_name(self, node_id: str, name: str) -> str: ...
    def settles(self, node_id: str) -> bool: ...
    def arm_leaves(self, node_id: str, port: str) -> bool: ...
    def result_code(self, name: str) -> str: ...
    def arm_heads(self, node_id: str, port: str) -> list[Node | None]: ...
    def after_body_scope(self, node_id: str) -> Scope: ...
    def body_scope(self, node_id: str) -> Scope: ...
    def name_type(self, node_id: str, name: str) -> Any: ...
    def checked(self, node_id: str, text: str, template: bool) -> bool: ...
    def activity_shared(self, activity: str) -> bool: ...
    def run_prelude(self) -> list[str]: ...
    def earlier_choice(self, node_id: str) -> tuple[str, tuple[tuple[str, str], ...]] | None: ...


@dataclass(frozen=True)
class PatchedChoice:
    """A choice made once, at the node, between the expressions of two versions."""

    code: str
    """`if workflow.patched(...)` binding a local from the new expressions, else the old."""
    tests: dict[str, str]
    """port -> the test reading that local: whether the port is taken."""


def _truth(code: str) -> str:
    """Code giving a bool: as it is where it gives one already, else through `bool()`."""

    def gives_bool(tree: ast.expr) -> bool:
        if isinstance(tree, ast.Compare):
            return True
        if isinstance(tree, ast.UnaryOp):
            return isinstance(tree.op, ast.Not)
        if isinstance(tree, ast.BoolOp):
            return all(gives_bool(value) for value in tree.values)
        return isinstance(tree, ast.Constant) and isinstance(tree.value, bool)

    return code if gives_bool(ast.parse(code, mode="eval").body) else f"bool({code})"


@dataclass
class NodeRender:
    """Helpers a kind uses to turn its config into template variables."""

    project: ProjectInfo
    workflow: WorkflowInfo
    node: Node
    scope: Scope
    used_names: set[str]
    """Names read by some expression of the workflow: only results among them are bound."""
    renderer: Renderer
    imports: set[str] = field(default_factory=set)

    def body(self, port: str) -> str:
        """The rendered statements of the arm leaving through a port ('' when there is none)."""
        arms = self.renderer.arms(self.node.id, port)
        return arms[0] if arms else ""

    def bodies(self, port: str) -> list[str]:
        return self.renderer.arms(self.node.id, port)

    def arm_heads(self, port: str) -> list[Node | None]:
        """The first node of each arm leaving through `port` (None for an empty arm)."""
        return self.renderer.arm_heads(self.node.id, port)

    def leaves(self, port: str) -> bool:
        """Whether the arm leaving through `port` always ends (End, Fail, ...): the code after
        the branch can then follow it without an `else`."""
        return self.renderer.arm_leaves(self.node.id, port)

    def claim_method(self, base: str) -> str:
        return self.renderer.claim_method(base)

    def patched_choice(self, tests: dict[str, str]) -> PatchedChoice | None:
        """Where this node's choice changed since the version running executions started on
        (compiled `--compatible-with`): the new tests (port -> code, in the order they are
        tried) and the old ones are evaluated under one `workflow.patched` guard, once, into
        a local; the node's branches then read it. None where nothing changed."""
        earlier = self.renderer.earlier_choice(self.node.id)
        if earlier is None:
            return None
        patch_id, before = earlier
        old = {port: self.expr(text) for port, text in before}
        if len(tests) == 1 and old.keys() == tests.keys():
            (port,) = tests
            name = self.claim_local("holds")
            new_value, old_value = _truth(tests[port]), _truth(old[port])
            chosen = {port: name}
        else:
            name = self.claim_local("choice")

            def pick(ports: dict[str, str]) -> str:
                tried = " ".join(
                    f"{port.split(':', 1)[-1]!r} if {test} else" for port, test in ports.items()
                )
                return f"{tried} None"

            new_value, old_value = pick(tests), pick(old)
            chosen = {port: f"{name} == {port.split(':', 1)[-1]!r}" for port in tests}
        code = (
            f"if workflow.patched({patch_id!r}):\n    {name} = {new_value}\n"
            f"else:\n    {name} = {old_value}"
        )
        return PatchedChoice(code, chosen)

    def claim_local(self, base: str) -> str:
        """A local of this node's code, named after the node (`approval_decision`), so that
        adding a node elsewhere never renames it."""
        return self.renderer.claim_local(f"{snake(self.node.id, 'node')}_{base}")

    def add_method(self, code: str) -> None:
        self.renderer.add_method(code)

    def failure_message(self, variable: str) -> str:
        """Code for the message at the root of a caught Temporal failure (no type prefix)."""
        self.add_member("failure_message", "", FAILURE_MESSAGE_METHOD)
        return f"self._failure_message({variable})"

    def non_retryable(self, variable: str) -> str:
        """Code telling whether a caught failure must not be retried (walks its cause chain)."""
        self.add_member("non_retryable", "", NON_RETRYABLE_METHOD)
        return f"self._non_retryable({variable})"

    def add_member(self, key: str, init_line: str, method: str = "") -> None:
        """A workflow-wide attribute (its `__init__` line) and method, added once per key."""
        self.renderer.add_member(key, init_line, method)

    def render_snippet(self, template: str, **variables: Any) -> str:
        return self.renderer.snippet(template, **variables)

    def phase_parameters(self) -> list[str]:
        return self.renderer.phase_parameters(self.node.id)

    def settles(self) -> bool:
        """Whether this parallel or concurrent loop waits for the tasks it cancels (Analysis)."""
        return self.renderer.settles(self.node.id)

    def body_annotation(self, name: str) -> str:
        """The annotation of a name this container binds for its body (`item`), as the
        checker worked it out (`Any` where it could not)."""
        return _annotation(self.renderer.body_scope(self.node.id).types.get(name, "Any"))

    def name_annotation(self, name: str) -> str:
        """The annotation of a name this kind makes visible to its fields (`item`), as the
        checker worked it out (`Any` where it could not)."""
        return _annotation(self.renderer.name_type(self.node.id, name))

    def container_name(self, name: str) -> str:
        """The local a container binds for its body (`attempt`, `item`)."""
        return self.renderer.container_name(self.node.id, name)

    def fstring(self, *parts: str | tuple[str]) -> str:
        """An f-string: plain strings are literal text, 1-tuples hold code to interpolate."""
        values: list[ast.expr] = []
        for part in parts:
            if isinstance(part, tuple):
                values.append(
                    ast.FormattedValue(ast.parse(part[0], mode="eval").body, conversion=-1)
                )
            else:
                values.append(ast.Constant(part))
        return ast.unparse(ast.JoinedStr(values))

    def annotation(self, typeref: str) -> str:
        return annotation_or_any(typeref, self.project.type_names)

    def expr(self, text: str) -> str:
        return self.emit_checked(text, False, self.scope.mapping)

    def emit_checked(self, text: str, template: bool, mapping: dict[str, str]) -> str:
        """Code for one of this node's expressions (or templates), only if the typed check
        passed it."""
        if not self.renderer.checked(self.node.id, text, template):
            raise AssertionError(f"unchecked expression reached render: {text!r}")
        return emit_checked(text, template, mapping)

    def with_mapping(self, mapping: dict[str, str]) -> NodeRender:
        """The same node with more names in scope: expression name -> its code."""
        scope = self.scope.child()
        scope.mapping.update(mapping)
        return replace(self, scope=scope)

    def with_names(self, *names: str) -> NodeRender:
        """The same node with the kind's extra names in scope (`item`, `result`, ...)."""
        return self.with_mapping({name: self.container_name(name) for name in names})

    def expr_after_body(self, text: str) -> str:
        """An expression evaluated after the container's body, seeing what the body bound."""
        scope = self.renderer.after_body_scope(self.node.id)
        return self.emit_checked(text, False, scope.mapping)

    def template(self, text: str) -> str:
        return self.emit_checked(text, True, self.scope.mapping)

    def literal(self, value: Any) -> str:
        return repr(value)

    def duration(self, text: str) -> str:
        """A `timedelta` for a duration literal, or for an expression giving seconds."""
        self.imports.add("timedelta")
        try:
            seconds = parse_duration(text)
        except ValueError:
            return f"timedelta(seconds={self.expr(text)})"
        return timedelta_code(seconds)

    def seconds(self, text: str) -> str:
        """Seconds as a float, for a duration literal or an expression giving seconds."""
        try:
            return repr(float(parse_duration(text)))
        except ValueError:
            return f"float({self.expr(text)})"

    def summary(self) -> str:
        label = self.node.label or self.node.type
        return repr(f"{self.node.id}: {label}"[:200])

    def run_prelude(self) -> list[str]:
        """Statements `run` starts with: setting the input and state up where no handler can
        run before it, so the workflow needs no `@workflow.init`."""
        return self.renderer.run_prelude()

    def activity_summary(self, activity: str, text: str | None = None) -> str | None:
        """Code for the `summary=` of this node's call of `activity` (`"<node id>: <text>"`,
        the label by default), or None where this call site alone in the workflow uses that
        activity type: the type then ties the call to its node (compiler.activity_owners)."""
        if not self.renderer.activity_shared(activity):
            return None
        return repr(f"{self.node.id}: {text or self.node.label or self.node.type}"[:200])

    def result_name(self, name: str | None) -> str | None:
        """The local a step binds, only when something reads it."""
        if name and name in self.used_names:
            return self.renderer.result_code(name)
        return None

    def retry_policy(self, retry: RetrySpec | None) -> str | None:
        if retry is None:
            return None
        self.imports.add("RetryPolicy")
        parts = []
        if parse_duration(retry.initial_interval) != 1.0:  # Temporal's default
            parts.append(f"initial_interval={self.duration(retry.initial_interval)}")
        if retry.backoff_coefficient != 2.0:
            parts.append(f"backoff_coefficient={retry.backoff_coefficient!r}")
        if retry.maximum_interval:
            parts.append(f"maximum_interval={self.duration(retry.maximum_interval)}")
        if retry.maximum_attempts:
            parts.append(f"maximum_attempts={retry.maximum_attempts}")
        if retry.non_retryable_error_types:
            parts.append(f"non_retryable_error_types={retry.non_retryable_error_types!r}")
        return f"RetryPolicy({', '.join(parts)})"
