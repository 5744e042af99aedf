"""Names and types derived once from a project, shared by the check and render stages.

Everything here is computed from the document in its own order, so it is deterministic; every
identifier comes from the naming functions in `names`.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from language.defaults import DefaultError, default_source
from language.document import ActivityDef, Project, Workflow
from language.expressions import ExpressionError, parse_template
from language.names import Namespace, pascal, snake
from language.typerefs import TypeRefError, parse_typeref
from node_types.generated_names import reserved_module_names

if TYPE_CHECKING:  # the kinds' base imports this module
    from node_types.base import Config


@dataclass
class FieldsInfo:
    class_name: str
    fields: dict[str, str]
    """field name -> Python annotation (`Any` when the TypeRef does not parse)."""
    defaults: dict[str, str] = field(default_factory=dict)
    """field name -> source of its default, for the fields that have one."""

    @property
    def parameter(self) -> str:
        """The `input` parameter of a workflow taking these fields: optional when every field
        has a default, so that a start without any input (`temporal workflow start` with no
        `--input`) runs on the defaults instead of failing every task."""
        if set(self.fields) <= set(self.defaults):
            return f"input: {self.class_name} | None = None"
        return f"input: {self.class_name}"

    @property
    def received(self) -> str:
        """The input as the workflow keeps it: the defaults when none was given."""
        if set(self.fields) <= set(self.defaults):
            return f"input if input is not None else {self.class_name}()"
        return "input"


@dataclass
class ActivityInfo:
    definition: ActivityDef
    function: str
    input: FieldsInfo
    output: str


@dataclass
class HandlerInfo:
    kind: str
    name: str
    node_id: str
    payload: FieldsInfo | None
    method: str


@dataclass
class WorkQueueInfo:
    progress_field: str
    """State field holding the queue's bookkeeping (running children, attempts, statistics)."""
    class_name: str
    item_annotation: str
    """Type of one queue item: the element type of the state list the queue reads."""
    hook_inputs: dict[str, str] = field(default_factory=dict)
    """`on_done` / `on_failed` -> the input class of the activity it runs."""

    @property
    def fields(self) -> list[tuple[str, str, str]]:
        """The bookkeeping class's fields: (name, annotation, default). A hook's calls not
        started yet (`<hook>_due`, by item key) are carried too."""
        due = [
            (f"{hook}_due", f"dict[str, {input_class}]", "field(default_factory=dict)")
            for hook, input_class in self.hook_inputs.items()
        ]
        return [
            ("items", f"dict[str, {self.item_annotation}]", "field(default_factory=dict)"),
            ("running", "dict[str, str]", "field(default_factory=dict)"),
            ("attempts", "dict[str, int]", "field(default_factory=dict)"),
            ("retry_at", "dict[str, float]", "field(default_factory=dict)"),
            ("started", "int", "0"),
            ("completed", "int", "0"),
            ("failed", "int", "0"),
            ("retried", "int", "0"),
            ("duplicates", "int", "0"),
            ("continued_as_new", "int", "0"),
            ("hook_failures", "int", "0"),
            *due,
        ]


@dataclass
class WorkflowInfo:
    definition: Workflow
    class_name: str
    module: str
    input: FieldsInfo
    output: str
    state_class: str
    handlers: dict[tuple[str, str], HandlerInfo] = field(default_factory=dict)
    """(kind, Temporal name) -> handler, for signal, update and query entry nodes."""
    resume_field: str | None = None
    """Input field carrying the state into the next run, when the workflow continues-as-new."""
    work_queues: dict[str, WorkQueueInfo] = field(default_factory=dict)
    """work_queue node id -> the bookkeeping it keeps in the workflow's state."""
    keeps_state: bool = True
    """Whether the workflow has a state to keep: state fields, a work queue's bookkeeping, a
    state carried across continue-as-new, or an expression reading `state`. Without one, no
    empty state class is generated."""
    id_template: ast.expr | None = None
    """`settings.id_template`, parsed: the id the starter gives a run, filled from its input;
    None without one (or an empty one), or when it does not parse."""
    state_defaults: list[str | None] = field(default_factory=list)
    """For each state field, in order: the source of the value it starts from
    (`default_source`); None when it has none (no default, and its type no zero value) or
    when its default does not fit (a problem)."""
    problems: dict[str, str] = field(default_factory=dict)
    """Document field (`settings.id_template`, `input_defaults.<name>`, `state.<i>.default`)
    -> why its value could not be parsed or built here; the check stage reports it."""

    @functools.cached_property
    def wired_ports(self) -> dict[str, set[str]]:
        """node id -> the ports edges leave it from."""
        ports: dict[str, set[str]] = {}
        for edge in self.definition.edges:
            ports.setdefault(edge.source, set()).add(edge.source_handle)
        return ports

    @property
    def handlers_have_bodies(self) -> bool:
        """Whether a signal or update handler awaits something (and so may still be running)."""
        from node_types import REGISTRY  # here: the kinds import this module

        kinds = {node.id: node.type for node in self.definition.nodes}
        successors: dict[str, list[str]] = {}
        for edge in self.definition.edges:
            successors.setdefault(edge.source, []).append(edge.target)
        for node in self.definition.nodes:
            if node.parent_id is not None:
                successors.setdefault(node.parent_id, []).append(node.id)
        stack = [h.node_id for h in self.handlers.values() if not REGISTRY[h.kind].read_only]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            kind = REGISTRY.get(kinds.get(current, ""))
            if kind is None or not kind.instant:
                return True
            stack.extend(successors.get(current, []))
        return False


def annotation_or_any(text: object, project_types: set[str]) -> str:
    if not isinstance(text, str):
        return "Any"
    try:
        return parse_typeref(text, project_types)
    except TypeRefError:
        return "Any"


@dataclass
class ProjectInfo:
    project: Project
    package: str
    type_names: set[str]
    activities: dict[str, ActivityInfo]
    workflows: dict[str, WorkflowInfo]
    model_classes: Namespace
    type_fields: dict[str, dict[str, str]]
    """Each project type's fields and their annotations."""
    type_clashes: dict[str, str] = field(default_factory=dict)
    """project type name -> what the class generated under that name is for: the type keeps
    the name, so the check reports the clash rather than renaming the generated class."""

    def annotation(self, typeref: str) -> str:
        return annotation_or_any(typeref, self.type_names)

    @functools.cached_property
    def records(self) -> dict[str, dict[str, str]]:
        """Every dataclass an expression can reach -> its fields and their annotations."""
        records: dict[str, dict[str, str]] = dict(self.type_fields)
        for wf in self.workflows.values():
            records[wf.input.class_name] = dict(wf.input.fields)
            state = {var.name: self.annotation(var.type) for var in wf.definition.state}
            for queue in wf.work_queues.values():
                records[queue.class_name] = {name: ann for name, ann, _d in queue.fields}
                state[queue.progress_field] = queue.class_name
            if wf.keeps_state:
                records[wf.state_class] = state
            for handler in wf.handlers.values():
                if handler.payload is not None:
                    records[handler.payload.class_name] = dict(handler.payload.fields)
        return records

    @property
    def has_work_queues(self) -> bool:
        return any(wf.work_queues for wf in self.workflows.values())

    def model_classes_list(self) -> list[str]:
        """Every class models.py defines."""
        names = list(self.project.types)
        names += [a.input.class_name for a in self.activities.values()]
        if self.has_work_queues:
            names.append("AwaitWorkflowInput")
        for wf in self.workflows.values():
            names += [wf.input.class_name] + ([wf.state_class] if wf.keeps_state else [])
            names += [queue.class_name for queue in wf.work_queues.values()]
            names += [h.payload.class_name for h in wf.handlers.values() if h.payload]
        return names

    @classmethod
    def build(
        cls, project: Project, configs: Mapping[str, Mapping[str, Config]] | None = None
    ) -> ProjectInfo:
        """The project's names and classes; `configs` (workflow id -> node id -> its parsed
        config, as the check stage parsed them; parsed here when not given) say what message
        handlers and state records the nodes add. A node whose config does not parse adds
        none (the check reports it)."""
        if configs is None:
            configs = {workflow.id: _parsed_configs(workflow) for workflow in project.workflows}

        type_names = set(project.types)
        classes = _Classes(
            type_names,
            Namespace(type_names | {"Any", "datetime", "field", "dataclass", "AwaitWorkflowInput"}),
        )
        functions = Namespace(reserved_module_names())
        type_fields = {
            name: {
                key: annotation_or_any(ref, type_names) for key, ref in definition.fields.items()
            }
            for name, definition in project.types.items()
        }

        activities: dict[str, ActivityInfo] = {}
        for definition in project.activities:
            if definition.name in activities:
                continue
            activities[definition.name] = ActivityInfo(
                definition=definition,
                function=functions.claim(snake(definition.name, "activity")),
                input=classes.fields(
                    pascal(definition.name, "Activity") + "Input",
                    definition.input,
                    f"the input of activity {definition.name!r}",
                ),
                output=annotation_or_any(definition.returns, type_names),
            )
        workflows: dict[str, WorkflowInfo] = {}
        modules = Namespace({"__init__", "models", "activities", "worker", "starter", "schedules"})
        for wf in project.workflows:
            if wf.id in workflows:
                continue
            workflows[wf.id] = _workflow_info(
                wf, classes, modules, type_fields, activities, configs.get(wf.id, {})
            )
        return cls(
            project=project,
            package=snake(project.id, "project"),
            type_names=type_names,
            activities=activities,
            workflows=workflows,
            model_classes=classes.namespace,
            type_fields=type_fields,
            type_clashes=classes.clashes,
        )


@dataclass
class _Classes:
    """The names of the generated classes, claimed in the project's order."""

    type_names: set[str]
    namespace: Namespace
    clashes: dict[str, str] = field(default_factory=dict)
    """A project type's name -> the generated class that wanted it."""

    def generated(self, base: str, what: str) -> str:
        """The name of a generated class; a project type holding it is a clash."""
        if base in self.type_names:
            self.clashes.setdefault(base, what)
        return self.namespace.claim(base)

    def fields(self, base: str, spec: dict[str, str], what: str) -> FieldsInfo:
        return FieldsInfo(
            self.generated(base, what),
            {name: annotation_or_any(ref, self.type_names) for name, ref in spec.items()},
        )


def _workflow_info(
    wf: Workflow,
    classes: _Classes,
    modules: Namespace,
    type_fields: dict[str, dict[str, str]],
    activities: dict[str, ActivityInfo],
    configs: Mapping[str, Config],
) -> WorkflowInfo:
    base = pascal(wf.id, "Workflow")
    info = WorkflowInfo(
        definition=wf,
        class_name=classes.generated(base + "Workflow", f"workflow {wf.id!r}"),
        module=modules.claim(snake(wf.id, "workflow")),
        input=classes.fields(base + "Input", wf.input, f"the input of workflow {wf.id!r}"),
        output=annotation_or_any(wf.returns, classes.type_names),
        state_class=classes.generated(base + "State", f"the state of workflow {wf.id!r}"),
    )
    # parsed once, here, for every later stage; the check stage reports the problems
    if wf.settings.id_template:  # an empty one parses, and means none
        try:
            info.id_template = parse_template(wf.settings.id_template)
        except ExpressionError as error:
            info.problems["settings.id_template"] = str(error)
    _add_input_defaults(info, type_fields)
    _add_state_defaults(info, classes.type_names, type_fields)
    _add_resume_field(info)
    _add_work_queues(info, base, classes, activities, configs)
    info.keeps_state = bool(wf.state or info.work_queues or info.resume_field or _reads_state(wf))
    _add_handlers(info, base, classes, configs)
    return info


def _add_input_defaults(info: WorkflowInfo, type_fields: dict[str, dict[str, str]]) -> None:
    for field_name, value in info.definition.input_defaults.items():
        if field_name not in info.input.fields:
            continue
        try:
            code = default_source(info.input.fields[field_name], value, type_fields, given=True)
        except DefaultError as error:
            info.problems[f"input_defaults.{field_name}"] = str(error)
            continue
        if code is not None:
            info.input.defaults[field_name] = code


def _add_state_defaults(
    info: WorkflowInfo, type_names: set[str], type_fields: dict[str, dict[str, str]]
) -> None:
    for index, var in enumerate(info.definition.state):
        try:
            default = default_source(
                annotation_or_any(var.type, type_names),
                var.default,
                type_fields,
                given=var.default is not None,
            )
        except DefaultError as error:
            info.problems[f"state.{index}.default"] = str(error)
            default = None
        info.state_defaults.append(default)


def _add_resume_field(info: WorkflowInfo) -> None:
    """The input field a run continued-as-new takes its state in, when a node carries it."""
    from node_types import REGISTRY  # here: the kinds import this module

    if any(n.type in REGISTRY and REGISTRY[n.type].carries_state for n in info.definition.nodes):
        info.resume_field = Namespace(set(info.input.fields)).claim("resume_state")
        info.input.fields[info.resume_field] = f"{info.state_class} | None"
        info.input.defaults[info.resume_field] = "None"


def _add_work_queues(
    info: WorkflowInfo,
    base: str,
    classes: _Classes,
    activities: dict[str, ActivityInfo],
    configs: Mapping[str, Config],
) -> None:
    from node_types import REGISTRY  # here: the kinds import this module

    wf = info.definition
    state_types = {var.name: var.type for var in wf.state}
    for node in wf.nodes:
        kind, config = REGISTRY.get(node.type), configs.get(node.id)
        record = kind.state_record(config) if kind is not None and config is not None else None
        if record is None:
            continue
        queue_type = annotation_or_any(
            state_types.get(record.items_from, "Any"), classes.type_names
        )
        item = queue_type[5:-1] if queue_type.startswith("list[") else "Any"
        info.work_queues[node.id] = WorkQueueInfo(
            progress_field=record.field,
            class_name=classes.generated(
                base + pascal(record.field, "Queue").removesuffix("Progress") + "Progress",
                f"the progress of work queue {node.id!r} in workflow {wf.id!r}",
            ),
            item_annotation=item,
            hook_inputs={
                hook: activities[activity].input.class_name
                for hook, activity in record.hooks.items()
                if activity in activities
            },
        )


def _add_handlers(
    info: WorkflowInfo, base: str, classes: _Classes, configs: Mapping[str, Config]
) -> None:
    from node_types import REGISTRY  # here: the kinds import this module

    wf = info.definition
    # nan and inf stay unmistakable as the float values they print as
    methods = Namespace({"run", "__init__", "nan", "inf", "infinity"})
    for node in wf.nodes:
        kind, config = REGISTRY.get(node.type), configs.get(node.id)
        message = kind.message(config) if kind is not None and config is not None else None
        if message is None:
            continue
        name, params = message
        if (node.type, name) in info.handlers:
            continue
        payload = None
        if params and all(key.isidentifier() for key in params):
            payload = classes.fields(
                base + pascal(name, "Handler") + pascal(node.type, "Message"),
                params,
                f"the payload of {node.type} {name!r} in workflow {wf.id!r}",
            )
        info.handlers[(node.type, name)] = HandlerInfo(
            kind=node.type,
            name=name,
            node_id=node.id,
            payload=payload,
            method=methods.claim(snake(name, node.type)),
        )


def _parsed_configs(workflow: Workflow) -> dict[str, Config]:
    """Each node's config that its kind's model takes."""
    from node_types import REGISTRY

    parsed: dict[str, Config] = {}
    for node in workflow.nodes:
        kind = REGISTRY.get(node.type)
        if kind is not None and node.id not in parsed:
            with contextlib.suppress(ValueError):  # pydantic's ValidationError is one
                parsed[node.id] = kind.parse_config(node.config)
    return parsed


def _reads_state(workflow: Workflow) -> bool:
    """Whether any text in the workflow's node configs names `state` (an expression or a
    template reading it); a false alarm only keeps an empty state class."""

    def texts(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)

    return any(
        re.search(r"\bstate\b", text) for node in workflow.nodes for text in texts(node.config)
    )
