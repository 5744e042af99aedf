"""Typed expressions: every name, attribute and call resolved against an allow-list.

The syntax check in `expressions` keeps out statements and operators the subset does not have;
this module decides what an expression *means*. Every name must resolve to something the
checker knows (a name in scope with its type, a comprehension variable, an allowed function or
a project type to build), every attribute to a field of its value's static type or to an
allowed method called at once, every call to an allowed function, method or constructor with
arguments of the right types. Anything else is an `ExpressionError`.

The guarantee that follows: every value an expression produces is data (numbers, text,
datetimes, lists, dicts, tuples, sets and the project's dataclasses). Functions, methods,
generators and classes never become values, so no attribute of theirs can be reached, and on a
value of unknown type (`Any`, which at run time is data decoded from a payload) no attribute
may be read at all.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from language.diagnostics import Codes
from language.expressions import FUNCTIONS, ExpressionError
from language.typerefs import MAX_LITERAL_VALUES, annotation_tree, literal_values

# types


@dataclass(frozen=True)
class Type:
    """A static type: `kind` is a scalar name, `Any`, `list`, `dict`, `tuple`, `set`,
    `optional`, `record` (a dataclass, named by `name`) or `iterable` (a generator or a
    dictionary view: only iterated, never kept).

    Text and whole numbers may have `values`: the only ones they can hold. A declared
    `Literal['draft', 'done']` has them, and so has a constant written in an expression
    (`'draft'`, marked `written`), which is one of a Literal's values where it stands, the way
    mypy checks it: assigned at once to a Literal field. Anywhere else (a local bound to it, an
    item read out of a list of them) it is plain text or a number again (`settled`)."""

    kind: str
    args: tuple[Type, ...] = ()
    name: str = ""
    values: tuple[str | int, ...] = ()
    written: bool = False

    def __str__(self) -> str:
        if self.values and not self.written:
            return f"Literal[{', '.join(map(repr, self.values))}]"
        if self.kind == "record":
            return self.name
        if self.kind == "optional":
            return f"{self.args[0]} | None"
        if self.kind == "dict":
            return f"dict[str, {self.args[0]}]"
        if self.kind == "tuple":
            return f"tuple[{', '.join(map(str, self.args))}]"
        if self.kind in ("list", "set", "iterable"):
            return f"{self.kind}[{self.args[0]}]"
        return self.kind


ANY = Type("Any")
STR = Type("str")
INT = Type("int")
FLOAT = Type("float")
BOOL = Type("bool")
NONE = Type("None")
DATETIME = Type("datetime")
SCALARS = {t.kind: t for t in (ANY, STR, INT, FLOAT, BOOL, NONE, DATETIME)}
NUMBERS = frozenset({"int", "float", "bool"})


def list_of(element: Type) -> Type:
    return Type("list", (element,))


def dict_of(value: Type) -> Type:
    return Type("dict", (value,))


def iterable_of(element: Type) -> Type:
    return Type("iterable", (element,))


def optional(inner: Type) -> Type:
    if inner.kind in ("optional", "Any", "None"):
        return inner
    return Type("optional", (inner,))


def literal_of(values: tuple[str | int, ...], *, written: bool = False) -> Type:
    """Text or a whole number that holds one of `values` (all of one of those types)."""
    return Type("str" if isinstance(values[0], str) else "int", values=values, written=written)


def plain(value: Type) -> Type:
    """The type without its values: a Literal's values are text or numbers like any other."""
    return Type(value.kind) if value.values else value


def settled(value: Type) -> Type:
    """The type a variable bound to such a value has (a local, a loop's item, an element read
    out of a list): values written in the expression are plain text or numbers there, declared
    Literals stay (as mypy infers a variable's type)."""
    if value.values and value.written:
        return Type(value.kind)
    if value.args:
        return replace(value, args=tuple(settled(arg) for arg in value.args))
    return value


def declares_choices(value: Type) -> bool:
    """Whether a declared Literal stands anywhere in the type (`list[Literal[...]] | None`)."""
    if value.values and not value.written:
        return True
    return any(declares_choices(arg) for arg in value.args)


def parse_annotation(text: str, records: Mapping[str, Mapping[str, str]]) -> Type:
    """The type of a Python annotation the compiler wrote (`list[Item] | None`, ...)."""
    try:
        tree = annotation_tree(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ANY
    return _from_annotation(tree, records)


def _from_annotation(node: ast.expr, records: Mapping[str, Mapping[str, str]]) -> Type:
    if isinstance(node, ast.Constant) and node.value is None:
        return NONE
    if isinstance(node, ast.Name):
        if node.id in SCALARS:
            return SCALARS[node.id]
        return Type("record", name=node.id) if node.id in records else ANY
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "Literal":
            values = literal_values(node)
            return literal_of(values) if values else ANY
        if node.value.id == "list":
            return list_of(_from_annotation(node.slice, records))
        if node.value.id == "dict" and isinstance(node.slice, ast.Tuple):
            return dict_of(_from_annotation(node.slice.elts[-1], records))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return optional(_from_annotation(node.left, records))
    return ANY


def join(left: Type, right: Type) -> Type:
    """The type of a value that is one or the other (`a if c else b`, list elements)."""
    if left == right:
        return left
    if left.kind == "Any" or right.kind == "Any":
        return ANY
    if left.kind == "None":
        return optional(right)
    if right.kind == "None":
        return optional(left)
    if left.kind == "optional" or right.kind == "optional":
        inner = join(_unwrap(left), _unwrap(right))
        return optional(inner) if inner.kind != "Any" else ANY
    if left.values and right.values and left.kind == right.kind:
        values = left.values + tuple(v for v in right.values if v not in left.values)
        if len(values) <= MAX_LITERAL_VALUES:
            # a variable bound to the join is a Literal only where no side was written
            return literal_of(values, written=left.written or right.written)
    if left.values or right.values:
        return join(plain(left), plain(right))
    if left.kind in NUMBERS and right.kind in NUMBERS:
        return FLOAT if "float" in (left.kind, right.kind) else INT
    if left.kind == right.kind and left.kind in ("list", "set", "dict", "iterable"):
        return Type(left.kind, (join(left.args[0], right.args[0]),))
    return ANY


def _unwrap(value: Type) -> Type:
    return value.args[0] if value.kind == "optional" else value


def assignable(source: Type, target: Type) -> bool:
    """Whether a value of type `source` may stand where `target` is declared."""
    if source == target or "Any" in (source.kind, target.kind):
        return True
    if target.values:
        # a Literal takes only its own values: a constant among them, or another Literal's
        return (
            source.kind == target.kind
            and bool(source.values)
            and set(source.values) <= set(target.values)
        )
    if source.values:
        return assignable(plain(source), target)
    if target.kind == "optional":
        return source.kind == "None" or assignable(_unwrap(source), target.args[0])
    if target.kind == "float":
        return source.kind in NUMBERS
    if target.kind == "int":
        return source.kind in ("int", "bool")
    if source.kind == target.kind and source.kind in ("list", "set", "dict"):
        inner, wanted = source.args[0], target.args[0]
        if declares_choices(inner):
            # a list of declared choices holds exactly those: lists are invariant
            return inner == wanted or wanted.kind == "Any"
        return assignable(inner, wanted)
    return False


def choice_refusal(source: Type, target: Type, tree: ast.expr, what: str) -> str | None:
    """Why a value may not stand where a Literal is declared (`what`, like `state.phase`), or
    None when it may (or no Literal is declared there): mypy would refuse the generated code."""
    if not declares_choices(target) or assignable(source, target):
        return None
    shown = ast.unparse(tree) if isinstance(tree, ast.Constant) else repr(ast.unparse(tree))
    choices = target.args[0] if target.kind == "optional" else target
    if not choices.values:
        return f"{what} is {target}, but {shown} is {source}"
    listed = ", ".join(map(repr, choices.values))
    if source.kind == "optional" and target.kind != "optional":
        return f"{what} takes one of {listed}; {shown} may be None"
    inner = _unwrap(source)
    outside = [value for value in inner.values if value not in choices.values]
    if isinstance(tree, ast.Constant) or (inner.written and len(inner.values) == len(outside)):
        return f"{what} takes one of {listed}; {shown} is not one of them"
    if outside:
        return (
            f"{what} takes one of {listed}; {shown} may be "
            f"{', '.join(map(repr, outside))}, which is not one of them"
        )
    anything = "any text" if inner.kind == "str" else "any value"
    return (
        f"{what} takes one of {listed}; {shown} is {describe(source)}, which may be "
        f"{anything}: write one of the values, or choose between them with a condition "
        f"({choices.values[0]!r} if ... else ...)"
    )


def element_type(value: Type) -> Type | None:
    """What iterating a value gives, or None when it cannot be iterated."""
    if value.kind in ("list", "set", "iterable"):
        return value.args[0]
    if value.kind == "tuple":
        result = value.args[0] if value.args else ANY
        for item in value.args[1:]:
            result = join(result, item)
        return result
    if value.kind in ("dict", "str"):
        return STR
    if value.kind == "Any":
        return ANY
    return None


# the environment


@dataclass
class Environment:
    """What an expression at one place may read."""

    names: dict[str, Type]
    """Names in scope and their types."""
    records: Mapping[str, Mapping[str, str]]
    """Dataclass name -> field -> annotation, for every class the expressions can reach."""
    constructors: frozenset[str] = frozenset()
    """Project types an expression may build: `Outcome(count=1)`."""
    taken: frozenset[str] = frozenset()
    """Identifiers a comprehension variable must not take: the generated code uses them."""
    explain_unknown: Callable[[str], str] | None = None
    """The message for a name that is not in scope (it may say where the name is bound)."""
    field_types: dict[str, dict[str, Type]] = field(default_factory=dict)

    def record_fields(self, name: str) -> dict[str, Type]:
        fields = self.field_types.get(name)
        if fields is None:
            fields = {
                key: parse_annotation(annotation, self.records)
                for key, annotation in self.records.get(name, {}).items()
            }
            self.field_types[name] = fields
        return fields


# what may be called and read


def _dict_get(own: Type, args: list[Type]) -> Type:
    return join(own.args[0], args[1]) if len(args) > 1 else optional(own.args[0])


METHODS: dict[str, dict[str, tuple[int, int, Callable[[Type, list[Type]], Type]]]] = {
    "str": {
        "lower": (0, 0, lambda own, args: STR),
        "upper": (0, 0, lambda own, args: STR),
        "title": (0, 0, lambda own, args: STR),
        "strip": (0, 1, lambda own, args: STR),
        "lstrip": (0, 1, lambda own, args: STR),
        "rstrip": (0, 1, lambda own, args: STR),
        "startswith": (1, 1, lambda own, args: BOOL),
        "endswith": (1, 1, lambda own, args: BOOL),
        "removeprefix": (1, 1, lambda own, args: STR),
        "removesuffix": (1, 1, lambda own, args: STR),
        "replace": (2, 2, lambda own, args: STR),
        "split": (0, 2, lambda own, args: list_of(STR)),
        "join": (1, 1, lambda own, args: STR),
        "isdigit": (0, 0, lambda own, args: BOOL),
        "count": (1, 1, lambda own, args: INT),
    },
    "list": {
        "count": (1, 1, lambda own, args: INT),
        "index": (1, 1, lambda own, args: INT),
    },
    "dict": {
        "get": (1, 2, _dict_get),
        "keys": (0, 0, lambda own, args: iterable_of(STR)),
        "values": (0, 0, lambda own, args: iterable_of(own.args[0])),
        "items": (0, 0, lambda own, args: iterable_of(Type("tuple", (STR, own.args[0])))),
    },
    "datetime": {
        "isoformat": (0, 0, lambda own, args: STR),
    },
}  # fmt: skip
"""Type -> method -> (fewest arguments, most arguments, result type). Only pure methods."""

METHOD_ARGUMENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("str", "strip"): ("str",),
    ("str", "lstrip"): ("str",),
    ("str", "rstrip"): ("str",),
    ("str", "startswith"): ("str",),
    ("str", "endswith"): ("str",),
    ("str", "removeprefix"): ("str",),
    ("str", "removesuffix"): ("str",),
    ("str", "replace"): ("str", "str"),
    ("str", "split"): ("str", "int"),
    ("str", "join"): ("iterable[str]",),
    ("str", "count"): ("str",),
}
"""The argument types of methods that are not checked by their result alone."""

CONSTANT_TEXT = {
    ("str", "replace"): "replace() takes text written in the expression, like "
    "x.replace('-', '_'): text from elsewhere could grow the result without bound",
    ("str", "join"): "join() is called on text written in the expression, like "
    "', '.join(items): text from elsewhere could grow the result without bound",
}
"""Methods whose text arguments (or the separator, for join) must be literals."""

MAX_REPEAT = 100
"""The largest count `[x] * n` may write in the expression itself (on a literal only)."""

MAX_NESTING = 2
"""`for` clauses one inside another: each multiplies the work of those inside it."""

ATTRIBUTES = {
    "datetime": {
        name: INT for name in ("year", "month", "day", "hour", "minute", "second", "microsecond")
    },
}
"""Plain attributes of scalar types an expression may read."""

KEYWORDS = {"sorted": {"reverse"}, "min": {"default"}, "max": {"default"}, "sum": {"start"}}

_PRINTF = re.compile(r"%(?:%|(?:\([a-z_][a-z0-9_]*\))?[-+ #0]?\d{0,3}(?:\.\d{1,3})?[sdifrxXeEgGo])")
_FORMAT_SPEC = re.compile(r"[A-Za-z0-9%<>^=+\- #,_.:/]{0,40}")


_UNORDERED = (
    "{!r} is a set, whose order changes from one process to the next (a replay would see "
    "other values); test membership with 'in', pass it to len, any, all, min, max or sum, "
    "or make a list with sorted(...)"
)


def describe(value: Type) -> str:
    if value.kind == "Any":
        return "a value of unknown type (Any)"
    text = str(value)
    return f"{'an' if text[0] in 'aeiouAEIOU' else 'a'} {text}"


# the checker


def check_types(tree: ast.expr, environment: Environment, text: str | None = None) -> Type:
    """The type of a checked tree; raises ExpressionError naming the first problem, in the
    words of `text` (by default the tree written out again, only when there is a problem)."""
    return _Checker(environment, text, tree).value(tree, {})


class _Checker:
    def __init__(self, environment: Environment, text: str | None, tree: ast.expr) -> None:
        self.env = environment
        self.text = text
        self.tree = tree
        self.nesting = 0
        """How many `for` clauses run around the part being checked."""

    def fail(self, message: str, code: str = Codes.BAD_EXPRESSION) -> ExpressionError:
        text = ast.unparse(self.tree) if self.text is None else self.text
        return ExpressionError(f"{message} (in {text!r})", code=code)

    # values

    def value(self, node: ast.expr, bound: dict[str, Type]) -> Type:
        """A value that may be kept: anything but a generator or a dictionary view."""
        result = self.infer(node, bound)
        if result.kind == "iterable":
            raise self.fail(
                f"{ast.unparse(node)!r} can only be iterated: pass it straight to a function "
                "such as sum, any, all, min, max or sorted, or iterate it in a comprehension"
            )
        if result.kind == "set":
            raise self.fail(_UNORDERED.format(ast.unparse(node)))
        return result

    def iterable(self, node: ast.expr, bound: dict[str, Type], ordered: bool = True) -> Type:
        """The element type of something iterated; `ordered` when the order of the items
        shows in the result (a set's order changes from one process to the next, so a
        replay or the starter would see other values)."""
        result = self.infer(node, bound)
        element = element_type(settled(result))
        if element is None:
            raise self.fail(f"{ast.unparse(node)!r} is {describe(result)}, which is not a list")
        if ordered and result.kind == "set":
            raise self.fail(_UNORDERED.format(ast.unparse(node)))
        return element

    def infer(self, node: ast.expr, bound: dict[str, Type]) -> Type:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(f"{type(node).__name__!r} is not allowed")
        result: Type = method(node, bound)
        return result

    def _Constant(self, node: ast.Constant, bound: dict[str, Type]) -> Type:
        value = node.value
        if isinstance(value, bool):
            return BOOL
        if value is None:
            return NONE
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"the number {ast.unparse(node)} is too large to be a float")
        if isinstance(value, str | int):
            return literal_of((value,), written=True)
        if isinstance(value, float):
            return FLOAT
        raise self.fail(f"the constant {value!r} is not allowed")

    def _Name(self, node: ast.Name, bound: dict[str, Type]) -> Type:
        name = node.id
        if name in bound:
            return bound[name]
        if name in self.env.names:
            return self.env.names[name]
        if name in FUNCTIONS:
            raise self.fail(f"the function {name!r} can only be called, like {name}(...)")
        if name in self.env.constructors:
            raise self.fail(f"the type {name!r} can only be built, like {name}(field=...)")
        if self.env.explain_unknown is not None:
            raise ExpressionError(self.env.explain_unknown(name), code=Codes.UNKNOWN_NAME)
        known = ", ".join(sorted(self.env.names)) or "none"
        functions = ", ".join(sorted(FUNCTIONS))
        raise self.fail(
            f"unknown name {name!r}; names available here: {known}; functions: {functions}",
            Codes.UNKNOWN_NAME,
        )

    def _Attribute(self, node: ast.Attribute, bound: dict[str, Type]) -> Type:
        owner = _unwrap(self.value(node.value, bound))
        attribute = node.attr
        if owner.kind == "record":
            fields = self.env.record_fields(owner.name)
            if attribute in fields:
                return fields[attribute]
            raise self.fail(
                f"{owner.name} has no field {attribute!r}; its fields are "
                f"{', '.join(map(repr, fields)) or 'none'}"
            )
        if attribute in ATTRIBUTES.get(owner.kind, {}):
            return ATTRIBUTES[owner.kind][attribute]
        if attribute in METHODS.get(owner.kind, {}):
            raise self.fail(f"the method {attribute!r} can only be called, like .{attribute}(...)")
        if owner.kind == "Any":
            raise self.fail(
                f"{ast.unparse(node.value)!r} has no declared type, so its attribute "
                f"{attribute!r} cannot be checked; give the value a type (a project type, "
                "or the activity's or workflow's output type), or read a dict with ['key']"
            )
        raise self.fail(f"{describe(owner)} has no attribute {attribute!r}")

    def _Subscript(self, node: ast.Subscript, bound: dict[str, Type]) -> Type:
        owner = settled(self.value(node.value, bound))
        if isinstance(node.slice, ast.Slice):
            for part in (node.slice.lower, node.slice.upper, node.slice.step):
                if part is not None:
                    self.expect(part, bound, (INT, NONE), "a slice bound")
            if owner.kind == "tuple":
                return list_of(element_type(owner) or ANY)
            if owner.kind in ("list", "str", "Any"):
                return plain(owner)
            raise self.fail(f"{describe(owner)} cannot be sliced")
        if owner.kind == "dict":
            self.expect(node.slice, bound, (STR,), "a dictionary key")
            return owner.args[0]
        if owner.kind in ("list", "str"):
            self.expect(node.slice, bound, (INT,), "a position")
            return STR if owner.kind == "str" else owner.args[0]
        if owner.kind == "tuple":
            index = node.slice
            if isinstance(index, ast.Constant) and type(index.value) is int:
                if -len(owner.args) <= index.value < len(owner.args):
                    return owner.args[index.value]
                raise self.fail(f"position {index.value} is outside {owner}")
            self.expect(index, bound, (INT,), "a position")
            return element_type(owner) or ANY
        if owner.kind == "Any":
            self.value(node.slice, bound)
            return ANY
        raise self.fail(f"{describe(owner)} cannot be indexed with [...]")

    def expect(
        self, node: ast.expr, bound: dict[str, Type], allowed: tuple[Type, ...], what: str
    ) -> Type:
        found = self.value(node, bound)
        if not any(assignable(found, want) for want in allowed):
            wanted = " or ".join(map(str, allowed))
            raise self.fail(f"{what} must be {wanted}, but {ast.unparse(node)!r} is {found}")
        return found

    def _Compare(self, node: ast.Compare, bound: dict[str, Type]) -> Type:
        left = self.value(node.left, bound)
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(operator, ast.In | ast.NotIn):
                container = self.infer(comparator, bound)
                if element_type(container) is None or container.kind == "iterable":
                    raise self.fail(
                        f"'in' needs a list, set, tuple, dict or text on its right, but "
                        f"{ast.unparse(comparator)!r} is {container}"
                    )
                continue
            right = self.value(comparator, bound)
            if isinstance(operator, ast.Lt | ast.LtE | ast.Gt | ast.GtE):
                self.orderable(join(left, right), ast.unparse(node))
            left = right
        return BOOL

    def orderable(self, value: Type, where: str) -> None:
        """Values compared with < or sorted: numbers, text, datetimes (or lists of them)."""
        inner = value.args[0] if value.kind == "list" else value
        if inner.kind not in NUMBERS | {"str", "datetime", "Any"}:
            raise self.fail(
                f"{describe(value)} cannot be put in order (in {where!r}); compare numbers, "
                "text or datetimes, e.g. a field of it"
            )

    def _BoolOp(self, node: ast.BoolOp, bound: dict[str, Type]) -> Type:
        either = isinstance(node.op, ast.Or)
        result: Type | None = None
        for index, operand in enumerate(node.values):
            found = self.value(operand, bound)
            if either and index < len(node.values) - 1:
                found = _unwrap(found)  # `x or y` goes on to y when x is None
            result = found if result is None else join(result, found)
        assert result is not None
        return result

    def _UnaryOp(self, node: ast.UnaryOp, bound: dict[str, Type]) -> Type:
        if isinstance(node.op, ast.Not):
            self.value(node.operand, bound)
            return BOOL
        operand = self.expect(node.operand, bound, (FLOAT,), "a signed value")
        written = node.operand.value if isinstance(node.operand, ast.Constant) else None
        if isinstance(node.op, ast.USub) and type(written) is int:
            return literal_of((-written,), written=True)  # Literal[-1] takes -1
        return INT if operand.kind == "bool" else plain(operand)

    def _BinOp(self, node: ast.BinOp, bound: dict[str, Type]) -> Type:
        left = self.value(node.left, bound)
        right = self.value(node.right, bound)
        symbol = {
            ast.Add: "+",
            ast.Sub: "-",
            ast.Mult: "*",
            ast.Div: "/",
            ast.FloorDiv: "//",
            ast.Mod: "%",
        }.get(type(node.op))
        if symbol is None:
            raise self.fail(f"the operator {type(node.op).__name__!r} is not allowed")
        kinds = {left.kind, right.kind}
        if kinds <= NUMBERS | {"Any"}:
            if "Any" in kinds:
                return ANY
            if symbol == "/" or "float" in kinds:
                return FLOAT
            return INT
        if symbol == "+" and left.kind == right.kind and left.kind in ("str", "list", "tuple"):
            if left.kind == "tuple":
                return Type("tuple", left.args + right.args)
            if left.kind == "str":
                return STR
            # the right side is checked against the left's items, the left on its own
            return join(settled(left), right)
        if symbol == "+" and "Any" in kinds and kinds & {"str", "list"}:
            return plain(left if right.kind == "Any" else right)
        if symbol == "*" and left.kind in ("str", "list") and right.kind in ("int", "Any"):
            self.repetitions(node.left, node.right, bound)
            return plain(left)
        if symbol == "%" and left.kind == "str" and isinstance(node.left, ast.Constant):
            self.printf(str(node.left.value))
            return STR
        raise self.fail(
            f"{symbol!r} does not apply to {describe(left)} and {describe(right)} "
            f"(in {ast.unparse(node)!r})"
        )

    def repetitions(self, operand: ast.expr, count: ast.expr, bound: dict[str, Type]) -> None:
        """`[x] * n` and `'-' * n`: a count written in the expression repeats only a literal,
        a few times; any other count is read from the run's data (input, state, a payload or
        a result), so the work is the data's own size, like a loop over it."""
        if isinstance(count, ast.Constant):
            small = isinstance(count.value, int) and count.value <= MAX_REPEAT
            if small and isinstance(operand, ast.Constant | ast.List):
                return
            raise self.fail(
                f"a count written in the expression may repeat a literal at most {MAX_REPEAT} times"
            )
        root = count
        while isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        if not isinstance(root, ast.Name) or root.id in bound:
            raise self.fail(
                "repeat by a count read from the run's data (input, state, a payload or a "
                "step's result), or by a small number"
            )

    def printf(self, pattern: str) -> None:
        rest = _PRINTF.sub("", pattern)
        if "%" in rest:
            raise self.fail(
                "a '%' format may only hold simple directives such as %s, %d or %.2f "
                "with a width under 1000"
            )

    def _IfExp(self, node: ast.IfExp, bound: dict[str, Type]) -> Type:
        self.value(node.test, bound)
        return join(self.value(node.body, bound), self.value(node.orelse, bound))

    def _elements(self, items: list[ast.expr], bound: dict[str, Type]) -> Type:
        result: Type | None = None
        for item in items:
            found = self.value(item, bound)
            result = found if result is None else join(result, found)
        return result or ANY

    def _List(self, node: ast.List, bound: dict[str, Type]) -> Type:
        return list_of(self._elements(node.elts, bound))

    def _Set(self, node: ast.Set, bound: dict[str, Type]) -> Type:
        return Type("set", (self._elements(node.elts, bound),))

    def _Tuple(self, node: ast.Tuple, bound: dict[str, Type]) -> Type:
        return Type("tuple", tuple(self.value(item, bound) for item in node.elts))

    def _Dict(self, node: ast.Dict, bound: dict[str, Type]) -> Type:
        for key in node.keys:
            if key is None:
                raise self.fail("'**' unpacking is not allowed")
            self.expect(key, bound, (STR,), "a dictionary key")
        return dict_of(self._elements(node.values, bound))

    def _JoinedStr(self, node: ast.JoinedStr, bound: dict[str, Type]) -> Type:
        for part in node.values:
            self.value(part, bound)
        return STR

    def _FormattedValue(self, node: ast.FormattedValue, bound: dict[str, Type]) -> Type:
        shown = self.value(node.value, bound)
        spec = node.format_spec
        if spec is not None and node.conversion == -1 and shown.kind not in SCALARS:
            raise self.fail(
                f"{describe(shown)} has no format of its own; format a field of it, or "
                "write {value!s:...} to format its text"
            )
        if spec is not None:
            if not isinstance(spec, ast.JoinedStr) or not all(
                isinstance(part, ast.Constant) for part in spec.values
            ):
                raise self.fail("a format spec must be plain text, without '{...}' inside")
            text = "".join(
                str(part.value) for part in spec.values if isinstance(part, ast.Constant)
            )
            if not _FORMAT_SPEC.fullmatch(text) or any(
                len(run) > 3 for run in re.findall(r"\d+", text)
            ):
                raise self.fail(f"the format spec {text!r} is not allowed")
        return STR

    # comprehensions

    def _comprehension(
        self, generators: list[ast.comprehension], bound: dict[str, Type]
    ) -> dict[str, Type]:
        outer = self.nesting
        if outer + len(generators) > MAX_NESTING:
            raise self.fail(
                f"'for' clauses may run at most {MAX_NESTING} deep, one inside another (each "
                "one multiplies the work of those inside it); compute part of it in an "
                "earlier step"
            )
        inner = dict(bound)
        for depth, generator in enumerate(generators):
            if generator.is_async:
                raise self.fail("async comprehensions are not allowed")
            self.nesting = outer + depth
            element = self.iterable(generator.iter, inner)
            self.bind_target(generator.target, element, inner)
            self.nesting = outer + depth + 1
            for condition in generator.ifs:
                self.value(condition, inner)
        return inner

    def bind_target(self, target: ast.expr, element: Type, inner: dict[str, Type]) -> None:
        if isinstance(target, ast.Name):
            name = target.id
            if (
                name.startswith("_")
                or name in self.env.names
                or name in FUNCTIONS
                or name in self.env.constructors
                or name in self.env.taken
            ):
                raise self.fail(
                    f"the comprehension variable {name!r} would hide a name that already "
                    "means something here; choose another name"
                )
            inner[name] = element
            return
        if isinstance(target, ast.Tuple):
            if element.kind == "tuple" and len(element.args) == len(target.elts):
                parts: list[Type] = list(element.args)
            elif element.kind == "Any":
                parts = [ANY] * len(target.elts)
            else:
                raise self.fail(
                    f"{ast.unparse(target)!r} cannot be unpacked from {describe(element)}"
                )
            for item, part in zip(target.elts, parts, strict=True):
                self.bind_target(item, part, inner)
            return
        raise self.fail("a comprehension may only bind plain names")

    def _ListComp(self, node: ast.ListComp, bound: dict[str, Type]) -> Type:
        outer = self.nesting
        element = self.value(node.elt, self._comprehension(node.generators, bound))
        self.nesting = outer
        return list_of(element)

    def _SetComp(self, node: ast.SetComp, bound: dict[str, Type]) -> Type:
        outer = self.nesting
        element = self.value(node.elt, self._comprehension(node.generators, bound))
        self.nesting = outer
        return Type("set", (element,))

    def _GeneratorExp(self, node: ast.GeneratorExp, bound: dict[str, Type]) -> Type:
        outer = self.nesting
        element = self.value(node.elt, self._comprehension(node.generators, bound))
        self.nesting = outer
        return iterable_of(element)

    def _DictComp(self, node: ast.DictComp, bound: dict[str, Type]) -> Type:
        outer = self.nesting
        inner = self._comprehension(node.generators, bound)
        self.expect(node.key, inner, (STR,), "a dictionary key")
        value = self.value(node.value, inner)
        self.nesting = outer
        return dict_of(value)

    # calls

    def _Call(self, node: ast.Call, bound: dict[str, Type]) -> Type:
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail("'*' arguments are not allowed")
        if any(keyword.arg is None for keyword in node.keywords):
            raise self.fail("'**' arguments are not allowed")
        function = node.func
        if isinstance(function, ast.Name) and function.id not in bound:
            if function.id in FUNCTIONS:
                return self.builtin(function.id, node, bound)
            if function.id in self.env.constructors and function.id not in self.env.names:
                return self.construct(function.id, node, bound)
        if isinstance(function, ast.Attribute):
            return self.method(function, node, bound)
        if isinstance(function, ast.Name):
            self.infer(function, bound)  # an unknown name is reported as one
        allowed = ", ".join(sorted(FUNCTIONS))
        raise self.fail(
            f"only these functions may be called: {allowed}, the methods of text, lists, "
            f"dicts and datetimes listed in the README, and project types to build a value"
        )

    def method(self, function: ast.Attribute, node: ast.Call, bound: dict[str, Type]) -> Type:
        owner = settled(_unwrap(self.value(function.value, bound)))
        name = function.attr
        signature = METHODS.get(owner.kind, {}).get(name)
        if signature is None:
            if owner.kind == "Any":
                raise self.fail(
                    f"{ast.unparse(function.value)!r} has no declared type, so no method of "
                    f"it can be called; give the value a type"
                )
            methods = ", ".join(sorted(METHODS.get(owner.kind, {}))) or "none"
            raise self.fail(f"{describe(owner)} has no method {name!r} here (allowed: {methods})")
        fewest, most, result = signature
        if node.keywords:
            raise self.fail(f".{name}(...) takes no keyword arguments")
        if not fewest <= len(node.args) <= most:
            raise self.fail(f".{name}(...) takes {fewest} to {most} arguments")
        if (owner.kind, name) in CONSTANT_TEXT and not all(
            isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            for argument in ([function.value] if name == "join" else node.args)
        ):
            raise self.fail(CONSTANT_TEXT[owner.kind, name])
        wanted = METHOD_ARGUMENTS.get((owner.kind, name), ())
        arguments: list[Type] = []
        for index, argument in enumerate(node.args):
            if index < len(wanted) and wanted[index] == "iterable[str]":
                element = self.iterable(argument, bound)
                if not assignable(element, STR):
                    raise self.fail(f".{name}(...) joins text, but its items are {element}")
                arguments.append(iterable_of(element))
            elif index < len(wanted):
                arguments.append(
                    self.expect(argument, bound, (SCALARS[wanted[index]],), "an argument")
                )
            else:
                arguments.append(self.value(argument, bound))
        return result(owner, arguments)

    def construct(self, type_name: str, node: ast.Call, bound: dict[str, Type]) -> Type:
        fields = self.env.record_fields(type_name)
        problems = []
        if node.args:
            problems.append("pass its fields by name, like Type(field=value)")
        given = [keyword.arg for keyword in node.keywords if keyword.arg]
        problems += [f"it has no field {k!r}" for k in given if k not in fields]
        problems += [f"{f!r} is missing" for f in fields if f not in given]
        if problems:
            raise self.fail(
                f"{type_name}(...) does not build a {type_name}: {'; '.join(problems)}; "
                f"its fields are {', '.join(map(repr, fields)) or 'none'}",
                Codes.BAD_ARGUMENT,
            )
        for keyword in node.keywords:
            assert keyword.arg is not None
            found = self.value(keyword.value, bound)
            refusal = choice_refusal(
                found, fields[keyword.arg], keyword.value, f"{type_name}.{keyword.arg}"
            )
            if refusal is not None:
                raise self.fail(refusal, Codes.BAD_ARGUMENT)
            if not assignable(found, fields[keyword.arg]):
                raise self.fail(
                    f"{type_name}.{keyword.arg} is {fields[keyword.arg]}, but "
                    f"{ast.unparse(keyword.value)!r} is {found}",
                    Codes.BAD_ARGUMENT,
                )
        return Type("record", name=type_name)

    def builtin(self, name: str, node: ast.Call, bound: dict[str, Type]) -> Type:  # noqa: C901
        # one case per builtin function and the arguments it takes: a table, read top to bottom
        keywords = {}
        for keyword in node.keywords:
            assert keyword.arg is not None
            if keyword.arg not in KEYWORDS.get(name, ()):
                raise self.fail(f"{name}() takes no keyword argument {keyword.arg!r} here")
            keywords[keyword.arg] = self.value(keyword.value, bound)
        args = node.args
        if name in ("str", "bool") and len(args) <= 1:
            for argument in args:
                self.value(argument, bound)
            return STR if name == "str" else BOOL
        if name in ("int", "float") and len(args) <= 1:
            for argument in args:
                self.expect(argument, bound, (FLOAT, STR), f"the argument of {name}()")
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    self.finite_text(name, argument.value)
            return INT if name == "int" else FLOAT
        if name == "abs" and len(args) == 1:
            found = self.expect(args[0], bound, (FLOAT,), "the argument of abs()")
            return INT if found.kind == "bool" else plain(found)
        if name == "round" and len(args) in (1, 2):
            found = self.expect(args[0], bound, (FLOAT,), "the argument of round()")
            if len(args) == 2:
                self.expect(args[1], bound, (INT,), "the digits of round()")
                return FLOAT if found.kind == "float" else plain(found)
            return ANY if found.kind == "Any" else INT
        if name == "len" and len(args) == 1:
            found = self.infer(args[0], bound)
            if element_type(found) is None or found.kind == "iterable":
                raise self.fail(f"len() needs a list, dict, set, tuple or text, not {found}")
            return INT
        if name in ("random", "uuid4") and not args:
            if "workflow_id" not in self.env.names:
                raise self.fail(
                    f"{name}() draws from the run's deterministic randomness, which queries "
                    "and schedules have none of; use it in the workflow's steps"
                )
            return FLOAT if name == "random" else STR
        if name == "range" and 1 <= len(args) <= 3:
            for argument in args:
                self.expect(argument, bound, (INT,), "an argument of range()")
            return iterable_of(INT)
        if name in ("any", "all") and len(args) == 1:
            self.iterable(args[0], bound, ordered=False)
            return BOOL
        if name == "sorted" and len(args) == 1:
            element = self.iterable(args[0], bound, ordered=False)
            self.orderable(element, ast.unparse(node))
            if "reverse" in keywords and not assignable(keywords["reverse"], BOOL):
                raise self.fail("sorted(..., reverse=...) takes True or False")
            return list_of(element)
        if name == "sum" and len(args) == 1:
            element = self.iterable(args[0], bound, ordered=False)
            start = keywords.get("start", INT)
            if not assignable(element, FLOAT) or not assignable(start, FLOAT):
                raise self.fail(f"sum() adds numbers, but the items are {element}")
            return join(plain(element) if element.kind != "bool" else INT, plain(start))
        if name in ("min", "max") and len(args) == 1:
            element = self.iterable(args[0], bound, ordered=False)
            self.orderable(element, ast.unparse(node))
            return join(element, keywords["default"]) if "default" in keywords else element
        if name in ("min", "max") and len(args) >= 2 and not keywords:
            element = self._elements(args, bound)
            self.orderable(element, ast.unparse(node))
            return element
        raise self.fail(f"{name}() is not called with arguments it accepts here")

    def finite_text(self, name: str, text: str) -> None:
        try:
            number = float(text)
        except ValueError:
            return  # fails at run time like any text that is not a number
        if not math.isfinite(number):
            raise self.fail(f"{name}({text!r}) is not a finite number")
