"""TypeRefs (`str`, `list[T]`, `dict[str, T]`, `T | None`, project types) checked on the AST."""

from __future__ import annotations

import ast

SCALARS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "datetime": "datetime",
    "Any": "Any",
    "None": "None",
}


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
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise TypeRefError(f"{text!r} is not a type; write e.g. 'str', 'list[int]'") from None
    return _annotation(tree, project_types, text)


def _annotation(node: ast.expr, project_types: set[str], text: str) -> str:
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Name):
        if node.id in SCALARS:
            return SCALARS[node.id]
        if node.id in project_types:
            return node.id
        known = ", ".join(sorted(set(SCALARS) | project_types))
        raise TypeRefError(
            f"unknown type {node.id!r} in {text!r}; known types: {known}", unknown=True
        )
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "list":
            return f"list[{_annotation(node.slice, project_types, text)}]"
        if node.value.id == "dict":
            key_value = node.slice
            if (
                isinstance(key_value, ast.Tuple)
                and len(key_value.elts) == 2
                and isinstance(key_value.elts[0], ast.Name)
                and key_value.elts[0].id == "str"
            ):
                return f"dict[str, {_annotation(key_value.elts[1], project_types, text)}]"
            raise TypeRefError(f"dictionaries must have 'str' keys: write dict[str, T] in {text!r}")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        right = node.right
        if isinstance(right, ast.Constant) and right.value is None:
            return f"{_annotation(node.left, project_types, text)} | None"
    raise TypeRefError(
        f"{text!r} is not a supported type; use str, int, float, bool, datetime, Any, list[T], "
        "dict[str, T], T | None or a project type"
    )


def referenced_types(annotation: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(annotation, mode="eval")) if isinstance(n, ast.Name)}
