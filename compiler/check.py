"""Stage 2: collect every diagnostic of a project in one pass.

Graph-level checks (kinds, configs, edges, ports, containers, entries, cycles, reachability) and
per-kind checks run here; the checks that need the structured tree (names in scope, where a kind
may stand, paths that fall off the end) run in `scopes` after the structure stage.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx
from pydantic import ValidationError

from language.diagnostics import Codes, Diagnostic, Severity
from language.document import (
    MAX_CONTAINER_DEPTH,
    MAX_PROJECT_NODES,
    Edge,
    HttpImpl,
    Implementation,
    Node,
    Project,
    ShellImpl,
    Workflow,
    heartbeat_advice,
)
from language.durations import parse_duration
from language.expressions import (
    FUNCTIONS,
    ExpressionError,
    parse_shared,
)
from language.load import location
from language.typerefs import TypeRefError, parse_typeref
from language.wording import pydantic_message
from node_types import REGISTRY
from node_types.base import Config, Role
from node_types.context import NodeCheck
from node_types.generated_names import EXPRESSION_NAMES
from node_types.project_info import ProjectInfo, WorkflowInfo, annotation_or_any


class Parsed(NamedTuple):
    """One of a node's expressions, parsed, its syntax checked (its names and types are checked
    in `scopes`)."""

    field: str
    """`config.<name>`"""
    tree: ast.expr
    template: bool
    text: str
    """As written: what the render stage parses again to emit it."""


@dataclass
class WorkflowGraph:
    """A workflow whose graph passed the checks, ready to be structured."""

    info: WorkflowInfo
    nodes: dict[str, Node]
    configs: dict[str, Config]
    out_edges: dict[str, list[Edge]]
    in_edges: dict[str, list[Edge]]
    children: dict[str | None, list[str]]
    entries: list[str]
    expressions: dict[str, list[Parsed]] = field(default_factory=dict)
    """node id -> its expressions."""
    targets: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    """node id -> expression field -> what its value is assigned to (`NodeCheck.targets`)."""

    def role(self, node_id: str) -> Role:
        return REGISTRY[self.nodes[node_id].type].role


Earlier = dict[str, dict[str, tuple[tuple[str, str], ...]]]
"""workflow id -> node id -> (port, expression) of the old version a patch keeps at the node
(`compiler.compat.Choice`): checked in the node's scope like its own, as field `before.<port>`."""


def check_project(
    project: Project, earlier: Earlier | None = None
) -> tuple[ProjectInfo, list[WorkflowGraph], list[Diagnostic]]:
    total = sum(len(workflow.nodes) for workflow in project.workflows)
    if total > MAX_PROJECT_NODES:
        return ProjectInfo.build(project, {}), [], [_too_many_nodes(total)]
    diagnostics: list[Diagnostic] = []
    checks: list[_WorkflowCheck] = []
    seen: set[str] = set()
    for workflow in project.workflows:
        if workflow.id in seen:
            diagnostics.append(
                Diagnostic(
                    Codes.DUPLICATE_WORKFLOW,
                    f"two workflows have the id {workflow.id!r}; rename one",
                    workflow_id=workflow.id,
                )
            )
            continue
        seen.add(workflow.id)
        check = _WorkflowCheck(workflow, (earlier or {}).get(workflow.id, {}))
        check.node_configs()  # each config parsed once, here; the project info reads them
        checks.append(check)
    info = ProjectInfo.build(project, {check.workflow.id: check.configs for check in checks})
    diagnostics += _check_types(project, info)
    diagnostics += _check_activities(project, info)
    graphs: list[WorkflowGraph] = []
    for check in checks:
        graph = check.run(info)
        diagnostics += check.found
        if graph is not None:
            graphs.append(graph)
    return info, graphs, diagnostics


def _too_many_nodes(total: int) -> Diagnostic:
    return Diagnostic(
        Codes.SCHEMA,
        f"a project holds at most {MAX_PROJECT_NODES} nodes in all its workflows (this one "
        f"has {total}); move some workflows into a project of their own",
        field="workflows",
    )


def _typeref(
    text: str, info: ProjectInfo, field: str, workflow_id: str | None = None
) -> list[Diagnostic]:
    try:
        parse_typeref(text, info.type_names)
    except TypeRefError as error:
        code = Codes.UNKNOWN_TYPE if error.unknown else Codes.BAD_TYPE
        return [Diagnostic(code, str(error), workflow_id=workflow_id, field=field)]
    return []


MODELS_MODULE_NAMES = frozenset(
    {"field", "dataclass", "dataclasses", "datetime", "Any", "Literal", "UTC"}
    | {"list", "dict", "set"}
)
"""Names models.py uses in its class bodies (`list`, `dict` and `set` as the factories of empty
defaults), which a dataclass field of that name would hide from the fields after it."""


def _field_clashes(
    names: Iterable[str], info: ProjectInfo, where: str, workflow_id: str | None = None
) -> list[Diagnostic]:
    """A field named like something models.py uses breaks the class it stands in.

    `where` is the path of the fields (`input`), or of each name with `{}` for the name's
    place in it (`state.{}.name`)."""
    taken = MODELS_MODULE_NAMES | set(info.model_classes_list())
    return [
        Diagnostic(
            Codes.DUPLICATE_NAME,
            f"a field cannot be named {name!r}: the generated models use that name "
            "(a field of that name would hide it from the fields after it); rename the field",
            workflow_id=workflow_id,
            field=where.format(index) if "{}" in where else f"{where}.{name}",
        )
        for index, name in enumerate(names)
        if name in taken
    ]


def _check_types(project: Project, info: ProjectInfo) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for type_name, what in info.type_clashes.items():
        found.append(
            Diagnostic(
                Codes.DUPLICATE_NAME,
                f"the type {type_name!r} has the name of the class generated for {what}; "
                "rename the type",
                field=f"types.{type_name}",
            )
        )
    for type_name, definition in project.types.items():
        found += _field_clashes(definition.fields, info, f"types.{type_name}.fields")
        for field_name, ref in definition.fields.items():
            found += _typeref(ref, info, f"types.{type_name}.fields.{field_name}")
    return found


def _check_activities(project: Project, info: ProjectInfo) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: set[str] = set()
    for index, activity in enumerate(project.activities):
        where = f"activities.{index}"
        if activity.name in seen:
            found.append(
                Diagnostic(
                    Codes.DUPLICATE_ACTIVITY,
                    f"two activities are named {activity.name!r}; rename one",
                    field=f"{where}.name",
                )
            )
        seen.add(activity.name)
        found += _field_clashes(activity.input, info, f"{where}.input")
        for field_name, ref in activity.input.items():
            found += _typeref(ref, info, f"{where}.input.{field_name}")
        found += _typeref(activity.returns, info, f"{where}.output")
        found += _check_implementation(activity.implementation, f"{where}.implementation")
        defaults = activity.defaults
        advice = heartbeat_advice(
            activity.name, defaults.start_to_close_timeout, defaults.heartbeat_timeout
        )
        if advice is not None:
            found.append(
                Diagnostic(
                    Codes.NO_HEARTBEAT,
                    advice,
                    severity=Severity.WARNING,
                    field=f"{where}.defaults.heartbeat_timeout",
                )
            )
        durations = {
            "defaults.start_to_close_timeout": defaults.start_to_close_timeout,
            "defaults.heartbeat_timeout": defaults.heartbeat_timeout,
        }
        if defaults.retry:
            durations["defaults.retry.initial_interval"] = defaults.retry.initial_interval
            durations["defaults.retry.maximum_interval"] = defaults.retry.maximum_interval
        for name, value in durations.items():
            if value is None:
                continue
            try:
                parse_duration(value)
            except ValueError as error:
                found.append(Diagnostic(Codes.BAD_DURATION, str(error), field=f"{where}.{name}"))
    return found


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_FIXED_ORIGIN = re.compile(r"https?://[^/?#{}]+(?:[/?#]|$)")


def _check_implementation(implementation: Implementation, where: str) -> list[Diagnostic]:
    """What a run's input may fill in an http or shell activity: values, never the program,
    the server, or the shape of a JSON body."""
    found: list[Diagnostic] = []

    def report(field: str, message: str) -> None:
        found.append(Diagnostic(Codes.INPUT_TAKES_CONTROL, message, field=f"{where}.{field}"))

    if isinstance(implementation, ShellImpl):
        program = implementation.command[0]
        if _PLACEHOLDER.search(program):
            report(
                "command.0",
                f"the program {program!r} is filled from the input; write the program in the "
                "document, so input can choose arguments but never which command runs",
            )
    elif isinstance(implementation, HttpImpl):
        if not _FIXED_ORIGIN.match(implementation.url):
            report(
                "url",
                f"the URL {implementation.url!r} does not start with a fixed http:// or "
                "https:// server; write the scheme and host in the document "
                "(https://api.example.com/items/{id}), so input fills only the path and query",
            )
        if implementation.sends_json() and implementation.body is not None:
            try:
                json.loads(implementation.body)
            except ValueError:
                report(
                    "body",
                    "a JSON body is written as JSON with the placeholders inside strings "
                    '({"count": "{n}", "note": "for {name}"}); a lone placeholder keeps the '
                    "value's type, and every value is encoded as JSON, never spliced into text",
                )
    return found


class _WorkflowCheck:
    """The graph-level checks of one workflow, one method per concern, in the order each
    needs the one before: its node configs (parsed before the project info is built, which
    reads them), then declarations, containers, edges, entries, each kind's own checks and
    the scopes' graphs."""

    def __init__(
        self, workflow: Workflow, earlier: dict[str, tuple[tuple[str, str], ...]] | None = None
    ) -> None:
        self.workflow = workflow
        self.earlier = earlier or {}
        self.found: list[Diagnostic] = []
        self.graph_ok = True
        """False once the graph cannot be structured (its other checks still run)."""
        self.nodes: dict[str, Node] = {}
        self.configs: dict[str, Config] = {}
        self.out_edges: dict[str, list[Edge]] = {}
        self.in_edges: dict[str, list[Edge]] = {}
        self.children: dict[str | None, list[str]] = {}
        self.entries: list[str] = []
        self.expressions: dict[str, list[Parsed]] = {}
        self.targets: dict[str, dict[str, tuple[str, str]]] = {}

    def report(
        self,
        code: str,
        message: str,
        node_id: str | None = None,
        edge_id: str | None = None,
        field: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.found.append(
            Diagnostic(
                code,
                message,
                severity=severity,
                workflow_id=self.workflow.id,
                node_id=node_id,
                edge_id=edge_id,
                field=field,
            )
        )

    def run(self, info: ProjectInfo) -> WorkflowGraph | None:
        """The checks after the node configs; the graph, when it can be structured."""
        self.info = info
        self.wf_info = info.workflows[self.workflow.id]
        self.field_names()
        self.input_fields()
        self.state_fields()
        self.settings()
        self.containers()
        self.collapsed()
        self.edges()
        self.starts()
        self.handlers()
        self.kind_checks()
        if not self.graph_ok:
            return None
        graph = WorkflowGraph(
            info=self.wf_info,
            nodes=self.nodes,
            configs=self.configs,
            out_edges=self.out_edges,
            in_edges=self.in_edges,
            children=self.children,
            entries=self.entries,
            expressions=self.expressions,
            targets=self.targets,
        )
        # cycles, container entries and reachability read the edges alone, so a node whose
        # config is broken hides none of them; structuring the graph needs every config
        if not _check_scopes_graph(graph, self.report):
            return None
        return graph if self.configs.keys() == self.nodes.keys() else None

    def field_names(self) -> None:
        """Input, state and message payload fields named like generated code."""
        workflow, info = self.workflow, self.info
        self.found += _field_clashes(workflow.input, info, "input", workflow.id)
        self.found += _field_clashes(
            [var.name for var in workflow.state], info, "state.{}.name", workflow.id
        )
        for node in workflow.nodes:
            kind = REGISTRY.get(node.type)
            params = node.config.get("params") if kind and kind.handles_message else None
            if isinstance(params, dict):
                for clash in _field_clashes(params, info, "config.params", workflow.id):
                    self.found.append(dataclasses.replace(clash, node_id=node.id))

    def input_fields(self) -> None:
        """Input types, their defaults, and the output type."""
        workflow, info, report = self.workflow, self.info, self.report
        badly_typed: set[str] = set()
        for field_name, ref in workflow.input.items():
            type_problems = _typeref(ref, info, f"input.{field_name}", workflow.id)
            self.found += type_problems
            if type_problems:
                badly_typed.add(field_name)
        for field_name in workflow.input_defaults:
            where = f"input_defaults.{field_name}"
            if field_name not in workflow.input:
                report(
                    Codes.BAD_DEFAULT,
                    f"there is no input field {field_name!r} to give a default; "
                    f"input fields: {', '.join(workflow.input) or 'none'}",
                    field=where,
                )
                continue
            if field_name in badly_typed:
                continue  # reported at input.<name>
            problem = self.wf_info.problems.get(where)
            if problem is not None:
                report(Codes.BAD_DEFAULT, f"input field {field_name!r}: {problem}", field=where)
        self.found += _typeref(workflow.returns, info, "output", workflow.id)

    def state_fields(self) -> None:
        """State types and the defaults they start from."""
        workflow, info, report = self.workflow, self.info, self.report
        for index, var in enumerate(workflow.state):
            type_problems = _typeref(var.type, info, f"state.{index}.type", workflow.id)
            self.found += type_problems
            if type_problems:
                continue
            problem = self.wf_info.problems.get(f"state.{index}.default")
            if problem is not None:
                message = f"state field {var.name!r}: {problem}"
                report(Codes.BAD_DEFAULT, message, field=f"state.{index}.default")
                continue
            if self.wf_info.state_defaults[index] is None:
                report(
                    Codes.BAD_DEFAULT,
                    f"state field {var.name!r} of type {var.type} has no value to start from; "
                    "give it a default",
                    field=f"state.{index}.default",
                )

    def settings(self) -> None:
        settings = self.workflow.settings
        if settings.execution_timeout:
            try:
                parse_duration(settings.execution_timeout)
            except ValueError as error:
                self.report(Codes.BAD_DURATION, str(error), field="settings.execution_timeout")
        problem = self.wf_info.problems.get("settings.id_template")
        if problem is not None:
            self.report(Codes.BAD_TEMPLATE, problem, field="settings.id_template")

    def node_configs(self) -> None:
        """Node ids, kinds, and each config parsed by its kind's model."""
        report = self.report
        for node in self.workflow.nodes:
            if node.id in self.nodes:
                report(Codes.DUPLICATE_NODE_ID, f"two nodes have the id {node.id!r}", node.id)
                self.graph_ok = False
                continue
            self.nodes[node.id] = node
            kind = REGISTRY.get(node.type)
            if kind is None:
                report(
                    Codes.UNKNOWN_KIND,
                    f"unknown node kind {node.type!r}; known kinds: {', '.join(sorted(REGISTRY))}",
                    node.id,
                    field="type",
                )
                self.graph_ok = False
                continue
            try:
                self.configs[node.id] = kind.parse_config(node.config)
            except ValidationError as error:
                for item in error.errors():
                    field = location(tuple(item["loc"]))
                    message = pydantic_message(item, owner=kind.label)
                    report(
                        Codes.BAD_CONFIG,
                        message,
                        node.id,
                        field=f"config.{field}" if field else "config",
                    )
        for node_id, node in self.nodes.items():
            self.children.setdefault(node.parent_id, []).append(node_id)

    def containers(self) -> None:
        """Each parent exists, holds nodes, and containers nest without a circle."""
        nodes, report = self.nodes, self.report
        for node in nodes.values():
            if node.parent_id is None:
                continue
            parent = nodes.get(node.parent_id)
            if parent is None or REGISTRY.get(parent.type) is None:
                report(
                    Codes.BAD_PARENT,
                    f"parent {node.parent_id!r} does not exist; move the node out or restore it",
                    node.id,
                    field="parent_id",
                )
                self.graph_ok = False
            elif REGISTRY[parent.type].role is not Role.CONTAINER:
                report(
                    Codes.BAD_PARENT,
                    f"{parent.id!r} is a {parent.type}, which cannot hold other nodes",
                    node.id,
                    field="parent_id",
                )
                self.graph_ok = False
        if self.graph_ok:
            self.graph_ok = _check_nesting(nodes, report)

    def collapsed(self) -> None:
        """The containers the editor draws folded: each id names a container (the editor's
        view only, so a stale id is a warning)."""
        for node_id in dict.fromkeys(self.workflow.ui.collapsed):
            node = self.nodes.get(node_id)
            kind = REGISTRY.get(node.type) if node is not None else None
            if node is None:
                self.report(
                    Codes.NOT_COLLAPSIBLE,
                    f"{node_id!r} is shown collapsed but no node has that id; "
                    "remove it from ui.collapsed",
                    field="ui.collapsed",
                    severity=Severity.WARNING,
                )
            elif kind is not None and kind.role is not Role.CONTAINER:
                self.report(
                    Codes.NOT_COLLAPSIBLE,
                    f"{node_id!r} is shown collapsed but is a {node.type}, which holds no "
                    "nodes; only containers collapse: expand it",
                    node_id,
                    severity=Severity.WARNING,
                )

    def edges(self) -> None:
        """Edge ids, their ends, ports and containers; a port leads to one node."""
        nodes, report = self.nodes, self.report
        self.out_edges = {node_id: [] for node_id in nodes}
        self.in_edges = {node_id: [] for node_id in nodes}
        edge_ids: set[str] = set()
        used_ports: dict[tuple[str, str], str] = {}
        for edge in self.workflow.edges:
            if edge.id in edge_ids:
                report(
                    Codes.DUPLICATE_EDGE_ID, f"two edges have the id {edge.id!r}", edge_id=edge.id
                )
                self.graph_ok = False
                continue
            edge_ids.add(edge.id)
            missing = [end for end in (edge.source, edge.target) if end not in nodes]
            if missing:
                report(
                    Codes.DANGLING_EDGE,
                    f"edge {edge.id!r} points at {missing[0]!r}, which does not exist; "
                    "remove the edge or restore the node",
                    edge_id=edge.id,
                )
                self.graph_ok = False
                continue
            source, target = nodes[edge.source], nodes[edge.target]
            source_kind, target_kind = REGISTRY.get(source.type), REGISTRY.get(target.type)
            if source_kind is None or target_kind is None:
                continue
            port = source_kind.port(edge.source_handle)
            if port is None:
                ports = ", ".join(
                    repr(p.name + (":<key>" if p.prefix else "")) for p in source_kind.outputs
                )
                report(
                    Codes.UNKNOWN_PORT,
                    f"{source_kind.label} {source.id!r} has no port {edge.source_handle!r}; "
                    f"its ports are {ports or 'none'}",
                    edge.source,
                    edge.id,
                    field="source_handle",
                )
                self.graph_ok = False
                continue
            if not target_kind.has_input:
                report(
                    Codes.NO_INPUT_PORT,
                    f"{target_kind.label} {target.id!r} starts a flow and takes no incoming "
                    "edge; remove the edge",
                    edge.target,
                    edge.id,
                )
                self.graph_ok = False
                continue
            if source.parent_id != target.parent_id:
                report(
                    Codes.EDGE_CROSSES_CONTAINER,
                    f"edge {edge.id!r} crosses a container boundary; connect to the container "
                    "itself, or move both nodes into the same container",
                    edge.source,
                    edge.id,
                )
                self.graph_ok = False
                continue
            key = (edge.source, edge.source_handle)
            if key in used_ports and not port.multiple:
                report(
                    Codes.PORT_USED_TWICE,
                    f"port {edge.source_handle!r} of {source.id!r} already leads to "
                    f"{used_ports[key]!r}; a port leads to one node (use a Parallel to fan out)",
                    edge.source,
                    edge.id,
                    field="source_handle",
                )
                self.graph_ok = False
                continue
            used_ports[key] = edge.target
            self.out_edges[edge.source].append(edge)
            self.in_edges[edge.target].append(edge)

    def starts(self) -> None:
        """Exactly one Start node."""
        starts = [
            node
            for node in self.nodes.values()
            if (kind := REGISTRY.get(node.type)) is not None and kind.starts_run
        ]
        if not starts:
            self.report(
                Codes.MISSING_START,
                "the workflow has no Start node; add one where the workflow begins",
            )
            self.graph_ok = False
        for extra in starts[1:]:
            self.report(
                Codes.DUPLICATE_START,
                f"the workflow already starts at {starts[0].id!r}; remove this Start",
                extra.id,
            )
            self.graph_ok = False

    def handlers(self) -> None:
        """Entries (Start and message handlers) on the canvas, one handler per message name,
        and no query named like one a kind answers itself."""
        nodes, report = self.nodes, self.report
        handler_names: dict[tuple[str, str], str] = {}
        for node in nodes.values():
            kind = REGISTRY.get(node.type)
            if kind is None or kind.role is not Role.ENTRY:
                continue
            if node.parent_id is not None:
                report(
                    Codes.NOT_ALLOWED_HERE,
                    f"a {kind.label} cannot sit inside a container; move it onto the canvas",
                    node.id,
                    field="parent_id",
                )
                self.graph_ok = False
            self.entries.append(node.id)
            name = node.config.get("name")
            if not kind.starts_run and isinstance(name, str):
                key = (node.type, name)
                if key in handler_names:
                    report(
                        Codes.DUPLICATE_HANDLER,
                        f"{node.type} {name!r} is already handled by {handler_names[key]!r}; "
                        "rename one",
                        node.id,
                        field="config.name",
                    )
                handler_names.setdefault(key, node.id)
        answered = {
            query: kind.label
            for node in nodes.values()
            if (kind := REGISTRY.get(node.type)) is not None
            for query in kind.queries
        }
        for (kind_name, name), node_id in handler_names.items():
            if REGISTRY[kind_name].read_only and name in answered:
                report(
                    Codes.DUPLICATE_HANDLER,
                    f"the workflow's {answered[name]} step already answers the query {name!r}; "
                    "name this query something else",
                    node_id,
                    field="config.name",
                )
        self.entries.sort(key=lambda node_id: not REGISTRY[nodes[node_id].type].starts_run)

    def kind_checks(self) -> None:
        """Each kind's own checks, its expressions parsed, and the names its results bind."""
        info, report = self.info, self.report
        scope_outputs = _scope_outputs(
            self.entries,
            self.nodes,
            self.configs,
            self.out_edges,
            self.children,
            info,
            self.wf_info,
        )
        result_names: dict[str, str] = {}
        for node_id, config in self.configs.items():
            node = self.nodes[node_id]
            kind = REGISTRY[node.type]
            ctx = NodeCheck(
                info, self.wf_info, node, scope_output=scope_outputs.get(node_id, "Any")
            )
            kind.validate(config, ctx)
            self.found += ctx.diagnostics
            self.targets[node_id] = ctx.targets
            parsed: list[Parsed] = []
            for field_name, text, is_template in kind.expressions(config):
                try:
                    tree = parse_shared(text, is_template)
                except ExpressionError as error:
                    report(
                        Codes.BAD_TEMPLATE if is_template else Codes.BAD_EXPRESSION,
                        str(error),
                        node_id,
                        field=f"config.{field_name}",
                    )
                    continue
                parsed.append(Parsed(f"config.{field_name}", tree, is_template, text))
            for port, text in self.earlier.get(node_id, ()):
                try:
                    parsed.append(Parsed(f"before.{port}", parse_shared(text), False, text))
                except ExpressionError as error:
                    report(Codes.BAD_EXPRESSION, str(error), node_id, field=f"before.{port}")
            self.expressions[node_id] = parsed
            for name, _annotation in kind.binds(config, ctx):
                bound_at = f"config.{kind.bind_field(config, name)}"
                if name in EXPRESSION_NAMES or name in FUNCTIONS or name in info.type_names:
                    report(
                        Codes.DUPLICATE_NAME,
                        f"{name!r} already means something in expressions; name the result "
                        "something else",
                        node_id,
                        field=bound_at,
                    )
                if name in result_names and result_names[name] != node_id:
                    report(
                        Codes.DUPLICATE_RESULT,
                        f"{result_names[name]!r} already binds the name {name!r}; "
                        "give this result another name",
                        node_id,
                        field=bound_at,
                    )
                result_names.setdefault(name, node_id)


def _check_nesting(nodes: dict[str, Node], report: Any) -> bool:
    """Containers that hold each other in a circle, or nest deeper than MAX_CONTAINER_DEPTH.
    Each node's depth (the containers around it) is worked out once: linear in the nodes."""
    depth: dict[str, int] = {}
    in_circle = -2  # outside every container is depth 0, and above it -1
    ok = True
    for node in nodes.values():
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = node.id
        while current is not None and current not in depth:
            if current in on_path:
                depth[current] = in_circle
                break
            on_path.add(current)
            path.append(current)
            current = nodes[current].parent_id
        above = depth[current] if current is not None else -1
        for node_id in reversed(path):
            if above != in_circle:
                above = depth[node_id] = above + 1
            else:
                depth[node_id] = in_circle
        if depth[node.id] == in_circle:
            report(
                Codes.BAD_PARENT,
                "containers hold each other in a circle; move one out",
                node.id,
                field="parent_id",
            )
            ok = False
        elif depth[node.id] == MAX_CONTAINER_DEPTH + 1:  # the outermost too deep, once
            report(
                Codes.BAD_PARENT,
                f"containers nest at most {MAX_CONTAINER_DEPTH} deep and this node is inside "
                f"{depth[node.id]}; move it out, or move the inner part into a child workflow",
                node.id,
                field="parent_id",
            )
            ok = False
    return ok


def _scope_outputs(
    entries: list[str],
    nodes: dict[str, Node],
    configs: dict[str, Config],
    out_edges: dict[str, list[Edge]],
    children: dict[str | None, list[str]],
    info: ProjectInfo,
    wf_info: WorkflowInfo,
) -> dict[str, str]:
    """node id -> the type its scope returns: the workflow's output, an update's, or None."""
    outputs: dict[str, str] = {}
    for entry in entries:
        kind, config = REGISTRY[nodes[entry].type], configs.get(entry)
        if kind.starts_run:
            output = wf_info.output
        elif config is not None:
            output = annotation_or_any(kind.scope_output(config), info.type_names)
        else:
            output = "None"
        stack = [entry]
        while stack:
            current = stack.pop()
            if current in outputs:
                continue
            outputs[current] = output
            stack.extend(edge.target for edge in out_edges.get(current, ()))
            stack.extend(children.get(current, ()))
    return outputs


def _check_scopes_graph(graph: WorkflowGraph, report: Any) -> bool:
    """Container entries, cycles and reachability, one scope (a container's inside) at a time."""
    ok = True
    for parent, members in graph.children.items():
        scope = nx.DiGraph()
        scope.add_nodes_from(members)
        for node_id in members:
            scope.add_edges_from((e.source, e.target) for e in graph.out_edges[node_id])
        try:
            cycle = nx.find_cycle(scope)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            ids = [edge[0] for edge in cycle]
            ok = False
            report(
                Codes.CYCLE,
                f"these nodes form a cycle: {' -> '.join(map(repr, ids + ids[:1]))}; "
                "repeat steps with a Loop or Retry container instead",
                ids[0],
            )
            continue
        if parent is None:
            roots = list(graph.entries)
        else:
            roots = [n for n in members if not graph.in_edges[n]]
            if len(roots) != 1:
                ok = False
                container = graph.nodes[parent]
                report(
                    Codes.CONTAINER_ENTRY,
                    f"{container.type} {container.label or container.id!r} must have exactly one "
                    f"first step (a node with no incoming edge); it has {len(roots)}: "
                    f"{', '.join(map(repr, roots))}",
                    parent,
                )
                continue
        reached: set[str] = set()
        for root in roots:
            reached |= {root} | nx.descendants(scope, root)
        for node_id in members:
            if node_id not in reached:
                report(
                    Codes.UNREACHABLE,
                    f"nothing leads to {graph.nodes[node_id].label or node_id!r}, so it never "
                    "runs; connect it or delete it",
                    node_id,
                    severity=Severity.WARNING,
                )
    return ok
