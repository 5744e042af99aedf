"""TypeRefs (`str`, `list[T]`, `dict[str, T]`, `T | None`, `Literal['a', 'b']`, project types)
checked on the AST."""

from __future__ import annotations

import ast
import functools
import json

SCALARS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "datetime": "datetime",
    "Any": "Any",
    "None": "None",
}

MAX_LITERAL_VALUES = 50
"""Values a `Literal[...]` may offer: a choice among a few, not a list of data."""
MAX_LITERAL_TEXT = 80
"""Characters one text value of a `Literal[...]` may have."""
MAX_LITERAL_NUMBER = 2**53 - 1
"""The largest whole number a `Literal[...]` may offer: JSON readers (the editor) keep it exact."""

_SUPPORTED = (
    "use str, int, float, bool, datetime, Any, list[T], dict[str, T], T | None, "
    "Literal['a', 'b'] or a project type"
)


class TypeRefError(ValueError):
    def __init__(self, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown
        """The TypeRef is well formed but names a type the project does not have."""


def parse_typeref(text: str, project_types: set[str]) -> str:
    """The Python annotation for a TypeRef, rebuilt from its checked tree; raises TypeRefError."""
    if not isinstance(text, str):
        raise TypeRefError(f"{text!r} is not a type; write e.g. 'str', 'list[int]'")
    try:
        tree = annotation_tree(text.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise TypeRefError(f"{text!r} is not a type; write e.g. 'str', 'list[int]'") from None
    return _annotation(tree, project_types, text)


@functools.lru_cache(maxsize=4096)
def annotation_tree(text: str) -> ast.expr:
    """The tree of a type's text (kept: a compile reads the same few types at many places);
    shared, so only read."""
    return ast.parse(text, mode="eval").body


def literal_values(node: ast.Subscript) -> tuple[str | int, ...]:
    """The values of a `Literal[...]` annotation's tree (one the compiler wrote or checked)."""
    values = (_literal_value(item) for item in _literal_items(node))
    return tuple(value for value in values if value is not None)


def _literal_items(node: ast.Subscript) -> list[ast.expr]:
    return node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]


def _literal_value(item: ast.expr) -> str | int | None:
    """A value written in `Literal[...]`: text, or a whole number (maybe negative)."""
    if isinstance(item, ast.UnaryOp) and isinstance(item.op, ast.USub):
        inner = _literal_value(item.operand)
        return -inner if isinstance(inner, int) else None
    value = item.value if isinstance(item, ast.Constant) else None
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


def _literal(node: ast.Subscript, text: str) -> str:
    example = "write e.g. Literal['draft', 'review', 'done']"
    values: list[str | int] = []
    for item in _literal_items(node):
        value = _literal_value(item)
        if value is None:
            raise TypeRefError(
                f"a Literal offers text or whole numbers written out, but {ast.unparse(item)!r} "
                f"is neither (in {text!r}); {example}"
            )
        if isinstance(value, str) and not (0 < len(value) <= MAX_LITERAL_TEXT):
            raise TypeRefError(
                f"each text value of a Literal has 1 to {MAX_LITERAL_TEXT} characters, but "
                f"{value[:40]!r}{'...' if len(value) > 40 else ''} has {len(value)} (in {text!r})"
            )
        if isinstance(value, str) and not value.isprintable():
            raise TypeRefError(
                f"the value {value!r} of a Literal holds a character that cannot be shown "
                f"(a line break, a tab, a control character); take it out (in {text!r})"
            )
        if isinstance(value, int) and abs(value) > MAX_LITERAL_NUMBER:
            raise TypeRefError(
                f"the number {value} in a Literal is too large; its numbers stay within "
                f"{MAX_LITERAL_NUMBER:,} either side of zero (in {text!r})"
            )
        values.append(value)
    if not values:
        raise TypeRefError(f"a Literal offers at least one value (in {text!r}); {example}")
    if len(values) > MAX_LITERAL_VALUES:
        raise TypeRefError(
            f"a Literal offers at most {MAX_LITERAL_VALUES} values, but {text!r} has "
            f"{len(values)}; for more, take str and check the value in the workflow"
        )
    if len({type(value) for value in values}) > 1:
        raise TypeRefError(
            f"the values of a Literal are all text or all whole numbers, not both (in {text!r})"
        )
    seen: set[str | int] = set()
    for value in values:
        if value in seen:
            raise TypeRefError(f"{value!r} appears twice in {text!r}; list each value once")
        seen.add(value)
    # one spelling (double quotes, as the formatter writes them), so equal types compare equal
    shown = ", ".join(json.dumps(value, ensure_ascii=False) for value in values)
    return f"Literal[{shown}]"


def _annotation(node: ast.expr, project_types: set[str], text: str) -> str:
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Name):
        return _named(node.id, project_types, text)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return _subscripted(node, node.value.id, project_types, text)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        right = node.right
        if isinstance(right, ast.Constant) and right.value is None:
            return f"{_annotation(node.left, project_types, text)} | None"
    raise TypeRefError(f"{text!r} is not a supported type; {_SUPPORTED}")


def _named(name: str, project_types: set[str], text: str) -> str:
    """A scalar or a project type."""
    if name in SCALARS:
        return SCALARS[name]
    if name in project_types:
        return name
    if name == "Literal":
        raise TypeRefError(
            f"a Literal lists its values in brackets, like Literal['draft', 'done'] (in {text!r})"
        )
    known = ", ".join(sorted(set(SCALARS) | project_types))
    raise TypeRefError(f"unknown type {name!r} in {text!r}; known types: {known}", unknown=True)


def _subscripted(node: ast.Subscript, name: str, project_types: set[str], text: str) -> str:
    """`list[T]`, `dict[str, T]` or `Literal[...]`."""
    if name == "list":
        return f"list[{_annotation(node.slice, project_types, text)}]"
    if name == "dict":
        key_value = node.slice
        if (
            isinstance(key_value, ast.Tuple)
            and len(key_value.elts) == 2
            and isinstance(key_value.elts[0], ast.Name)
            and key_value.elts[0].id == "str"
        ):
            return f"dict[str, {_annotation(key_value.elts[1], project_types, text)}]"
        raise TypeRefError(f"dictionaries must have 'str' keys: write dict[str, T] in {text!r}")
    if name == "Literal":
        return _literal(node, text)
    raise TypeRefError(f"{text!r} is not a supported type; {_SUPPORTED}")


def referenced_types(annotation: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(annotation, mode="eval")) if isinstance(n, ast.Name)}
