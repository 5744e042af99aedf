"""Checks on the structured tree: names in scope, where kinds may stand, paths that fall off.

It also records, for the render stage, the scope each node sees and which step results are read.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from compiler.structure import Block, Tree
from language.diagnostics import Codes, Diagnostic, Severity
from language.expression_types import (
    ANY,
    FLOAT,
    Environment,
    Type,
    assignable,
    check_types,
    choice_refusal,
    element_type,
    parse_annotation,
    settled,
)
from language.expressions import FUNCTIONS, ExpressionError, free_names
from language.names import Namespace, names_in, snake
from node_types import REGISTRY
from node_types.base import NodeType, Role
from node_types.context import NodeCheck, Scope
from node_types.generated_names import reserved_code_names
from node_types.project_info import ProjectInfo, annotation_or_any

WORKFLOW_NAMES = {
    "now": "workflow.now()",
    "workflow_id": "workflow.info().workflow_id",
    "history_length": "workflow.info().get_current_history_length()",
    "continue_as_new_suggested": "workflow.info().is_continue_as_new_suggested()",
    "run_id": "workflow.info().run_id",
    "parent_id": "(workflow.info().parent.workflow_id if workflow.info().parent else None)",
    "workflow_attempt": "workflow.info().attempt",
}
"""Names every expression outside a query can read, and the workflow APIs they stand for."""
WORKFLOW_NAME_TYPES = {
    "now": "datetime",
    "workflow_id": "str",
    "history_length": "int",
    "continue_as_new_suggested": "bool",
    "run_id": "str",
    "parent_id": "str | None",
    "workflow_attempt": "int",
}


@dataclass
class Analysis:
    scopes: dict[str, Scope] = field(default_factory=dict)
    """node id -> the scope the node sees (before the names it binds itself)."""
    used_names: set[str] = field(default_factory=set)
    phase_parameters: dict[str, list[str]] = field(default_factory=dict)
    container_names: dict[str, dict[str, str]] = field(default_factory=dict)
    """container id -> name it binds in its body (`attempt`, `item`) -> the local's name."""
    result_code: dict[str, str] = field(default_factory=dict)
    """result name -> its local in the generated code (renamed where it would shadow one)."""
    body_scopes: dict[str, Scope] = field(default_factory=dict)
    """container id -> the scope its body starts in (with the names the container binds)."""
    after_body_scopes: dict[str, Scope] = field(default_factory=dict)
    """container id -> the scope at the end of its body (for `until` and the like)."""
    settling: set[str] = field(default_factory=set)
    """Parallels and concurrent loops whose tasks hold a step with an undo: after cancelling
    their tasks they wait for them, so that such a step finishes and registers its undo."""
    field_types: dict[tuple[str, str], Type] = field(default_factory=dict)
    """(node id, expression field) -> the type of the expression's value, once checked."""
    name_types: dict[tuple[str, str], Any] = field(default_factory=dict)
    """(node id, name a kind makes visible to its fields, `item`) -> its type."""
    checked: dict[str, set[tuple[str, bool]]] = field(default_factory=dict)
    """node id -> (text, is_template) of each expression of it that passed the typed check:
    render emits no other."""
    field_scopes: dict[tuple[str, str], Scope] = field(default_factory=dict)
    """(node id, field path prefix) -> the scope of the node's fields under that prefix,
    where it differs from the node's own: those that see extra names (`item`, `result`)."""


def analyse(tree: Tree, project: ProjectInfo) -> tuple[Analysis, list[Diagnostic]]:
    return _Analyser(tree, project).run()


class _Analyser:
    def __init__(self, tree: Tree, project: ProjectInfo) -> None:
        self.tree = tree
        self.graph = tree.graph
        self.project = project
        self.analysis = Analysis()
        self.diagnostics: list[Diagnostic] = []
        self.binders: dict[str, str] = {}
        self.annotations: dict[str, Type] = {}
        """annotation text -> its type (the same few are resolved at every node)"""
        self.record_types: dict[str, dict[str, Type]] = {}
        """project type -> its fields' types, worked out once for every expression"""

        for node_id, config in self.graph.configs.items():
            kind = REGISTRY[self.graph.nodes[node_id].type]
            ctx = NodeCheck(project, self.graph.info, self.graph.nodes[node_id])
            for name, _annotation in kind.binds(config, ctx):
                self.binders.setdefault(name, node_id)
        reserved = reserved_code_names(project)
        self.reserved = frozenset(reserved)
        self.constructors = frozenset(project.type_names)
        code_names = Namespace(reserved)
        for name in self.binders:
            self.analysis.result_code[name] = code_names.claim(name)
        # locals a container binds (attempt, item) never collide with step results
        self.container_locals = Namespace(
            reserved | set(self.analysis.result_code.values()) | {"task", "pending", "finished"}
        )
        for parsed in self.graph.expressions.values():
            for expression in parsed:
                self.analysis.used_names |= free_names(expression.tree)

    def container_local(self, node_id: str, name: str) -> str:
        """The local standing for a name a container binds (`attempt`, `item`): named after
        the container, so that adding a node elsewhere never renames it."""
        return self.container_locals.claim(f"{snake(node_id, 'node')}_{name}")

    def error(
        self,
        code: str,
        node_id: str,
        field: str | None,
        message: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.diagnostics.append(
            Diagnostic(
                code,
                message,
                severity=severity,
                workflow_id=self.graph.info.definition.id,
                node_id=node_id,
                field=field,
            )
        )

    def warning(self, code: str, node_id: str, field: str | None, message: str) -> None:
        self.error(code, node_id, field, message, Severity.WARNING)

    def run(self) -> tuple[Analysis, list[Diagnostic]]:
        info = self.graph.info
        for entry in self.tree.entries:
            node = entry.node
            kind, config = REGISTRY[node.type], self.graph.configs[node.id]
            # where the entry's code runs: the run method, or a handler of its message type
            context = "run" if kind.starts_run else kind.message_type or "entry"
            scope = Scope({"input": "self._input"}, kind=context)
            scope.types.update(input=info.input.class_name)
            if info.keeps_state:
                scope.mapping["state"] = "self._state"
                scope.types["state"] = info.state_class
            if kind.before_run:
                scope = Scope({}, kind=context)
            elif not kind.read_only:
                scope.mapping.update(WORKFLOW_NAMES)
                scope.types.update(WORKFLOW_NAME_TYPES)
            scope.mapping.update({name: name for name in self.project.type_names})
            if kind.starts_run:
                output = info.output
            else:
                output = annotation_or_any(kind.scope_output(config), self.project.type_names)
            handler = info.handlers.get((node.type, getattr(config, "name", "")))
            if handler is not None and handler.payload is not None:
                scope.mapping["payload"] = "payload"
                scope.types["payload"] = handler.payload.class_name
            self.visit_node(entry, scope, frozenset({scope.kind}))
            for _port, body in entry.arms:
                self.walk(body, scope.child(), frozenset({scope.kind}))
            body = entry.arms[0][1] if entry.arms else []
            returns_value = output not in ("None", "Any") and not output.endswith("| None")
            if (
                entry.arms
                and returns_value
                and (_falls_through(body, self.graph.configs) or self._exits(body))
            ):
                self.error(
                    Codes.MISSING_RETURN,
                    node.id,
                    None,
                    f"a path from here reaches the end without an End node, but this must "
                    f"return {output}; finish every path with End or Fail",
                )
        self.check_every_expression_typed()
        return self.analysis, self.diagnostics

    def check_every_expression_typed(self) -> None:
        """No expression reaches the generated code unless its types were checked."""
        reported = {(d.node_id, d.field) for d in self.diagnostics}
        for node_id, parsed in self.graph.expressions.items():
            for expression in parsed:
                key = (node_id, expression.field)
                if key not in self.analysis.field_types and key not in reported:
                    self.error(
                        Codes.UNREACHABLE,
                        node_id,
                        expression.field,
                        "this expression is not on any path the workflow takes, so it cannot "
                        "be checked; connect the node or remove it",
                    )

    def visit_node(
        self,
        block: Block,
        scope: Scope,
        contexts: frozenset[str],
        catchers: frozenset[str] = frozenset(),
    ) -> None:
        """`contexts`: where the node's code runs (its scope's kind and those of the bodies
        around it); `catchers`: the labels of the containers around it a failure comes back to
        (`catches_failures`)."""
        node = block.node
        kind = REGISTRY[node.type]
        self.analysis.scopes[node.id] = scope.child()
        forbidden = kind.not_allowed_in & contexts
        if forbidden:
            self.error(kind.not_allowed_code, node.id, None, kind.not_allowed_reason)
        self.check_names(node.id, scope, "normal")
        config = self.graph.configs[node.id]
        if catchers:
            ctx = NodeCheck(self.project, self.graph.info, node)
            kind.check_failures_come_back(config, ctx, " and ".join(sorted(catchers)))
            self.diagnostics += ctx.diagnostics
        if kind.can_fail and "signal" in contexts and "caught" not in contexts:
            self.warning(
                Codes.FAILS_WORKFLOW,
                node.id,
                None,
                "a signal cannot be answered with an error, so if this step fails in the "
                "signal's handler the whole workflow fails; put it in a Try with an error "
                "path, or let the signal only record the request and do the work on the "
                "main path",
            )
        declared = kind.name_types(config, NodeCheck(self.project, self.graph.info, node))
        for prefix, extra in kind.field_names.items():
            names = self.analysis.container_names.setdefault(node.id, {})
            field_scope = scope.child()
            for name in extra:
                if name not in names:
                    names[name] = self.container_local(node.id, name)
                field_scope.bind(name, declared.get(name, "Any"), names[name])
                field_scope.types[name] = self.name_type(node.id, kind, name, declared)
                self.analysis.name_types[node.id, name] = field_scope.types[name]
            self.analysis.field_scopes[node.id, prefix] = field_scope
            self.check_names(node.id, field_scope, prefix)

    def name_type(
        self, node_id: str, kind: NodeType[Any], name: str, declared: dict[str, str]
    ) -> Any:
        """The type of a name a kind makes visible: one element of a field's value, or the
        annotation the kind declares."""
        source = kind.element_of.get(name)
        if source is not None and (node_id, source) in self.analysis.field_types:
            return element_type(settled(self.analysis.field_types[node_id, source])) or ANY
        return declared.get(name, "Any")

    def check_names(self, node_id: str, scope: Scope, which: str) -> None:
        """The node's expressions of one sort, typed: normal, late (after the body or the
        node's own result) or those under one prefix of the kind's `field_names`."""
        kind = REGISTRY[self.graph.nodes[node_id].type]
        expressions = [
            expression
            for expression in self.graph.expressions.get(node_id, [])
            if _field_sort(expression.field, kind) == which
        ]
        if not expressions:
            return
        config = self.graph.configs[node_id]
        within = kind.names_within(config)
        typed_by = kind.typed_by(config)
        in_scope = {
            name: self.resolve(scope.types[name]) if name in scope.types else ANY
            for name in scope.mapping
            if name not in self.constructors
        }
        taken = self.reserved | names_in(" ".join(scope.mapping.values()))
        unknown = functools.partial(self._unknown, scope=scope)
        for field_name, tree_, template, text in expressions:
            names = dict(in_scope)
            for name in within.get(field_name, ()):
                if name in self.constructors:
                    continue
                source = typed_by.get(name)
                names[name] = settled(
                    self.analysis.field_types.get((node_id, f"config.{source}"), ANY)
                )
            environment = Environment(
                names=names,
                records=self.project.records,
                constructors=self.constructors,
                taken=taken,
                explain_unknown=unknown,
                field_types=self.record_types,
            )
            duration = field_name.removeprefix("config.") in kind.duration_fields
            try:
                found = check_types(tree_, environment)
            except ExpressionError as error:
                if duration:
                    self.error(
                        Codes.BAD_DURATION,
                        node_id,
                        field_name,
                        f"{ast.unparse(tree_)!r} is not a duration (write it like 30s, 5m, "
                        f"1h30m or 2d), nor an expression giving seconds: {error}",
                    )
                else:
                    self.error(error.code, node_id, field_name, str(error))
                continue
            if duration and not assignable(found, FLOAT):
                self.error(
                    Codes.BAD_DURATION,
                    node_id,
                    field_name,
                    f"{ast.unparse(tree_)!r} is {found}; a duration is written like 30s, 5m "
                    "or 1h30m, or is an expression giving seconds, like input.timeout_seconds",
                )
                continue
            refusal = self.choice_refusal(node_id, field_name, found, tree_)
            if refusal is not None:
                self.error(Codes.BAD_ARGUMENT, node_id, field_name, refusal)
                continue
            self.analysis.field_types[node_id, field_name] = found
            self.analysis.checked.setdefault(node_id, set()).add((text, template))

    def choice_refusal(
        self, node_id: str, field_name: str, found: Type, tree_: ast.expr
    ) -> str | None:
        """Why the value cannot be assigned where the node puts it, where that is declared a
        Literal (the generated code would not type-check): None when it can."""
        target = self.graph.targets.get(node_id, {}).get(field_name)
        if target is None:
            return None
        annotation, what = target
        wanted = parse_annotation(annotation, self.project.records)
        return choice_refusal(found, wanted, tree_, what)

    def resolve(self, value: Any) -> Type:
        """A scope's type entry (annotation text or a worked-out type) as a Type."""
        if isinstance(value, Type):
            return value
        text = str(value)
        found = self.annotations.get(text)
        if found is None:
            found = self.annotations[text] = parse_annotation(text, self.project.records)
        return found

    def _exits(self, blocks: list[Block]) -> bool:
        """Whether a path ends early with a bare return somewhere in this function's code
        (not in phases or parallel branches, which are functions of their own)."""
        for block in blocks:
            if block.exit:
                return True
            kind = REGISTRY[block.node.type]
            for port, arm in block.arms:
                inline = kind.role is Role.BRANCH or (
                    kind.role is Role.CONTAINER
                    and (
                        port != "body"
                        or kind.body_context_for(self.graph.configs[block.node.id])
                        not in ("phase", "branch")
                    )
                )
                if inline and self._exits(arm):
                    return True
        return False

    def _unknown(self, name: str, scope: Scope) -> str:
        known = ", ".join(sorted(scope.mapping))
        binder = self.binders.get(name)
        if binder is not None:
            return (
                f"{name!r} is the result of {binder!r}, which does not run before this node on "
                f"every path (or sits in another branch or phase); store it in state to share "
                f"it. Names available here: {known}"
            )
        functions = ", ".join(sorted(FUNCTIONS))
        return f"unknown name {name!r}; names available here: {known}; functions: {functions}"

    @staticmethod
    def carry_body_results(body: Scope, after: Scope, container_names: set[str]) -> None:
        """The results a container's body bound on every path, made visible after it (not the
        names the container binds for its body alone, such as `attempt`)."""
        for name, code in body.mapping.items():
            if name in after.mapping or name in container_names:
                continue
            after.mapping[name] = code
            if code in body.locals:
                after.locals[code] = body.locals[code]
            if name in body.types:
                after.types[name] = body.types[name]

    def walk(
        self,
        blocks: list[Block],
        scope: Scope,
        contexts: frozenset[str],
        catchers: frozenset[str] = frozenset(),
    ) -> None:
        for block in blocks:
            if block.exit:
                continue
            kind = REGISTRY[block.node.type]
            self.visit_node(block, scope, contexts, catchers)
            if kind.role is Role.BRANCH:
                for _port, arm in block.arms:
                    self.walk(arm, scope.child(), contexts, catchers)
            elif kind.role is Role.PARALLEL:
                for _port, arm in block.arms:
                    arm_scope = scope.child("branch")
                    arm_scope.spawners += (block.node.id,)
                    self.walk(arm, arm_scope, contexts | {"branch"}, catchers)
            elif kind.role is Role.CONTAINER:
                self.walk_container(block, kind, scope, contexts, catchers)
            self.bind_results(block, kind, scope)
            self.check_compensation(block.node.id, scope)

    def walk_container(
        self,
        block: Block,
        kind: NodeType[Any],
        scope: Scope,
        contexts: frozenset[str],
        catchers: frozenset[str],
    ) -> None:
        """The body in a scope of its own, then the other arms; what the body bound is seen
        after it when only a body that ran to its end leads on."""
        node = block.node
        body = next((arm for port, arm in block.arms if port == "body"), [])
        context = kind.body_context_for(self.graph.configs[node.id])
        if context == "phase":
            self.note_phase_parameters(node.id, body, scope)
        inner_scope = scope.child(context)
        if context == "branch":
            inner_scope.spawners += (node.id,)
        names = self.bind_container_names(node.id, kind, inner_scope)
        self.analysis.body_scopes[node.id] = inner_scope.child()
        body_contexts = contexts | {context}
        if kind.catch_port and any(port == kind.catch_port for port, _arm in block.arms):
            body_contexts |= {"caught"}
        body_catchers = catchers | {kind.label} if kind.catches_failures else catchers
        self.walk(body, inner_scope, body_contexts, body_catchers)
        self.analysis.after_body_scopes[node.id] = inner_scope.child()
        self.check_names(node.id, inner_scope, "late")
        for port, arm in block.arms:
            if port == "body":
                continue
            arm_scope = scope.child()
            if port in kind.after_whole_body:
                self.carry_body_results(inner_scope, arm_scope, set(names))
            for name, annotation in kind.port_binds.get(port, ()):
                names[name] = self.container_local(node.id, name)
                arm_scope.bind(name, annotation, names[name])
            self.walk(arm, arm_scope, contexts, catchers)
        others = [
            arm for port, arm in block.arms if port != "body" and port not in kind.after_whole_body
        ]
        if kind.after_whole_body and not any(
            _falls_through(arm, self.graph.configs) for arm in others
        ):
            # only a body that ran to its end leads on to the nodes after it
            self.carry_body_results(inner_scope, scope, set(names))

    def note_phase_parameters(self, node_id: str, body: list[Block], scope: Scope) -> None:
        """The locals a phase's body reads, passed to the phase's method."""
        read: set[str] = set()
        for inner in _nodes(body):
            for expression in self.graph.expressions.get(inner.node.id, []):
                read |= free_names(expression.tree)
        self.analysis.phase_parameters[node_id] = sorted(
            name for name in read if name in scope.mapping and scope.mapping[name] in scope.locals
        )

    def bind_container_names(
        self, node_id: str, kind: NodeType[Any], inner_scope: Scope
    ) -> dict[str, str]:
        """The names a container binds for its body (`item`, `attempt`, the compensations)."""
        names: dict[str, str] = {}
        for name, annotation in kind.body_binds(self.graph.configs[node_id]):
            names[name] = self.container_local(node_id, name)
            inner_scope.bind(name, annotation, names[name])
            inner_scope.types[name] = self.name_type(node_id, kind, name, {name: annotation})
        if kind.collects_compensations:
            names["compensations"] = self.container_local(node_id, "compensations")
            inner_scope.compensations = names["compensations"]
        self.analysis.container_names[node_id] = names
        return names

    def bind_results(self, block: Block, kind: NodeType[Any], scope: Scope) -> None:
        """The names a node binds for the nodes after it, typed where its config says how."""
        node = block.node
        config = self.graph.configs[node.id]
        ctx = NodeCheck(self.project, self.graph.info, node)
        typed_by = kind.typed_by(config)
        for name, annotation in kind.binds(config, ctx):
            scope.bind(name, annotation, self.analysis.result_code.get(name))
            if name in typed_by:
                source = (node.id, f"config.{typed_by[name]}")
                scope.types[name] = settled(self.analysis.field_types.get(source, ANY))
        if kind.role is not Role.CONTAINER:
            self.analysis.after_body_scopes[node.id] = scope.child()
            self.check_names(node.id, scope, "late")

    def check_compensation(self, node_id: str, scope: Scope) -> None:
        """A step's compensation needs a Try around it to run."""
        has_undo = getattr(self.graph.configs[node_id], "compensation", None) is not None
        if has_undo and scope.compensations is not None:
            self.analysis.settling.update(scope.spawners)
        elif has_undo:
            self.warning(
                Codes.NOT_ALLOWED_HERE,
                node_id,
                "config.compensation",
                "a compensation only runs when its step sits inside a Try container; "
                "move the step into one or clear the compensation",
            )


def _field_sort(field_name: str, kind: NodeType[Any]) -> str:
    def within(fields: frozenset[str]) -> bool:
        return any(field_name == f or field_name.startswith(f + ".") for f in fields)

    if within(kind.after_body_fields):
        return "late"
    for prefix in kind.field_names:
        if within(frozenset({prefix})):
            return prefix
    return "normal"


def _nodes(blocks: list[Block]) -> Iterator[Block]:
    for block in blocks:
        if not block.exit:
            yield block
        for _port, arm in block.arms:
            yield from _nodes(arm)


def _falls_through(blocks: list[Block], configs: dict[str, Any]) -> bool:
    if not blocks:
        return True
    if any(block.exit for block in blocks):
        return True
    last = blocks[-1]
    if last.exit:
        return True
    kind = REGISTRY[last.node.type]
    if kind.role is Role.TERMINAL:
        return False
    arms = [(port, arm) for port, arm in last.arms if port != "body"]
    if kind.role is Role.BRANCH or (kind.role is Role.CONTAINER and arms):
        if kind.open_ports(configs.get(last.node.id), {port for port, _arm in arms}):
            return True
        return any(_falls_through(arm, configs) for _port, arm in arms)
    return True
