"""Hostile documents are rejected with diagnostics, or compile to code that holds their text inert.

Every hostile string carries the canary identifier `pWnEd`. The naming function never keeps it
(snake case gives `p_wn_ed`, Pascal case `PWnEd`), so wherever it shows up in generated code
outside a string literal, user text has become code.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import math
import tokenize
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from compiler import CompileResult, compile_project
from compiler.pipeline import check_document
from language.diagnostics import Codes
from tests.support.harness import chain, edge, node, project

CANARY = "pWnEd"

HOSTILE = [
    '"""\npWnEd = __import__("os").system("id")\n"""',
    "'''\npWnEd()\n'''",
    '\\"""\npWnEd()  # \\',
    '" + pWnEd + "',
    "' + pWnEd + '",
    "{pWnEd}",
    "{{pWnEd}}",
    "}}{pWnEd.__class__}{{",
    "\npWnEd()\n",
    "\r\npWnEd()\r",
    "\\\npWnEd()",
    "pWnEd ends with a backslash \\",
    "lambda: pWnEd",
    "exec('pWnEd')",
    "eval(pWnEd)",
    "__import__('os').system('pWnEd')",
    "pWnEd.__class__.__mro__[1].__subclasses__()",
    "class pWnEd: pass",
    "def pWnEd(): return __import__('os')",
    "\u2028pWnEd()\u2029",
    "\x0cpWnEd()\x0b",
    "\x00pWnEd()",
    "\ud800pWnEd()",
    "\uff50W\uff4eE\uff44()",
    "é名前🙂 pWnEd \u202e",
    "# pWnEd",
    "%s %(pWnEd)s {0} {pWnEd!r:>{width}}",
    "\t\tpWnEd()",
    "\\N{LATIN SMALL LETTER A}\\x41\\u0041 pWnEd",
    '""""""pWnEd""""""',
]
"""Text fields: labels, ids, names, descriptions, messages."""

WORDS = ["None", "True", "class", "import", "__class__", "__init__", "self", "input"]
WORDS += ["state", "workflow", "run", "pass", "match", "os", "asyncio", "timedelta", "_", "x" * 99]
"""Names that are dangerous as identifiers rather than as text."""

UNSAFE_EXPRESSIONS = [
    "__import__('os').system('pWnEd')",
    "exec('pWnEd')",
    "eval('pWnEd')",
    "compile('pWnEd', 'x', 'exec')",
    "open('/etc/passwd').read()",
    "print('pWnEd')",
    "(lambda: 'pWnEd')()",
    "lambda: 'pWnEd'",
    "input.__class__",
    "input.__class__.__mro__",
    "state.__dict__",
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__mro__]",
    "getattr(input, 'who')",
    "globals()",
    "__builtins__",
    "_pWnEd",
    "pWnEd",
    "self._input",
    "f'{__import__(\"os\")}'",
    "f'{input.who!r:{\"pWnEd\"}}'",
    "input.who if True else exec('pWnEd')",
    "(pWnEd := 1)",
    "await input",
    "(yield)",
    "input.who; import os",
    "input.who\nimport os",
    "\uff45\uff58\uff45\uff43('pWnEd')",
    "\U0001d522\U0001d533\U0001d51e\U0001d529('pWnEd')",
    "__\uff49\uff4d\uff50\uff4f\uff52\uff54__('os')",
    "input.who.format_map(state)",
    "'{0.__class__}'.format(input)",
    "sorted(input.tags, key=exec)",
    "max([], default=exec)",
    "len(*input.tags)",
    "10 ** 10 ** 10",
    "9" * 5000,
    "-" * 3000 + "1",
    "(" * 300 + ")" * 300,
    "not " * 400 + "True",
    "b'pWnEd'",
    "...",
    "1j",
    "",
    "   ",
]
"""Expressions outside the safe subset: each must be rejected with a diagnostic."""

TRICKY_EXPRESSIONS = [
    "'\"\"\"' + 'pWnEd' + \"'''\"",
    "'\\\\' + '\\n' + 'pWnEd\\x00'",
    "'{pWnEd}' + '\\ud800'",
    "f'{1}pWnEd{2}'",
    "f'{input.who!r:>10}pWnEd'",
    "'pWnEd' if input.who else \"pWnEd\"",
    "[x for x in input.tags if x != 'pWnEd']",
    "{'pWnEd': [1, 2.5, None, True]}",
    "'\\N{BULLET} pWnEd'",
    "'\\'\"\\'\"pWnEd'",
    "input.who + '\\r\\n# pWnEd'",
    "'''\npWnEd()\n'''",
    "sorted([input.who, 'pWnEd'], reverse=True)",
    "('pWnEd', input.who)[1]",
    "'%s' % 'pWnEd'",
    "1 # pWnEd",
    "'é名前🙂 \u202e pWnEd'",
]
"""Expressions inside the subset whose strings look like code: they compile, as data."""

UNSAFE_TEMPLATES = [
    "{__import__('os').system('pWnEd')}",
    "{exec('pWnEd')}",
    "{input.__class__}",
    "{input.who!r:{pWnEd}}",
    "{pWnEd}",
    "}{",
    "{",
    "{(lambda: 'pWnEd')()}",
]

TRICKY_TEMPLATES = [
    "{{pWnEd}}",
    "'''\"\"\"{input.who}\\",
    "{input.who:>10} pWnEd",
    "{input.who!r}pWnEd",
    "{'pWnEd'}",
    '{input.who}\n"""\npWnEd()\n',
    "{input.who=}pWnEd",
    "\x00{input.who}pWnEd",
    "pWnEd {input.who} \\",
]

TYPE_NAMES = ["None", "True", "False", "Any", "Receipt", "MainInput", "MainState", "Self", "Str"]
FIELD_NAMES = ["text", "self", "input", "state", "field", "dataclass", "workflow", "match", "ñame"]
LOCAL_NAMES = ["local", "workflow", "self", "input", "len", "asyncio", "timedelta", "charge"]
PYTHON_FUNCTIONS = ["tools.billing:charge", "os:system", "builtins:exec", "x:__import__", "a:b"]

FORBIDDEN_NAMES = {"__import__", "exec", "eval", "compile", "breakpoint", "globals", "locals"}
FORBIDDEN_NAMES |= {"vars", "__builtins__", "nan", "inf", "infinity", "NaN"}
FORBIDDEN_ATTRIBUTES = {"system", "popen", "__class__", "__subclasses__", "__globals__"}
FORBIDDEN_ATTRIBUTES |= {"__mro__", "__bases__", "__builtins__", "__code__", "__dict__"}

CODES = {code for name, code in vars(Codes).items() if not name.startswith("_")}

hostile_expressions = st.one_of(
    st.sampled_from(UNSAFE_EXPRESSIONS), st.sampled_from(TRICKY_EXPRESSIONS)
)
hostile_templates = st.one_of(st.sampled_from(UNSAFE_TEMPLATES), st.sampled_from(TRICKY_TEMPLATES))
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(WORDS),
    st.builds(
        lambda hostile, noise: hostile + noise, st.sampled_from(HOSTILE), st.text(max_size=6)
    ),
    st.text(max_size=12),
)


# what every outcome must satisfy


def _identifiers(tree: ast.AST) -> Iterator[str]:
    for item in ast.walk(tree):
        if isinstance(item, ast.Name):
            yield item.id
        elif isinstance(item, ast.Attribute):
            yield item.attr
        elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield item.name
        elif isinstance(item, ast.arg):
            yield item.arg
        elif isinstance(item, ast.alias):
            yield item.asname or item.name
        elif isinstance(item, ast.keyword) and item.arg:
            yield item.arg


def _module_bindings(tree: ast.Module) -> list[str]:
    """Names bound at module level, by imports (also inside `with` blocks), defs and classes."""
    names: list[str] = []
    statements = list(tree.body)
    while statements:
        statement = statements.pop(0)
        if isinstance(statement, ast.With | ast.If | ast.Try):
            statements[:0] = statement.body
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            names += [(a.asname or a.name).split(".")[0] for a in statement.names]
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(statement.name)
    return names


def _assert_no_shadowing(tree: ast.Module, path: str) -> None:
    """A document's names never rebind what the generated module imports or defines.

    `charge = await workflow.execute_activity(charge, ...)` makes `charge` local to the whole
    method (UnboundLocalError); an activity function called `workflow` replaces temporalio's
    `workflow` module. Both parse and both are broken.
    """
    bindings = _module_bindings(tree)
    twice = sorted({name for name in bindings if bindings.count(name) > 1})
    assert not twice, f"{path}: module-level names bound twice: {twice}"
    module_names = set(bindings)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        stored = {
            item.id
            for item in ast.walk(function)
            if isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store)
        }
        shadowed = sorted(stored & module_names)
        assert not shadowed, f"{path}: {function.name}() assigns module-level names {shadowed}"


def _assert_inert(text: str, path: str) -> None:
    """The file parses, calls nothing dangerous and holds the canary only inside literals."""
    text.encode("utf-8")  # written to disk as UTF-8: no lone surrogates
    tree = ast.parse(text, filename=path)
    compile(tree, path, "exec")  # what only the compiler checks: `from __future__` placement
    for identifier in _identifiers(tree):
        normal = unicodedata.normalize("NFKC", identifier)
        assert CANARY not in normal, f"{path}: user text became the identifier {identifier!r}"
        assert normal not in FORBIDDEN_NAMES | FORBIDDEN_ATTRIBUTES, f"{path}: uses {normal!r}"
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING:
            assert CANARY not in unicodedata.normalize("NFKC", token.string), (
                f"{path}:{token.start[0]}: user text outside a literal: {token.line!r}"
            )
    _assert_no_shadowing(tree, path)


def assert_safe(source: Any) -> CompileResult:
    """Rejected with proper diagnostics, or compiled to inert, parseable code."""
    result = compile_project(source)
    checked = check_document(source)
    assert checked.diagnostics == result.diagnostics[: len(checked.diagnostics)]
    internal = [d.format() for d in result.diagnostics if d.code == Codes.INTERNAL]
    assert not internal, f"the compiler generated code that does not parse: {internal}"
    for diagnostic in result.diagnostics:
        assert diagnostic.code in CODES
        assert diagnostic.message.strip()
        diagnostic.format()
        json.dumps(diagnostic.to_dict())
    if not result.ok:
        assert result.diagnostics and result.files == {}
        return result
    assert result.files
    for path, text in result.files.items():
        if path.endswith(".py"):
            _assert_inert(text, path)
    json.loads(result.files["sourcemap.json"])
    return result


# a document with many kinds, each hostile slot filled by a draw


Pick = Callable[[str, Any, st.SearchStrategy[Any]], Any]


def rich_document(pick: Pick) -> dict[str, Any]:
    """Every slot holds its safe default unless `pick` puts hostile content there."""

    def text(slot: str, default: str) -> str:
        value: str = pick(slot, default, hostile_text)
        return value

    def expression(slot: str, default: str) -> str:
        value: str = pick(slot, default, hostile_expressions)
        return value

    def template(slot: str, default: str) -> str:
        value: str = pick(slot, default, hostile_templates)
        return value

    field_name = pick("field name", "extra", st.sampled_from(FIELD_NAMES))
    type_name = pick("type name", "Parcel", st.sampled_from(TYPE_NAMES))
    charge = text("activity name", "charge")
    notify = text("agent activity name", "notify")
    tool = text("shell activity name", "run_tool")
    signal_name = text("signal name", "note")
    query_name = text("query name", "status")
    update_name = text("update name", "bump")
    local = pick("local name", "local", st.sampled_from(LOCAL_NAMES))
    ids: dict[str, str] = {}

    def nid(key: str) -> str:
        if key not in ids:
            hostile = text(f"id of {key}", key)
            ids[key] = key if hostile == key else f"{hostile}#{key}"
        return ids[key]

    def labelled(key: str, kind: str, parent: str | None = None, **config: Any) -> dict[str, Any]:
        item = node(nid(key), kind, text(f"label of {key}", key), **config)
        if parent is not None:
            item["parent_id"] = nid(parent)
        return item

    def link(source: str, target: str, port: str = "out") -> dict[str, Any]:
        item = edge(nid(source), nid(target), port)
        item["id"] = text(f"id of edge {source}->{target}", item["id"])
        return item

    activities = [
        {
            "name": charge,
            "description": text("activity description", "Charges."),
            "input": {"amount": "int", field_name: "str"},
            "output": "Receipt",
            "implementation": {
                "kind": "simulate",
                "result": {"text": text("simulated result", "ok {amount}"), "count": 1},
                "fail_message": text("fail message", "failed"),
                "fail_when": {"amount": text("fail when", "never")},
            },
        },
        {
            "name": notify,
            "input": {"prompt": "str"},
            "output": "str",
            "implementation": {
                "kind": "http",
                "method": "POST",
                "url": text("url", "https://example.com/{prompt}"),
                "headers": {text("header name", "X-Id"): text("header value", "{prompt}")},
                "body": text("body", "{prompt}"),
            },
        },
        {
            "name": tool,
            "input": {"arg": "str"},
            "output": "str",
            "implementation": {"kind": "shell", "command": [text("argv", "echo"), "{arg}"]},
        },
        {
            "name": text("python activity name", "external"),
            "implementation": {
                "kind": "python",
                "function": pick(
                    "python function", "tools.billing:charge", st.sampled_from(PYTHON_FUNCTIONS)
                ),
            },
        },
    ]
    nodes = [
        labelled("start", "start"),
        labelled(
            "charge",
            "activity",
            activity=charge,
            args={"amount": expression("amount", "input.amount"), field_name: "input.who"},
            result="receipt",
        ),
        labelled(
            "ask",
            "agent",
            activity=notify,
            prompt=template("prompt", "Summarise {input.who}"),
            result="summary",
        ),
        labelled(
            "tool",
            "activity",
            activity=tool,
            args={"arg": expression("tool argument", "summary")},
            result="output",
        ),
        labelled("check", "condition", expression=expression("condition", "receipt.count > 0")),
        labelled(
            "route",
            "switch",
            cases=[
                {"key": "a", "expression": expression("case a", "input.amount > 10")},
                {"key": "b", "expression": expression("case b", "'gift' in input.tags")},
            ],
        ),
        labelled(
            "remember",
            "set_state",
            assignments=[
                {"target": "state.note", "value": expression("note", "summary + receipt.text")},
                {"target": local, "value": expression("local value", "len(input.tags)")},
            ],
        ),
        labelled("mark", "set_state", assignments=[{"target": "state.note", "value": "'a'"}]),
        labelled("nap", "timer", duration="1s"),
        labelled("idle", "timer", duration="1m"),
        labelled("stage", "phase"),
        labelled(
            "stage-note",
            "set_state",
            parent="stage",
            assignments=[{"target": "state.note", "value": f"state.note + str({local})"}],
        ),
        labelled(
            "fan", "parallel", mode=pick("parallel mode", "all", st.sampled_from(["any", "race"]))
        ),
        labelled("fan-nap", "timer", duration="2s"),
        labelled(
            "fan-signal",
            "signal_external",
            workflow_id=template("external id", "main-{input.who}"),
            signal=signal_name,
            workflow="main",
            args={"text": expression("signal text", "input.who")},
        ),
        labelled("meet", "join"),
        labelled(
            "kid",
            "child_workflow",
            workflow="child",
            args={"who": expression("child argument", "input.who + output")},
            id_template=template("child id", "child-{input.who}"),
            result="kid_result",
        ),
        labelled(
            "refuse",
            "fail",
            message=template("failure message", "refused {input.who}"),
            error_type=pick("error type", "Refused", st.sampled_from(["Bad.Error", "None", "X_"])),
        ),
        labelled("done", "end", value=expression("result", "kid_result + state.note")),
        labelled("note", "signal", name=signal_name, params={"text": "str"}),
        labelled(
            "store",
            "set_state",
            assignments=[{"target": "state.note", "value": expression("payload", "payload.text")}],
        ),
        labelled(
            "bump",
            "update",
            name=update_name,
            params={"by": "int"},
            returns="int",
            validator=expression("validator", "payload.by > 0"),
            validator_message=text("validator message", "by must be positive"),
        ),
        labelled("bumped", "end", value="payload.by + 1"),
        labelled(
            "status",
            "query",
            name=query_name,
            value=expression("query", "state.note"),
            returns="str",
        ),
    ]
    edges = [
        link("start", "charge"),
        link("charge", "ask"),
        link("ask", "tool"),
        link("tool", "remember"),
        link("remember", "check"),
        link("check", "route", "true"),
        link("check", "refuse", "false"),
        link("route", "mark", "case:a"),
        link("route", "nap", "case:b"),
        link("route", "idle", "default"),
        link("mark", "stage"),
        link("nap", "stage"),
        link("idle", "stage"),
        link("stage", "fan"),
        link("fan", "fan-nap", "branch"),
        link("fan", "fan-signal", "branch"),
        link("fan-nap", "meet"),
        link("fan-signal", "meet"),
        link("meet", "kid"),
        link("kid", "done"),
        link("note", "store"),
        link("bump", "bumped"),
    ]
    main = {
        "id": "main",
        "name": text("workflow name", "Main"),
        "description": text("workflow description", "The main workflow."),
        "input": {"who": "str", "amount": "int", "tags": "list[str]"},
        "output": "str",
        "state": [
            {"name": "note", "type": "str", "default": text("state default", "")},
            {"name": field_name, "type": "str", "description": text("state description", "")},
        ],
        "settings": {"id_template": template("workflow id", "main-{input.who}")},
        "nodes": nodes,
        "edges": edges,
    }
    child = {
        "id": "child",
        "name": text("child name", "Child"),
        "input": {"who": "str"},
        "output": "str",
        "nodes": [node("start", "start"), node("answer", "end", value="input.who")],
        "edges": chain("start", "answer"),
    }
    document = project("hostile", [main, child], activities=activities)
    document["name"] = text("project name", "Hostile")
    document["description"] = text("project description", "")
    document["task_queue"] = text("task queue", "hostile")
    document["types"] = {
        "Receipt": {
            "description": text("type description", "A receipt."),
            "fields": {"text": "str", "count": "int"},
        },
        type_name: {"fields": {field_name: "str"}},
    }
    return document


@st.composite
def hostile_documents(draw: st.DrawFn, where: str) -> dict[str, Any]:
    """Hostile content in about a fifth of the `where` slots: "text" (and names) or "code"."""

    def pick(slot: str, default: Any, hostile: st.SearchStrategy[Any]) -> Any:
        is_code = hostile is hostile_expressions or hostile is hostile_templates
        if is_code != (where == "code") or draw(st.integers(0, 4)) < 4:
            return default
        value = draw(hostile)
        note(f"{slot}: {value!r}")
        return value

    return rich_document(pick)


def safe_document() -> dict[str, Any]:
    return rich_document(lambda slot, default, hostile: default)


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    # each example runs ruff twice (~0.1 s): shrinking would take minutes, and the notes
    # already name every slot that holds hostile content
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_the_safe_document_compiles() -> None:
    """The skeleton the property fills is itself valid, so hostile content is what gets tested."""
    result = assert_safe(safe_document())
    assert result.ok, [d.format() for d in result.diagnostics]
    assert "workflows/main.py" in result.files


@PROPERTY
@given(hostile_documents("text"))
def test_hostile_text_and_names_are_rejected_or_inert(document: dict[str, Any]) -> None:
    """Labels, ids, names, descriptions, messages, URLs, defaults, type and field names."""
    assert_safe(document)


@settings(PROPERTY, max_examples=100)
@given(hostile_documents("code"))
def test_hostile_expressions_and_templates_are_rejected_or_inert(document: dict[str, Any]) -> None:
    assert_safe(document)


# any string or number of a valid document replaced by something hostile


LEAVES = st.one_of(
    hostile_text,
    hostile_expressions,
    hostile_templates,
    st.sampled_from([math.nan, math.inf, -math.inf, -1, 0, 2**70, 1e308, True, None, [], {}]),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every leaf, and to every dictionary key (marked with a trailing None)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key, None)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))
    else:
        yield prefix


def _replace(document: Any, path: tuple[Any, ...], replacement: Any) -> None:
    """Put `replacement` at `path`; nothing when an earlier mutation removed the path."""
    *parents, last = path
    container = document
    try:
        for part in parents[:-1] if last is None else parents:
            container = container[part]
        if last is None:  # rename a key, keeping its value and the order of the others
            key = parents[-1]
            if not isinstance(replacement, str) or replacement in container or key not in container:
                return
            items = list(container.items())
            container.clear()
            container.update((replacement if k == key else k, v) for k, v in items)
        elif isinstance(container, dict) or (isinstance(container, list) and last < len(container)):
            container[last] = replacement
    except (KeyError, IndexError, TypeError):
        return


SAFE_PATHS = list(_paths(safe_document()))


@settings(PROPERTY, max_examples=100)
@given(st.lists(st.tuples(st.sampled_from(SAFE_PATHS), LEAVES), min_size=1, max_size=4))
def test_mutated_documents_are_rejected_or_inert(mutations: list[tuple[Any, Any]]) -> None:
    document = safe_document()
    for path, replacement in mutations:
        note(f"{'.'.join(map(str, path))}: {replacement!r}")
        _replace(document, path, copy.deepcopy(replacement))
    assert_safe(document)
    assert_safe(json.dumps(document))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON, st.binary(max_size=64), hostile_text))
def test_arbitrary_input_is_diagnosed_never_raised(source: Any) -> None:
    note(f"source: {source!r}")
    if isinstance(source, dict | str | bytes):
        assert_safe(source)
    if not isinstance(source, bytes):
        assert_safe(json.dumps(source))


# the expression sandbox, one expression at a time


def _string_constants(source: str) -> set[str]:
    tree = ast.parse(source)
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _in_slot(slot: str, value: str) -> dict[str, Any]:
    return rich_document(lambda name, default, hostile: value if name == slot else default)


@pytest.mark.parametrize("expression", UNSAFE_EXPRESSIONS)
def test_unsafe_expressions_are_rejected_where_they_stand(expression: str) -> None:
    result = assert_safe(_in_slot("condition", expression))
    assert not result.ok
    assert {(d.code, d.node_id, d.field) for d in result.diagnostics} <= {
        (Codes.BAD_CONFIG, "check", "config.expression"),
        (Codes.BAD_EXPRESSION, "check", "config.expression"),
        (Codes.UNKNOWN_NAME, "check", "config.expression"),
    }


@pytest.mark.parametrize("template", UNSAFE_TEMPLATES)
def test_unsafe_templates_are_rejected_where_they_stand(template: str) -> None:
    result = assert_safe(_in_slot("failure message", template))
    assert not result.ok
    assert {(d.code, d.node_id, d.field) for d in result.diagnostics} <= {
        (Codes.BAD_TEMPLATE, "refuse", "config.message"),
        (Codes.UNKNOWN_NAME, "refuse", "config.message"),
    }


@pytest.mark.parametrize("expression", TRICKY_EXPRESSIONS)
def test_strings_in_expressions_stay_strings(expression: str) -> None:
    result = assert_safe(_in_slot("condition", expression))
    assert result.ok, [d.format() for d in result.diagnostics]
    wanted = _string_constants(expression.strip())
    found = _string_constants(result.files["workflows/main.py"])
    assert wanted <= found, f"string literals changed on their way: {wanted - found}"


@pytest.mark.parametrize("template", TRICKY_TEMPLATES)
def test_text_in_templates_stays_text(template: str) -> None:
    result = assert_safe(_in_slot("failure message", template))
    assert result.ok, [d.format() for d in result.diagnostics]
    literal_parts = {part for part in _string_constants("f" + repr(template)) if part.strip(" ")}
    found = _string_constants(result.files["workflows/main.py"])
    assert literal_parts <= found, f"template text changed on its way: {literal_parts - found}"


# one hostile value in one slot: cases the property finds, kept as plain examples


SINGLE_SLOT = [
    ("project name", '"""\npWnEd = __import__("os").system("id")\n"""'),
    ("project name", "Shop \\"),
    ("project name", "C:\\New projects"),
    ("project description", "'''\npWnEd()\n'''"),
    ("workflow name", '"""'),
    ("workflow description", "\x00pWnEd()"),
    ("type description", "\x00pWnEd()"),
    ("activity description", "\ud800pWnEd()"),
    ("label of stage", "\ud800pWnEd()"),
    ("label of stage", "\npWnEd()\n"),
    ("id of stage", "\x00pWnEd()"),
    ("signal name", '"""\npWnEd()\n"""'),
    ("query name", "\\"),
    ("update name", "{pWnEd}"),
    ("activity name", "class pWnEd: pass"),
    ("state default", '"""\npWnEd()\n"""'),
    ("validator message", "\\'\npWnEd()"),
]


@pytest.mark.parametrize(("slot", "value"), SINGLE_SLOT)
def test_one_hostile_value_is_rejected_or_inert(slot: str, value: str) -> None:
    document = rich_document(lambda name, default, hostile: value if name == slot else default)
    assert document != safe_document()
    assert_safe(document)
    assert_safe(json.dumps(document))


# documents at the edges of what is valid


def _minimal(**changes: Any) -> dict[str, Any]:
    flow = {"id": "flow", "nodes": [node("start", "start"), node("done", "end")], "edges": []}
    flow["edges"] = chain("start", "done")
    document = project("edge-case", [flow], activities=[{"name": "ping", "output": "str"}])
    document.update(changes)
    return document


BOUNDARIES = {
    "no activities": _minimal(activities=[]),
    "no workflows": _minimal(workflows=[]),
    "empty project": project("edge-case", []),
    "nan in a simulated result": _minimal(
        activities=[
            {
                "name": "ping",
                "output": "float",
                "implementation": {"kind": "simulate", "result": math.nan},
            }
        ]
    ),
    "infinity as a state default": _minimal(
        workflows=[
            {
                "id": "flow",
                "state": [{"name": "limit", "type": "float", "default": math.inf}],
                "nodes": [node("start", "start"), node("done", "end")],
                "edges": chain("start", "done"),
            }
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(BOUNDARIES))
def test_boundary_documents_are_rejected_or_inert(name: str) -> None:
    document = BOUNDARIES[name]
    assert_safe(document)
    assert_safe(json.dumps(document))


IDENTIFIER_LIKE = ["workflow", "timedelta", "os", "dataclasses", "activity", "value_to_type"]


@pytest.mark.parametrize("name", IDENTIFIER_LIKE)
def test_activity_names_never_rebind_generated_names(name: str) -> None:
    flow = {
        "id": "flow",
        "nodes": [
            node("start", "start"),
            node("call", "activity", activity=name, args={"amount": "1"}),
            node("nap", "timer", duration="1s"),
            node("done", "end"),
        ],
        "edges": chain("start", "call", "nap", "done"),
    }
    catalogue = [{"name": name, "input": {"amount": "int"}, "output": "None"}]
    result = assert_safe(project("names", [flow], activities=catalogue))
    # compiled without rebinding anything (assert_safe), or the name refused where it stands
    refused = {(d.code, d.field) for d in result.diagnostics if d.severity == "error"}
    assert result.ok or refused <= {(Codes.SCHEMA, "activities.0.name")}, refused


@pytest.mark.parametrize("name", ["charge", "workflow", "timedelta", "asyncio"])
def test_result_names_never_rebind_generated_names(name: str) -> None:
    flow = {
        "id": "flow",
        "output": "str",
        "nodes": [
            node("start", "start"),
            node("call", "activity", activity="charge", args={"amount": "1"}, result=name),
            node("fan", "parallel"),
            node("a", "timer", duration="1s"),
            node("b", "timer", duration="2s"),
            node("meet", "join"),
            node("done", "end", value=name),
        ],
        "edges": [
            *chain("start", "call", "fan"),
            edge("fan", "a", "branch"),
            edge("fan", "b", "branch"),
            *chain("a", "meet"),
            *chain("b", "meet"),
            *chain("meet", "done"),
        ],
    }
    catalogue = [{"name": "charge", "input": {"amount": "int"}, "output": "str"}]
    result = assert_safe(project("names", [flow], activities=catalogue))
    # compiled without rebinding anything (assert_safe), or the name refused where it stands
    refused = {(d.code, d.node_id, d.field) for d in result.diagnostics if d.severity == "error"}
    assert result.ok or refused <= {
        (Codes.BAD_CONFIG, "call", "config.result"),
        (Codes.BAD_ARGUMENT, "call", "config.result"),
    }, refused
