"""State defaults: a JSON value from the document, built as Python source of the field's type.

`{"name": "x"}` for a field of the project type `Build` becomes `Build(name="x", tags=[])`, not
a dictionary that would only look like one; a value that does not fit the type is refused with
the path to the part that does not fit. A field without a default starts from its type's zero
value (`""`, `0`, `[]`, `None` for optional types, the first value of a `Literal`, a project
type with every field at zero) when there is one.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from language.typerefs import literal_values

ZEROS = {"str": "''", "int": "0", "float": "0.0", "bool": "False", "Any": "None", "None": "None"}

MUTABLE_PREFIXES = ("[", "{")
"""Code starting like this builds a new container, so a dataclass default needs a factory."""


class DefaultError(ValueError):
    """The value does not fit the type; the message names where inside the value."""


def default_source(
    annotation: str, value: Any, types: Mapping[str, Mapping[str, str]], *, given: bool
) -> str | None:
    """The dataclass default for a state field: source of a value or a `field(...)` call.

    `types` maps each project type to its fields' annotations. Without a `given` value the zero
    of the type is used; None when the type has none (a `datetime`). Raises DefaultError.
    """
    tree = ast.parse(annotation, mode="eval").body
    code = _value(tree, value, types, "default") if given else _zero(tree, types, set())
    if code is None:
        return None
    if code in ("[]", "{}"):
        return f"field(default_factory={'list' if code == '[]' else 'dict'})"
    if code.startswith(MUTABLE_PREFIXES) or _is_construction(code, types):
        return f"field(default_factory=lambda: {code})"
    return code


def _is_construction(code: str, types: Mapping[str, Mapping[str, str]]) -> bool:
    return any(code.startswith(f"{name}(") for name in types)


def _zero(tree: ast.expr, types: Mapping[str, Mapping[str, str]], seen: set[str]) -> str | None:
    if isinstance(tree, ast.BinOp):  # T | None
        return "None"
    if isinstance(tree, ast.Constant):
        return "None"
    if isinstance(tree, ast.Subscript):
        assert isinstance(tree.value, ast.Name)
        if tree.value.id == "Literal":
            return repr(literal_values(tree)[0])
        return "[]" if tree.value.id == "list" else "{}"
    assert isinstance(tree, ast.Name)
    if tree.id in ZEROS:
        return ZEROS[tree.id]
    if tree.id in types and tree.id not in seen:
        parts = []
        for name, field_annotation in types[tree.id].items():
            zero = _zero(ast.parse(field_annotation, mode="eval").body, types, seen | {tree.id})
            if zero is None:
                return None
            parts.append(f"{name}={zero}")
        return f"{tree.id}({', '.join(parts)})"
    return None  # datetime, or a type that holds itself


def _value(tree: ast.expr, value: Any, types: Mapping[str, Mapping[str, str]], path: str) -> str:
    if isinstance(tree, ast.BinOp):  # T | None
        return "None" if value is None else _value(tree.left, value, types, path)
    if isinstance(tree, ast.Constant):
        return _expect(value is None, "None", path, value, "null")
    if isinstance(tree, ast.Subscript):
        return _subscript_value(tree, value, types, path)
    assert isinstance(tree, ast.Name)
    if tree.id in _SCALARS:
        return _SCALARS[tree.id](value, path)
    return _record_value(tree.id, value, types, path)


def _subscript_value(
    tree: ast.Subscript, value: Any, types: Mapping[str, Mapping[str, str]], path: str
) -> str:
    """A `Literal[...]`, `list[T]` or `dict[str, T]` value."""
    assert isinstance(tree.value, ast.Name)
    if tree.value.id == "Literal":
        choices = literal_values(tree)
        fits = any(type(value) is type(choice) and value == choice for choice in choices)
        wanted = f"one of {', '.join(map(repr, choices))}"
        return _expect(fits, repr(value), path, value, wanted)
    if tree.value.id == "list":
        if not isinstance(value, list):
            raise DefaultError(f"{path} must be a list, not {_shown(value)}")
        items = [
            _value(tree.slice, item, types, f"{path}[{index}]") for index, item in enumerate(value)
        ]
        return f"[{', '.join(items)}]"
    assert isinstance(tree.slice, ast.Tuple)
    if not isinstance(value, dict):
        raise DefaultError(f"{path} must be an object, not {_shown(value)}")
    entries = [
        f"{key!r}: {_value(tree.slice.elts[1], item, types, f'{path}[{key!r}]')}"
        for key, item in value.items()
    ]
    return f"{{{', '.join(entries)}}}"


def _any_value(value: Any, path: str) -> str:
    return repr(value)


def _str_value(value: Any, path: str) -> str:
    return _expect(isinstance(value, str), repr(value), path, value, "text")


def _bool_value(value: Any, path: str) -> str:
    return _expect(isinstance(value, bool), repr(value), path, value, "true or false")


def _int_value(value: Any, path: str) -> str:
    whole = isinstance(value, int) and not isinstance(value, bool)
    return _expect(whole, repr(value), path, value, "a whole number")


def _float_value(value: Any, path: str) -> str:
    try:
        number = float(value) if not isinstance(value, bool | str) else math.nan
    except (TypeError, OverflowError):
        number = math.nan
    return _expect(math.isfinite(number), repr(number), path, value, "a number")


def _datetime_value(value: Any, path: str) -> str:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DefaultError(
            f"{path} must be a date and time with its offset, e.g. "
            f"'2026-01-31T09:00:00+00:00', not {_shown(value)}"
        )
    return f"datetime.fromisoformat({moment.isoformat()!r})"


_SCALARS: dict[str, Callable[[Any, str], str]] = {
    "Any": _any_value,
    "str": _str_value,
    "bool": _bool_value,
    "int": _int_value,
    "float": _float_value,
    "datetime": _datetime_value,
}
"""The code for a default of each scalar type, from its JSON value and where it stands."""


def _record_value(name: str, value: Any, types: Mapping[str, Mapping[str, str]], path: str) -> str:
    """A record's constructor call; a field the value leaves out takes its type's zero."""
    fields = types[name]
    if not isinstance(value, dict):
        raise DefaultError(
            f"{path} must be an object with the fields of {name}, not {_shown(value)}"
        )
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise DefaultError(f"{name} has no field {unknown[0]!r} (in {path})")
    parts = []
    for field_name, field_annotation in fields.items():
        field_tree = ast.parse(field_annotation, mode="eval").body
        if field_name in value:
            code = _value(field_tree, value[field_name], types, f"{path}.{field_name}")
        else:
            zero = _zero(field_tree, types, {name})
            if zero is None:
                raise DefaultError(f"{path} needs a value for {name}.{field_name}")
            code = zero
        parts.append(f"{field_name}={code}")
    return f"{name}({', '.join(parts)})"


def _expect(fits: bool, code: str, path: str, value: Any, wanted: str) -> str:
    if not fits:
        raise DefaultError(f"{path} must be {wanted}, not {_shown(value)}")
    return code


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
