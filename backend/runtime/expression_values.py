"""Working out what a document expression was worth in a run, from the run's recorded data.

The views of a run sometimes need a value the generated code computed but never recorded on
its own: the list a `spawn_children` node spawned one child per item of, an item's key, child
id and dependencies, a limit read from state. The expressions are the compiler's checked subset
(`language.expressions`), so they can be evaluated here on JSON data (a dataclass is its dict)
with the names a `Names` object resolves. Anything it cannot resolve, or that would cost too
much, raises `Unknown`: the caller then says the value is not known rather than guess.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from language.expressions import ExpressionError, parse_expression, parse_template

MAX_STEPS = 200_000
"""Nodes visited (comprehension rounds included) in one evaluation, at most."""
MAX_SIZE = 100_000
"""Elements or characters a value built here may have, at most."""


class Unknown(Exception):
    """The value cannot be worked out from what the run recorded."""


class Names(Protocol):
    def name(self, name: str) -> Any:
        """The value of a free name (`input`, a step's result...); raises Unknown."""
        ...

    def state(self, path: tuple[str, ...]) -> Any:
        """The value of `state.<path>`; raises Unknown."""
        ...


class Bound:
    """Names with fixed values (item, key...) over other names."""

    def __init__(self, values: Mapping[str, Any], outer: Names | None = None) -> None:
        self.values = dict(values)
        self.outer = outer

    def name(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if self.outer is None:
            raise Unknown(name)
        return self.outer.name(name)

    def state(self, path: tuple[str, ...]) -> Any:
        if self.outer is None:
            raise Unknown("state")
        return self.outer.state(path)


_PARSED: dict[tuple[str, bool], ast.expr] = {}


def parsed(text: str, template: bool = False) -> ast.expr:
    """The checked tree of an expression (or template); Unknown when it does not parse."""
    key = (text, template)
    found = _PARSED.get(key)
    if found is None:
        try:
            found = parse_template(text) if template else parse_expression(text)
        except ExpressionError as error:
            raise Unknown(str(error)) from None
        if len(_PARSED) > 4096:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def evaluate(text: str, names: Names, *, template: bool = False) -> Any:
    """The value of expression `text` (a template when `template`); raises Unknown."""
    return _Evaluator(names).value(parsed(text, template))


def state_path(tree: ast.expr) -> tuple[str, ...] | None:
    """`state.a.b` -> ("a", "b"); None for anything else."""
    path: list[str] = []
    while isinstance(tree, ast.Attribute):
        path.insert(0, tree.attr)
        tree = tree.value
    if isinstance(tree, ast.Name) and tree.id == "state" and path:
        return tuple(path)
    return None


def item_paths(text: str) -> tuple[str, ...] | None:
    """`item.a.b` -> ("a", "b"), `item` -> (); None for any other expression."""
    try:
        tree = parsed(text)
    except Unknown:
        return None
    path: list[str] = []
    while isinstance(tree, ast.Attribute):
        path.insert(0, tree.attr)
        tree = tree.value
    if isinstance(tree, ast.Name) and tree.id == "item":
        return tuple(path)
    return None


def put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Sets `target[a][b]... = value`, making the dicts on the way."""
    for name in path[:-1]:
        inner = target.get(name)
        if not isinstance(inner, dict):
            inner = target[name] = {}
        target = inner
    target[path[-1]] = value


def navigate(value: Any, path: tuple[str, ...] | list[str]) -> Any:
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise Unknown(".".join(path))
        value = value[name]
    return value


def _method(target: Any, name: str) -> Callable[..., Any]:
    if isinstance(target, str) and name in _TEXT_METHODS:
        return getattr(target, name)  # type: ignore[no-any-return]
    if isinstance(target, list) and name in ("count", "index"):
        return getattr(target, name)  # type: ignore[no-any-return]
    if isinstance(target, dict) and name in ("get", "keys", "values", "items"):
        method = getattr(target, name)
        if name == "get":
            return method  # type: ignore[no-any-return]
        return lambda: list(method())
    raise Unknown(f".{name}()")


_TEXT_METHODS = frozenset(
    {
        "lower",
        "upper",
        "title",
        "strip",
        "lstrip",
        "rstrip",
        "startswith",
        "endswith",
        "removeprefix",
        "removesuffix",
        "replace",
        "split",
        "join",
        "isdigit",
        "count",
    }
)
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
    "sorted": sorted,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "round": round,
    "abs": abs,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | dict | tuple | set) else 0


class _Evaluator:
    def __init__(self, names: Names) -> None:
        self.names = names
        self.steps = 0
        self.local: list[dict[str, Any]] = []

    def _step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Unknown("too costly to work out")

    def value(self, node: ast.expr) -> Any:
        self._step()
        try:
            found = self._value(node)
        except Unknown:
            raise
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as error:
            raise Unknown(f"{type(error).__name__}: {error}") from None
        if _size(found) > MAX_SIZE:
            raise Unknown("too large")
        return found

    def _value(self, node: ast.expr) -> Any:
        evaluate = _EVALUATORS.get(type(node))
        if evaluate is None:
            raise Unknown(type(node).__name__)
        return evaluate(self, node)

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        for scope in reversed(self.local):
            if node.id in scope:
                return scope[node.id]
        if node.id == "state":
            raise Unknown("state as a whole")
        return self.names.name(node.id)

    def _attribute(self, node: ast.Attribute) -> Any:
        path = state_path(node)
        if path is not None and not any("state" in scope for scope in self.local):
            return self.names.state(path)
        target = self.value(node.value)
        if isinstance(target, dict) and node.attr in target:
            return target[node.attr]
        raise Unknown(f".{node.attr}")

    def _subscript(self, node: ast.Subscript) -> Any:
        target = self.value(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = [
                None if part is None else self.value(part)
                for part in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            return target[slice(*parts)]
        return target[self.value(node.slice)]

    def _list(self, node: ast.List | ast.Tuple) -> Any:
        return [self.value(element) for element in node.elts]

    def _set(self, node: ast.Set) -> Any:
        return {self.value(element) for element in node.elts}

    def _dict(self, node: ast.Dict) -> Any:
        if any(key is None for key in node.keys):
            raise Unknown("**")
        return {
            self.value(key): self.value(value)
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        }

    def _bool_op(self, node: ast.BoolOp) -> Any:
        last: Any = None
        for operand in node.values:
            last = self.value(operand)
            if isinstance(node.op, ast.And) and not last:
                return last
            if isinstance(node.op, ast.Or) and last:
                return last
        return last

    def _unary(self, node: ast.UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(node.op, ast.USub):
            return -operand
        return +operand

    def _compare(self, node: ast.Compare) -> Any:
        left = self.value(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.value(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _if_exp(self, node: ast.IfExp) -> Any:
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def _list_comp(self, node: ast.ListComp | ast.GeneratorExp) -> Any:
        return [self.value(node.elt) for _ in self._rounds(node.generators)]

    def _set_comp(self, node: ast.SetComp) -> Any:
        return {self.value(node.elt) for _ in self._rounds(node.generators)}

    def _dict_comp(self, node: ast.DictComp) -> Any:
        return {self.value(node.key): self.value(node.value) for _ in self._rounds(node.generators)}

    def _joined_str(self, node: ast.JoinedStr) -> Any:
        return "".join(self._piece(part) for part in node.values)

    def _piece(self, part: ast.expr) -> str:
        if isinstance(part, ast.Constant):
            return str(part.value)
        if isinstance(part, ast.FormattedValue) and part.format_spec is None:
            value = self.value(part.value)
            if part.conversion == ord("r"):
                return repr(value)
            return str(value)
        raise Unknown("a formatted placeholder")

    def _binary(self, node: ast.BinOp) -> Any:
        left = self.value(node.left)
        right = self.value(node.right)
        if isinstance(node.op, ast.Mult):
            count = right if isinstance(left, str | list) else left
            other = left if isinstance(left, str | list) else right
            if (
                isinstance(other, str | list)
                and isinstance(count, int)
                and count * len(other) > MAX_SIZE
            ):
                raise Unknown("too large")
        found = _BINARY[type(node.op)](left, right)
        if isinstance(found, float) and not math.isfinite(found):
            raise Unknown("not a finite number")
        return found

    def _rounds(self, generators: list[ast.comprehension]) -> Iterator[None]:
        def loop(index: int) -> Iterator[None]:
            if index == len(generators):
                yield None
                return
            generator = generators[index]
            iterable = self.value(generator.iter)
            if isinstance(iterable, dict):
                iterable = list(iterable)
            for element in iterable:
                self._step()
                scope = self.local[-1]
                self._bind(generator.target, element, scope)
                if all(self.value(condition) for condition in generator.ifs):
                    yield from loop(index + 1)

        self.local.append({})
        try:
            yield from loop(0)
        finally:
            self.local.pop()

    def _bind(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
            return
        if isinstance(target, ast.Tuple | ast.List):
            values = list(value)
            if len(values) != len(target.elts):
                raise Unknown("unpacking")
            for element, inner in zip(target.elts, values, strict=True):
                self._bind(element, inner, scope)
            return
        raise Unknown("a comprehension target")

    def _call(self, node: ast.Call) -> Any:
        args = [self.value(arg) for arg in node.args]
        kwargs = {kw.arg: self.value(kw.value) for kw in node.keywords if kw.arg is not None}
        if len(kwargs) != len(node.keywords):
            raise Unknown("**")
        function = node.func
        if isinstance(function, ast.Name):
            if function.id in _FUNCTIONS:
                return _FUNCTIONS[function.id](*args, **kwargs)
            if function.id[:1].isupper() and not args:
                return kwargs  # a project type: its fields, as the dataclass's JSON
            raise Unknown(f"{function.id}()")
        if isinstance(function, ast.Attribute):
            target = self.value(function.value)
            return _method(target, function.attr)(*args, **kwargs)
        raise Unknown("a call")


_EVALUATORS: dict[type[ast.AST], Callable[[_Evaluator, Any], Any]] = {
    ast.Constant: _Evaluator._constant,
    ast.Name: _Evaluator._name,
    ast.Attribute: _Evaluator._attribute,
    ast.Subscript: _Evaluator._subscript,
    ast.List: _Evaluator._list,
    ast.Tuple: _Evaluator._list,
    ast.Set: _Evaluator._set,
    ast.Dict: _Evaluator._dict,
    ast.BoolOp: _Evaluator._bool_op,
    ast.UnaryOp: _Evaluator._unary,
    ast.BinOp: _Evaluator._binary,
    ast.Compare: _Evaluator._compare,
    ast.IfExp: _Evaluator._if_exp,
    ast.ListComp: _Evaluator._list_comp,
    ast.GeneratorExp: _Evaluator._list_comp,
    ast.SetComp: _Evaluator._set_comp,
    ast.DictComp: _Evaluator._dict_comp,
    ast.Call: _Evaluator._call,
    ast.JoinedStr: _Evaluator._joined_str,
}
"""How the evaluator works out each kind of expression node (any other is Unknown)."""
