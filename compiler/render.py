"""Stage 4: render the structured tree and the project's modules through Jinja templates.

Each node's statements are wrapped in `# @wfd-<key>-begin N` / `# @wfd-<key>-end N` marker
comments (the key is secret to the compiler process); the emit stage turns them into the source
map after formatting and removes them.
"""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import jinja2

import node_types
from compiler.activity_owners import calls_of
from compiler.compat import Choice, Choices, Deprecations, Guard, Guards
from compiler.emit import BEGIN, END
from compiler.scopes import Analysis
from compiler.structure import Block, Tree, always_leaves
from language.document import ActivityDef, HttpImpl, Node, PythonImpl, ShellImpl, SimulateImpl
from language.durations import parse_duration, timedelta_code
from language.expressions import emit, parse_expression
from language.names import Namespace, doc_text, docstring, names_in
from node_types import REGISTRY
from node_types.context import NodeRender, Scope
from node_types.generated_names import STDLIB_IMPORTS, TEMPORAL_IMPORTS
from node_types.project_info import FieldsInfo, ProjectInfo, WorkQueueInfo

TEMPLATES = Path(__file__).parent / "templates"

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(node_types.TEMPLATE_DIR), jinja2.FileSystemLoader(TEMPLATES)]
    ),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENVIRONMENT.filters["repr"] = repr


ENVIRONMENT.filters["docstring"] = docstring
ENVIRONMENT.filters["doc_text"] = doc_text


def _import_lines(table: dict[str, str], used: AbstractSet[str]) -> list[str]:
    """Import statements for the used names, merged per module, sorted."""
    modules: dict[str, list[str]] = {}
    plain: list[str] = []
    for name in sorted(used & set(table)):
        statement = table[name]
        if statement.startswith("import "):
            plain.append(statement)
            continue
        module = statement.split()[1]
        modules.setdefault(module, []).append(name)
    lines = sorted(plain)
    lines += [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(modules.items())
    ]
    return lines


class WorkflowRenderer:
    """Renders one workflow module, collecting the helper methods its kinds add."""

    def __init__(
        self,
        tree: Tree,
        analysis: Analysis,
        project: ProjectInfo,
        markers: list[str],
        guards: dict[str, Guard] | None = None,
        deprecated: dict[str, tuple[str, ...]] | None = None,
        choices: dict[str, Choice] | None = None,
    ):
        self.tree = tree
        self.guards = guards or {}
        """node id -> the patch it runs on one side of (compiled `--compatible-with`)."""
        self.choices = choices or {}
        """node id -> the old expressions a patch keeps at a condition or switch."""
        self.deprecated = deprecated or {}
        """node id -> patches an earlier version asked for before it, now deprecated."""
        self.analysis = analysis
        self.project = project
        self.info = tree.graph.info
        self.markers = markers
        reserved = {"run", "__init__"} | {h.method for h in self.info.handlers.values()}
        self.methods_namespace = Namespace(reserved)
        taken_locals = set(analysis.used_names) | {
            "input",
            "payload",
            "self",
            "task",
            "pending",
            "finished",
        }
        for names in analysis.container_names.values():
            taken_locals |= set(names.values())
        # module-level names a local must not shadow: activities, models, imports
        taken_locals |= {a.function for a in project.activities.values()}
        taken_locals |= (
            set(project.model_classes_list()) | set(STDLIB_IMPORTS) | set(TEMPORAL_IMPORTS)
        )
        self.locals_namespace = Namespace(taken_locals)
        self.extra_methods: list[str] = []
        self.members: dict[str, tuple[str, str]] = {}
        """key -> (line for __init__, method): workflow-wide pieces a kind adds once."""
        self.arm_text: dict[tuple[str, str], list[str]] = {}
        self.arm_blocks: dict[tuple[str, str], list[list[Block]]] = {}
        self.init_in_run = not self.info.handlers and not any(
            REGISTRY[node.type].needs_workflow_init(tree.graph.configs[node.id])
            for node in self.info.definition.nodes
        )
        """No handler can run before `run` (no signal, update or query) and no member needs
        an `__init__` line (the handles of signalled children): `run` sets the input and state
        itself, without a `@workflow.init` the SDK checks on every sandboxed load."""
        configs = tree.graph.configs
        self.activity_calls = calls_of(
            (n.id, n.type, configs.get(n.id)) for n in self.info.definition.nodes
        )
        """Activity type -> its call sites: a type several share needs summaries."""

    # the Renderer protocol, called by the kinds
    def arms(self, node_id: str, port: str) -> list[str]:
        return self.arm_text.get((node_id, port), [])

    def claim_method(self, base: str) -> str:
        return self.methods_namespace.claim(base)

    def claim_local(self, base: str) -> str:
        return self.locals_namespace.claim(base)

    def add_method(self, code: str) -> None:
        self.extra_methods.append(code)

    def add_member(self, key: str, init_line: str, method: str) -> None:
        self.members.setdefault(key, (init_line, method))

    def snippet(self, template: str, **variables: Any) -> str:
        return ENVIRONMENT.get_template(template).render(**variables).strip("\n")

    def phase_parameters(self, node_id: str) -> list[str]:
        return self.analysis.phase_parameters.get(node_id, [])

    def after_body_scope(self, node_id: str) -> Scope:
        return self.analysis.after_body_scopes[node_id]

    def body_scope(self, node_id: str) -> Scope:
        return self.analysis.body_scopes[node_id]

    def name_type(self, node_id: str, name: str) -> Any:
        return self.analysis.name_types.get((node_id, name), "Any")

    def container_name(self, node_id: str, name: str) -> str:
        return self.analysis.container_names[node_id][name]

    def settles(self, node_id: str) -> bool:
        return node_id in self.analysis.settling

    def earlier_choice(self, node_id: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        choice = self.choices.get(node_id)
        return None if choice is None else (choice.patch_id, choice.before)

    def run_prelude(self) -> list[str]:
        if not self.init_in_run:
            return []
        return self.init_statements()

    def init_statements(self) -> list[str]:
        """What sets the input and state up: `__init__`'s body, or the start of `run`'s."""
        state = self.info.state_class
        resume = self.info.resume_field
        lines = [f"self._input = {self.info.input.received}"]
        if resume:
            lines.append(f"self._state = self._input.{resume} or {state}()")
        elif self.info.keeps_state:
            lines.append(f"self._state = {state}()")
        return lines

    def activity_shared(self, activity: str) -> bool:
        return len(self.activity_calls.get(activity, ())) != 1

    def checked(self, node_id: str, text: str, template: bool) -> bool:
        return (text, template) in self.analysis.checked.get(node_id, ())

    def result_code(self, name: str) -> str:
        return self.analysis.result_code.get(name, name)

    def arm_heads(self, node_id: str, port: str) -> list[Node | None]:
        return [arm[0].node if arm else None for arm in self.arm_blocks.get((node_id, port), [])]

    def arm_leaves(self, node_id: str, port: str) -> bool:
        arms = self.arm_blocks.get((node_id, port), [])
        configs = self.tree.graph.configs
        return bool(arms) and all(always_leaves(arm, configs) for arm in arms)

    # rendering
    def sequence(self, blocks: list[Block]) -> str:
        parts = [self.block(block) for block in blocks]
        return "\n".join(part for part in parts if part)

    def block(self, block: Block) -> str:
        if block.exit:
            return "return"
        node = block.node
        for port, arm in block.arms:
            self.arm_text.setdefault((node.id, port), []).append(self.sequence(arm))
            self.arm_blocks.setdefault((node.id, port), []).append(arm)
        kind = REGISTRY[node.type]
        ctx = NodeRender(
            project=self.project,
            workflow=self.info,
            node=node,
            scope=self.analysis.scopes[node.id],
            used_names=self.analysis.used_names,
            renderer=self,
        )
        variables = kind.prepare(self.tree.graph.configs[node.id], ctx)
        text = ENVIRONMENT.get_template(kind.template).render(**variables).strip("\n")
        if not text.strip():
            return ""
        guard = self.guards.get(node.id)
        if guard is not None:
            text = f"if {guard.condition()}:\n" + textwrap.indent(text, "    ")
        for patch_id in reversed(self.deprecated.get(node.id, ())):
            text = f"workflow.deprecate_patch({patch_id!r})\n{text}"
        index = len(self.markers)
        self.markers.append(node.id)
        return f"{BEGIN}{index}\n{text}\n{END}{index}"

    def module(self) -> str:
        entries = [self.block(entry) for entry in self.tree.entries]
        member_methods = [method for _line, method in self.members.values() if method]
        methods = [m for m in entries if m] + member_methods + self.extra_methods
        definition = self.info.definition
        pieces = methods + [line for line, _m in self.members.values()]
        # by piece: most are as they were at the last compile, and their names are kept
        used = frozenset({"workflow"}).union(*(names_in(piece) for piece in pieces))
        activities = sorted({a.function for a in self.project.activities.values()} & used)
        always = {self.info.input.class_name}
        if self.info.keeps_state:
            always.add(self.info.state_class)
        models = sorted(set(self.project.model_classes_list()) & (used | always))
        title = definition.name or definition.id
        init_lines = [line for line, _method in self.members.values() if line]
        if self.init_in_run and init_lines:
            raise AssertionError(f"members need __init__ lines: {init_lines}")
        return ENVIRONMENT.get_template("workflow.py.jinja").render(
            docstring=docstring(f"Workflow {title!s} ({definition.id}), generated from its graph."),
            stdlib_imports=_import_lines(STDLIB_IMPORTS, used),
            temporal_imports=_import_lines(TEMPORAL_IMPORTS, used),
            package=self.project.package,
            activities=activities,
            models=models,
            workflow_name=repr(definition.id),
            class_name=self.info.class_name,
            class_docstring=docstring(definition.description or title),
            input_parameter=self.info.input.parameter,
            init=[] if self.init_in_run else self.init_statements() + init_lines,
            methods=methods,
        )


def render_workflow(
    tree: Tree,
    analysis: Analysis,
    project: ProjectInfo,
    guards: dict[str, Guard] | None = None,
    deprecated: dict[str, tuple[str, ...]] | None = None,
    choices: dict[str, Choice] | None = None,
) -> tuple[str, list[str]]:
    markers: list[str] = []
    renderer = WorkflowRenderer(tree, analysis, project, markers, guards, deprecated, choices)
    return renderer.module(), markers


# models.py


def _fields_class(info: FieldsInfo, text: str) -> dict[str, Any]:
    fields = [
        (name, annotation, info.defaults.get(name)) for name, annotation in info.fields.items()
    ]
    # fields without a default must come first in a dataclass
    fields.sort(key=lambda item: item[2] is not None)
    return {"name": info.class_name, "docstring": docstring(text), "fields": fields}


def _progress_class(queue: WorkQueueInfo) -> dict[str, Any]:
    return {
        "name": queue.class_name,
        "docstring": docstring(
            "Work-queue bookkeeping, carried across continue-as-new: items in flight or "
            "waiting to retry, running child ids, attempts and statistics."
        ),
        "fields": queue.fields,
    }


def _dependency_order(types: dict[str, set[str]]) -> list[str]:
    """Type names after the types they use, otherwise in document order (cycles broken there)."""
    position = {name: index for index, name in enumerate(types)}
    order: list[str] = []
    seen: set[str] = set()
    for root in types:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, sorted(types[root], key=position.__getitem__, reverse=True))]
        while stack:
            name, pending = stack[-1]
            if pending:
                used = pending.pop()
                if used not in seen:
                    seen.add(used)
                    stack.append(
                        (used, sorted(types[used], key=position.__getitem__, reverse=True))
                    )
                continue
            stack.pop()
            order.append(name)
    return order


def _in_dependency_order(classes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The classes, each after the ones its annotations and defaults name (a workflow input's
    `resume_state` after the state class), otherwise in the order given."""
    by_name = {cls["name"]: cls for cls in classes}
    uses = {
        cls["name"]: {
            used
            for _name, annotation, default in cls["fields"]
            for used in names_in(f"{annotation} {default or ''}")
            if used in by_name
        }
        for cls in classes
    }
    return [by_name[name] for name in _dependency_order(uses)]


def _evaluated_annotations(classes: list[dict[str, Any]], type_names: set[str]) -> None:
    """Quotes the annotations Python cannot evaluate where the class body stands: those that
    use a class defined further down (a cycle) or a name the class's own fields take.
    Every other annotation stays a real type, so the data converter reads it without
    evaluating text on every conversion (models.py has no `from __future__ import
    annotations`)."""
    defined: set[str] = set()
    for cls in classes:
        own = {name for name, _annotation, _default in cls["fields"]}
        fields = []
        for name, annotation, default in cls["fields"]:
            used = names_in(annotation)
            quoted = used & own or (used & type_names) - defined
            fields.append((name, repr(annotation) if quoted else annotation, default))
        cls["fields"] = fields
        defined.add(cls["name"])


def render_models(project: ProjectInfo) -> str:
    classes: list[dict[str, Any]] = []
    for type_name, definition in project.project.types.items():
        fields = [(name, project.annotation(ref), None) for name, ref in definition.fields.items()]
        classes.append(
            {
                "name": type_name,
                "docstring": docstring(definition.description or f"The {type_name} type."),
                "fields": fields,
            }
        )
    for activity in project.activities.values():
        classes.append(
            _fields_class(activity.input, f"Input of the {activity.definition.name} activity.")
        )
    if project.has_work_queues:
        classes.append(
            {
                "name": "AwaitWorkflowInput",
                "docstring": docstring("Which workflow the await_workflow activity follows."),
                "fields": [("workflow_id", "str", None)],
            }
        )
    for wf in project.workflows.values():
        classes.append(_fields_class(wf.input, f"Input of the {wf.definition.id} workflow."))
        for queue in wf.work_queues.values():
            classes.append(_progress_class(queue))
        state_fields = [
            (var.name, project.annotation(var.type), default)
            for var, default in zip(wf.definition.state, wf.state_defaults, strict=True)
        ]
        for queue in wf.work_queues.values():
            state_fields.append(
                (
                    queue.progress_field,
                    queue.class_name,
                    f"field(default_factory={queue.class_name})",
                )
            )
        # fields without a default must come first in a dataclass
        state_fields.sort(key=lambda item: item[2] is not None)
        if wf.keeps_state:
            classes.append(
                {
                    "name": wf.state_class,
                    "docstring": docstring(f"State of the {wf.definition.id} workflow."),
                    "fields": state_fields,
                }
            )
        for handler in wf.handlers.values():
            if handler.payload is not None:
                classes.append(
                    _fields_class(handler.payload, f"Payload of the {handler.name} {handler.kind}.")
                )
    text_fields = " ".join(a for cls in classes for _n, a, _d in cls["fields"])
    defaults = " ".join(d for cls in classes for _n, _a, d in cls["fields"] if d)
    used = names_in(text_fields)
    classes = _in_dependency_order(classes)
    _evaluated_annotations(classes, {cls["name"] for cls in classes})
    title = project.project.name or project.project.id
    return ENVIRONMENT.get_template("models.py.jinja").render(
        docstring=docstring(
            f"Data types of the {title} project: shared types, workflow inputs, state and payloads."
        ),
        classes=classes,
        uses_field="field(" in defaults,
        uses_datetime="datetime" in used,
        typing_names=sorted(used & {"Any", "Literal"}),
    )


# activities.py


def _activity_item(
    project: ProjectInfo, definition: ActivityDef, aliases: Namespace
) -> dict[str, Any]:
    info = project.activities[definition.name]
    impl = definition.implementation
    item: dict[str, Any] = {
        "name": repr(definition.name),
        "function": info.function,
        "input_class": info.input.class_name,
        "output": info.output,
        "returns": info.output != "None",
        "docstring": docstring(definition.description or f"Activity {definition.name}."),
        "kind": impl.kind,
    }
    if isinstance(impl, PythonImpl):
        module, function = impl.function.split(":")
        alias = aliases.claim(f"{info.function}_impl")
        item["alias"] = alias
        item["import"] = f"from {module} import {function} as {alias}"
    elif isinstance(impl, SimulateImpl):
        item.update(
            result=repr(impl.result),
            delay=repr(impl.delay_seconds),
            fail_attempts=impl.fail_attempts,
            fail_when=repr(impl.fail_when),
            fail_when_retryable=impl.fail_when_retryable,
            fail_message=repr(impl.fail_message),
        )
    elif isinstance(impl, HttpImpl):
        json_body = impl.sends_json()
        item.update(
            method=repr(impl.method),
            url=repr(impl.url),
            headers=repr(impl.headers),
            # a JSON body is filled as data (checked: it parses), so values are encoded
            body=repr(json.loads(impl.body) if json_body and impl.body else impl.body),
            json_body=repr(json_body),
        )
    elif isinstance(impl, ShellImpl):
        item.update(command=repr(impl.command), timeout=repr(impl.timeout_seconds))
    return item


_HELPER_IMPORTS = {
    "heartbeat": {"import asyncio", "import contextlib"},
    "simulate": {"import asyncio", "import dataclasses", "import os"},
    "http": {"import dataclasses", "import json", "import re", "import urllib.parse"},
    "shell": {
        "import asyncio",
        "import contextlib",
        "import dataclasses",
        "import os",
        "import signal",
    },
    "fill": {"import dataclasses", "import re", "from typing import Any"},
    "convert": {"from typing import Any"},
}
"""The standard library imports each helper of activities.py needs."""

_TYPE_IMPORTS = {
    "datetime": "from datetime import datetime",
    "Any": "from typing import Any",
    "Literal": "from typing import Literal",
}


def _activities_stdlib(
    helpers: dict[str, bool], output_types: frozenset[str], has_work_queues: bool
) -> set[str]:
    stdlib = {"from typing import Any"}
    for helper, imports in _HELPER_IMPORTS.items():
        if helpers[helper]:
            stdlib |= imports
    stdlib |= {line for name, line in _TYPE_IMPORTS.items() if name in output_types}
    abc = "AsyncIterator, Callable" if helpers["heartbeat"] else "Callable"
    stdlib.add(f"from collections.abc import {abc}")
    if has_work_queues:
        stdlib |= {"import asyncio", "from typing import Any"}
    return stdlib


def _activities_third_party(
    any_activity: bool, helpers: dict[str, bool], has_work_queues: bool
) -> list[str]:
    third_party = ["from temporalio import activity"] if any_activity else []
    if helpers["simulate"] or helpers["http"] or helpers["shell"]:
        third_party.append("from temporalio.exceptions import ApplicationError")
    if helpers["convert"]:
        third_party.append("from temporalio.converter import value_to_type")
    if helpers["http"]:
        third_party.insert(0, "import httpx")
    if has_work_queues:
        third_party += [
            "from temporalio import activity",
            "from temporalio.client import WorkflowFailureError",
            "from temporalio.exceptions import ApplicationError",
            "from temporalio.exceptions import FailureError",
        ]
    return third_party


def render_activities(project: ProjectInfo) -> str:
    aliases = Namespace({a.function for a in project.activities.values()})
    items = [_activity_item(project, a.definition, aliases) for a in project.activities.values()]
    kinds = {item["kind"] for item in items}
    converts = any(item["returns"] and item["kind"] != "python" for item in items)
    helpers = {
        "simulate": "simulate" in kinds,
        "http": "http" in kinds,
        "shell": "shell" in kinds,
        "fill": bool(kinds & {"simulate", "http", "shell"}),
        "convert": converts,
        "heartbeat": bool(items),
    }
    annotations = " ".join(
        [item["output"] for item in items]
        + [a for i in project.activities.values() for a in i.input.fields.values()]
    )
    output_types = names_in(annotations)
    stdlib = _activities_stdlib(helpers, output_types, project.has_work_queues)
    third_party = _activities_third_party(bool(items), helpers, project.has_work_queues)
    models = sorted(
        {i.input.class_name for i in project.activities.values()}
        | (output_types & set(project.model_classes_list()))
    )
    if project.has_work_queues:
        models = sorted(set(models) | {"AwaitWorkflowInput"})
    return ENVIRONMENT.get_template("activities.py.jinja").render(
        project_name=project.project.name or project.project.id,
        package=project.package,
        await_workflow=project.has_work_queues,
        stdlib_imports=sorted(stdlib, key=lambda line: (line.startswith("from"), line)),
        third_party_imports=sorted(
            set(third_party), key=lambda line: (line.startswith("from"), line)
        ),
        user_imports=[item["import"] for item in items if "import" in item],
        models=models,
        helpers=helpers,
        activities=items,
    )


# package modules


def render_init(project: ProjectInfo) -> str:
    title = project.project.name or project.project.id
    return ENVIRONMENT.get_template("init.py.jinja").render(
        docstring=docstring(f"{title}: Temporal workflows generated from their graphs."),
        task_queue=repr(project.project.task_queue),
        idempotency_key=bool(project.activities),
    )


def render_worker(project: ProjectInfo) -> str:
    return ENVIRONMENT.get_template("worker.py.jinja").render(
        project_name=project.project.name or project.project.id,
        package=project.package,
        workflows=[(wf.module, wf.class_name) for wf in project.workflows.values()],
    )


def render_starter(project: ProjectInfo) -> str:
    items = []
    uses_uuid = False
    for wf in project.workflows.values():
        if wf.id_template is not None:
            # emit rewrites the tree it is given: the project info's stays as parsed
            id_code = emit(copy.deepcopy(wf.id_template), {"input": "input"})
        else:
            uses_uuid = True
            id_code = f"{wf.definition.id + '-'!r} + str(uuid.uuid4())"
        items.append(
            {"name": repr(wf.definition.id), "input_class": wf.input.class_name, "id_code": id_code}
        )
    payloads = [
        {
            "workflow": repr(wf.definition.id),
            "name": repr(name),
            "class": handler.payload.class_name,
        }
        for wf in project.workflows.values()
        for (kind, name), handler in sorted(wf.handlers.items())
        if not REGISTRY[kind].read_only
        and handler.payload is not None
        and _holds_choices(handler.payload.fields.values(), project)
    ]
    inputs_choose = any(
        _holds_choices(wf.input.fields.values(), project) for wf in project.workflows.values()
    )
    return ENVIRONMENT.get_template("starter.py.jinja").render(
        project_name=project.project.name or project.project.id,
        package=project.package,
        workflows=items,
        models=sorted(
            {wf.input.class_name for wf in project.workflows.values()}
            | {item["class"] for item in payloads}
        ),
        uses_uuid=uses_uuid,
        checks_choices=inputs_choose or bool(payloads),
        payloads=payloads,
    )


def _holds_choices(annotations: Iterable[str], project: ProjectInfo) -> bool:
    """Whether these annotations hold a Literal somewhere, in themselves or in a project type
    they name: the starter then refuses a value outside its choices before it sends it."""
    seen: set[str] = set()
    pending = list(annotations)
    while pending:
        names = names_in(pending.pop())
        if "Literal" in names:
            return True
        for name in names & (set(project.type_fields) - seen):
            seen.add(name)
            pending.extend(project.type_fields[name].values())
    return False


def render_schedules(project: ProjectInfo, trees: list[tuple[Tree, Analysis]]) -> str:
    items: list[dict[str, Any]] = []
    for tree, _analysis in trees:
        info = tree.graph.info
        for node_id in tree.graph.entries:
            kind = REGISTRY[tree.graph.nodes[node_id].type]
            config = kind.schedule(tree.graph.configs[node_id])
            if config is None:
                continue
            args = ", ".join(
                f"{name}={emit(parse_expression(config.args[name]), {})}"
                for name in info.input.fields
                if name in config.args
            )
            items.append(
                {
                    "schedule_id": repr(config.schedule_id or f"{info.definition.id}-schedule"),
                    "workflow": repr(info.definition.id),
                    "workflow_id": repr(config.workflow_id or info.definition.id),
                    "input": f"{info.input.class_name}({args})",
                    "cron": repr(config.cron) if config.cron else None,
                    "interval": (
                        timedelta_code(parse_duration(config.interval)) if config.interval else None
                    ),
                    "time_zone": repr(config.time_zone),
                    "overlap": config.overlap,
                    "catchup": timedelta_code(parse_duration(config.catchup_window)),
                    "paused": config.paused,
                    "note": repr(config.note or f"{info.definition.id}: node {node_id}"),
                    "summary": repr(
                        f"{node_id}: {tree.graph.nodes[node_id].label or kind.kind}"[:200]
                    ),
                }
            )
    return ENVIRONMENT.get_template("schedules.py.jinja").render(
        project_name=project.project.name or project.project.id,
        package=project.package,
        schedules=items,
        models=sorted(
            names_in(" ".join(item["input"] for item in items)) & set(project.model_classes_list())
        ),
    )


def render_files(
    project: ProjectInfo,
    trees: list[tuple[Tree, Analysis]],
    guards: Guards | None = None,
    deprecated: Deprecations | None = None,
    choices: Choices | None = None,
) -> Iterator[tuple[str, str, list[str]]]:
    """(path inside the package, text, marker node ids) for every generated module."""
    yield "__init__.py", render_init(project), []
    yield "models.py", render_models(project), []
    yield "activities.py", render_activities(project), []
    yield "workflows/__init__.py", '"""Workflow definitions, one module per workflow."""\n', []
    for tree, analysis in trees:
        wf_id = tree.graph.info.definition.id
        text, markers = render_workflow(
            tree,
            analysis,
            project,
            (guards or {}).get(wf_id),
            (deprecated or {}).get(wf_id),
            (choices or {}).get(wf_id),
        )
        yield f"workflows/{tree.graph.info.module}.py", text, markers
    yield "worker.py", render_worker(project), []
    yield "starter.py", render_starter(project), []
    yield "schedules.py", render_schedules(project, trees), []


def sourcemap_json(entries: dict[str, Any]) -> str:
    return json.dumps(entries, indent=2, sort_keys=True) + "\n"
