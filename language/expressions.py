"""Expressions in a safe Python subset: parsed with `ast`, checked node by node, re-emitted.

No user text reaches generated code directly: the emitted source is `ast.unparse` of the checked
tree, after free names have been mapped onto what they mean in the generated code.
"""

from __future__ import annotations

import ast
import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cachetools import LRUCache

from language.diagnostics import Codes

FUNCTIONS = frozenset(
    {
        "len",
        "min",
        "max",
        "sum",
        "any",
        "all",
        "sorted",
        "range",
        "random",
        "uuid4",
        "str",
        "int",
        "float",
        "bool",
        "round",
        "abs",
    }
)
_MAX_LENGTH = 4000
_MAX_DEPTH = 60

_ALLOWED = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.Compare,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.IfExp,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Call,
    ast.keyword,
    ast.JoinedStr,
    ast.FormattedValue,
    # operators
    ast.And,
    ast.Or,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
)


class ExpressionError(ValueError):
    def __init__(self, message: str, code: str = Codes.BAD_EXPRESSION) -> None:
        super().__init__(message)
        self.code = code
        """The diagnostic code to report it under."""


def is_expression(text: str) -> bool:
    """Whether text parses as an expression of the checked subset (its names unchecked)."""
    try:
        parse_expression(text)
    except ExpressionError:
        return False
    return True


def parse_expression(text: str) -> ast.expr:
    """The checked tree of an expression; raises ExpressionError saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    return _check(_parse(text.strip(), text), text)


def parse_template(text: str) -> ast.expr:
    """A string template with `{expression}` placeholders, checked like an f-string."""
    if not isinstance(text, str):
        raise ExpressionError("a template must be text")
    return _check(_template_tree(text), text)


def parse_shared(text: str, template: bool = False) -> ast.expr:
    """The checked tree of an expression (or template), as `parse_expression` (`parse_template`)
    gives it, but one tree per text shared by every caller asking for it, so that a recompile
    after an edit parses only the texts that changed: read it, never change it (`emit` rewrites
    the tree it is given; hand it one of `parse_again`)."""
    if not isinstance(text, str):  # not kept (nor hashable): refused as the parsers refuse it
        return parse_template(text) if template else parse_expression(text)
    return _parse_shared(text, template)


@functools.lru_cache(maxsize=20_000)
def _parse_shared(text: str, template: bool) -> ast.expr:
    return parse_template(text) if template else parse_expression(text)


def _template_tree(text: str) -> ast.expr:
    tree = _parse("f" + repr(text), text)
    if not isinstance(tree, ast.JoinedStr | ast.Constant):
        raise ExpressionError(f"{text!r} is not a template")
    if isinstance(tree, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in tree.values):
        # no placeholder: a plain string, not an f-string without fields
        tree = ast.Constant(
            "".join(str(v.value) for v in tree.values if isinstance(v, ast.Constant))
        )
    return tree


def parse_again(text: str, template: bool) -> ast.expr:
    """A new tree of an expression (or template) that `parse_expression` (`parse_template`)
    and the typed check passed before, for the code that emits it: the caller makes sure of
    that (the render stage asks the check's record), so its nodes are not checked again."""
    return _template_tree(text) if template else _parse(text.strip(), text)


def _parse(source: str, original: str) -> ast.expr:
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {_MAX_LENGTH} characters")
    try:
        return ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise ExpressionError(f"{original!r} is not valid: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"{original[:60]!r}... is too deeply nested") from None


def _check(tree: ast.expr, text: str) -> ast.expr:
    for node, depth in _walk(tree, 0):
        if depth > _MAX_DEPTH:
            raise ExpressionError("the expression is too deeply nested")
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"{_describe(node)} is not allowed in {text!r}")
        check = _NODE_CHECKS.get(type(node))
        if check is not None:
            check(node, text)
    return tree


def _check_name(node: ast.Name, text: str) -> None:
    if node.id.startswith("_") or node.id == "self":
        raise ExpressionError(f"the name {node.id!r} is not allowed in {text!r}")


def _check_attribute(node: ast.Attribute, text: str) -> None:
    if node.attr.startswith("_"):
        raise ExpressionError(
            f"the attribute {node.attr!r} is not allowed in {text!r}; "
            "names starting with '_' are private"
        )


def _check_call(node: ast.Call, text: str) -> None:
    # what may be called, with which arguments, is decided on types (expression_types)
    if not isinstance(node.func, ast.Name | ast.Attribute):
        raise ExpressionError(f"only functions and methods may be called (in {text!r})")
    for kw in node.keywords:
        if kw.arg is None:
            raise ExpressionError("'**' arguments are not allowed")
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        raise ExpressionError("'*' arguments are not allowed")


def _check_comprehension(node: ast.comprehension, text: str) -> None:
    if node.is_async:
        raise ExpressionError("async comprehensions are not allowed")
    for target in ast.walk(node.target):
        if not isinstance(target, ast.Name | ast.Tuple | ast.Store):
            raise ExpressionError("a comprehension may only bind plain names")


def _check_constant(node: ast.Constant, text: str) -> None:
    if not isinstance(node.value, str | int | float | bool | type(None)):
        raise ExpressionError(f"the constant {node.value!r} is not allowed")


def _check_formatted_value(node: ast.FormattedValue, text: str) -> None:
    if node.format_spec is not None:
        for part in ast.walk(node.format_spec):
            if isinstance(part, ast.FormattedValue) and part is not node:
                raise ExpressionError("nested placeholders in a format spec are not allowed")


_NODE_CHECKS: dict[type[ast.AST], Callable[[Any, str], None]] = {
    ast.Name: _check_name,
    ast.Attribute: _check_attribute,
    ast.Call: _check_call,
    ast.comprehension: _check_comprehension,
    ast.Constant: _check_constant,
    ast.FormattedValue: _check_formatted_value,
}
"""What an allowed node of each of these types must satisfy besides."""


def _walk(node: ast.AST, depth: int) -> Iterator[tuple[ast.AST, int]]:
    stack = [(node, depth)]
    while stack:
        current, level = stack.pop()
        yield current, level
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(current))


def _describe(node: ast.AST) -> str:
    names = {
        ast.Lambda: "a lambda",
        ast.NamedExpr: "':=' assignment",
        ast.Await: "'await'",
        ast.Yield: "'yield'",
        ast.Starred: "'*' unpacking",
        ast.Pow: "the '**' operator",
    }
    return names.get(type(node), f"{type(node).__name__!r}")


def is_constructor(name: str) -> bool:
    """A call to a project type, e.g. `Outcome(count=1)`; the scope check knows the types."""
    return name[:1].isupper() and name.isascii() and name.isidentifier()


def constructor_calls(tree: ast.expr) -> list[tuple[str, list[str], int]]:
    """(type name, keyword names, positional count) of every project-type call."""
    return [
        (node.func.id, [kw.arg for kw in node.keywords if kw.arg], len(node.args))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and is_constructor(node.func.id)
    ]


def free_names(tree: ast.expr) -> set[str]:
    """Names the expression reads from its scope (not those its comprehensions bind)."""
    found: set[str] = set()
    _collect(tree, frozenset(), found)
    return found - FUNCTIONS


def _collect(node: ast.AST, bound: frozenset[str], found: set[str]) -> None:
    if isinstance(node, ast.Name):
        if node.id not in bound:
            found.add(node.id)
        return
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        inner = bound
        for generator in node.generators:
            _collect(generator.iter, inner, found)
            inner = inner | {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
            for condition in generator.ifs:
                _collect(condition, inner, found)
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for element in elements:
            _collect(element, inner, found)
        return
    for child in ast.iter_child_nodes(node):
        _collect(child, bound, found)


def root_attribute(tree: ast.expr) -> tuple[str, str] | None:
    """`('state', 'count')` for `state.count`: the shape an assignment target must have."""
    if (
        isinstance(tree, ast.Attribute)
        and isinstance(tree.value, ast.Name)
        and isinstance(tree.ctx, ast.Load)
    ):
        return tree.value.id, tree.attr
    return None


@functools.lru_cache(maxsize=4096)
def _code_tree(code: str) -> ast.expr:
    """The tree of a piece of generated code a name stands for (`self._state`): one tree per
    piece, shared by every emitted expression, which is only written out, never changed."""
    return ast.parse(code, mode="eval").body


WORKFLOW_CALLS = {
    "random": "workflow.random().random()",
    "uuid4": "str(workflow.uuid4())",
}
"""Functions whose values the workflow draws deterministically (the same again on replay)."""


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        self.bound: list[set[str]] = []

    def visit_Call(self, node: ast.Call) -> ast.expr:
        function = node.func
        if isinstance(function, ast.Name) and function.id in WORKFLOW_CALLS and not node.args:
            return _code_tree(WORKFLOW_CALLS[function.id])
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if any(node.id in scope for scope in self.bound) or node.id not in self.mapping:
            return node
        code = self.mapping[node.id]
        if code == node.id:
            return node
        return _code_tree(code)

    def _comprehension(self, node: ast.expr) -> ast.expr:
        generators: list[ast.comprehension] = getattr(node, "generators", [])
        pushed = 0
        for generator in generators:
            generator.iter = self.visit(generator.iter)
            self.bound.append({n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)})
            pushed += 1
            generator.ifs = [self.visit(condition) for condition in generator.ifs]
        for field in ("elt", "key", "value"):
            if hasattr(node, field):
                setattr(node, field, self.visit(getattr(node, field)))
        del self.bound[len(self.bound) - pushed :]
        return node

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension


_IDENTIFIER = re.compile(r"[^\W\d]\w*")
"""Every identifier a text can hold, and more (words of a template's literal parts)."""

_emitted: LRUCache[tuple[str, bool, tuple[str | None, ...]], str] = LRUCache(20_000)
"""Code emitted lately, by text, template or not, and the code each identifier of the text was
mapped to: a recompile after an edit emits most expressions as before."""
_emitted_lock = threading.Lock()


def emit_checked(text: str, template: bool, mapping: Mapping[str, str]) -> str:
    """Source code for an expression (or template) that the typed check passed, free names
    replaced by their mapped code; the caller makes sure of the check (see `parse_again`).

    The code depends only on the text and on what its names map to: the names are read off the
    text (a superset of the free names, as Python reads them: NFKC-normalized), so a cached
    answer is reused only where every one of them maps to the same code.
    """
    names = tuple(
        mapping.get(name if name.isascii() else unicodedata.normalize("NFKC", name))
        for name in _IDENTIFIER.findall(text)
    )
    key = (text, template, names)
    with _emitted_lock:
        code = _emitted.get(key)
    if code is None:
        tree = parse_again(text, template)
        if template and isinstance(tree, ast.Constant):
            code = repr(tree.value)
        else:
            code = emit(tree, dict(mapping))
        with _emitted_lock:
            _emitted[key] = code
    return code


def emit(tree: ast.expr, mapping: dict[str, str]) -> str:
    """Source code for a checked tree, free names replaced by their mapped code.

    The tree is rewritten in place: pass one parsed for this purpose.
    """
    return ast.unparse(_Rename(mapping).visit(tree))
