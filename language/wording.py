"""Pydantic's errors in the product's words.

An allow-list: each pydantic error `type` the documents can meet has a sentence of ours; a type
not listed keeps pydantic's own text. A sentence is what is wrong with a field and, where it
helps, what to write instead; the field itself is named beside it (`Activity: must not be
empty`), never inside, so the same sentence reads under the field in the editor's form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from language.document import SLUG_PATTERN

PATTERNS = {
    SLUG_PATTERN: "lowercase letters and digits, in words joined by single dashes "
    "(order-fulfilment)",
    r"^[a-z][a-z0-9_]*$": "a name of lowercase letters, digits and underscores, starting with "
    "a letter (receipt_total)",
}
"""Patterns a person cannot be expected to read, in words."""


def _count(number: Any, one: str, many: str) -> str:
    if not isinstance(number, int):
        raise TypeError(f"a count, not {number!r}")
    return f"{number} {one if number == 1 else many}"


def _too_short(ctx: Mapping[str, Any]) -> str:
    if ctx["min_length"] == 1:
        return "must not be empty"
    return f"must be at least {_count(ctx['min_length'], 'character', 'characters')} long"


def _number(value: Any) -> str:
    """A bound as a person writes it: `0`, not `0.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _things(ctx: Mapping[str, Any], number: Any) -> str:
    """`3 items` of a list, `1 entry` of a dictionary."""
    if str(ctx.get("field_type", "")).lower().startswith("dict"):
        return _count(number, "entry", "entries")
    return _count(number, "item", "items")


def _pattern(ctx: Mapping[str, Any]) -> str:
    pattern = str(ctx["pattern"])
    described = PATTERNS.get(pattern)
    return f"must be {described}" if described else f"must match the pattern {pattern}"


def _one_of(ctx: Mapping[str, Any]) -> str:
    return f"must be {ctx['expected']}"


def _discriminator(ctx: Mapping[str, Any]) -> str:
    """The field that says which sort a value is (`kind`), without pydantic's quotes."""
    return str(ctx["discriminator"]).strip("'")


def _tag(ctx: Mapping[str, Any]) -> str:
    return (
        f"the {_discriminator(ctx)} {ctx['tag']!r} is not one this product knows; "
        f"use {ctx['expected_tags']}"
    )


def _too_long(ctx: Mapping[str, Any]) -> str:
    found = ctx.get("actual_length")
    has = f" (it has {found})" if isinstance(found, int) else ""
    return f"holds at most {_things(ctx, ctx['max_length'])}{has}"


def _own(prefix: str) -> Callable[[Mapping[str, Any], str], str]:
    """Our own validators already speak the product's words: pydantic only adds a prefix."""

    def message(_ctx: Mapping[str, Any], text: str) -> str:
        return text.removeprefix(prefix)

    return message


_BY_CONTEXT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "needs a value",
    "string_too_short": _too_short,
    "string_too_long": lambda ctx: (
        f"must be at most {_count(ctx['max_length'], 'character', 'characters')} long"
    ),
    "string_pattern_mismatch": _pattern,
    "string_type": lambda ctx: "must be text",
    "int_type": lambda ctx: "must be a whole number",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number, without a fraction",
    "float_type": lambda ctx: "must be a number",
    "float_parsing": lambda ctx: "must be a number",
    "finite_number": lambda ctx: "must be a finite number",
    "bool_type": lambda ctx: "must be true or false",
    "bool_parsing": lambda ctx: "must be true or false",
    "literal_error": _one_of,
    "enum": _one_of,
    "greater_than": lambda ctx: f"must be more than {_number(ctx['gt'])}",
    "greater_than_equal": lambda ctx: f"must be at least {_number(ctx['ge'])}",
    "less_than": lambda ctx: f"must be less than {_number(ctx['lt'])}",
    "less_than_equal": lambda ctx: f"must be at most {_number(ctx['le'])}",
    "multiple_of": lambda ctx: f"must be a multiple of {_number(ctx['multiple_of'])}",
    "too_short": lambda ctx: f"needs at least {_things(ctx, ctx['min_length'])}",
    "too_long": _too_long,
    "list_type": lambda ctx: "must be a list",
    "tuple_type": lambda ctx: "must be a list",
    "set_type": lambda ctx: "must be a list",
    "dict_type": lambda ctx: "must be a set of named values (a JSON object)",
    "model_type": lambda ctx: "must be a group of settings (a JSON object)",
    "model_attributes_type": lambda ctx: "must be a group of settings (a JSON object)",
    "union_tag_invalid": _tag,
    "union_tag_not_found": lambda ctx: f"needs a {_discriminator(ctx)} saying which sort it is",
    "none_required": lambda ctx: "must be left empty (null)",
    "datetime_type": lambda ctx: "must be a date and time such as 2025-01-31T09:00:00Z",
    "datetime_parsing": lambda ctx: "must be a date and time such as 2025-01-31T09:00:00Z",
    "datetime_from_date_parsing": lambda ctx: (
        "must be a date and time such as 2025-01-31T09:00:00Z"
    ),
    "json_invalid": lambda ctx: "is not valid JSON",
    "json_type": lambda ctx: "must be JSON text",
}

_BY_TEXT: dict[str, Callable[[Mapping[str, Any], str], str]] = {
    "value_error": _own("Value error, "),
    "assertion_error": _own("Assertion failed, "),
}


def pydantic_message(item: Mapping[str, Any], owner: str | None = None) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in the product's words;
    pydantic's own text for a type this module does not know. `owner` names what a field
    that does not belong was found in (`Timer`)."""
    kind = str(item.get("type", ""))
    text = str(item.get("msg", ""))
    ctx = item.get("ctx") or {}
    try:
        if kind == "extra_forbidden":
            name = item["loc"][-1]
            if owner:
                return f"{owner} has no setting {name!r}; remove it"
            return f"unknown field {name!r}; remove it"
        if kind in _BY_CONTEXT:
            return _BY_CONTEXT[kind](ctx)
        if kind in _BY_TEXT:
            return _BY_TEXT[kind](ctx, text)
    except (KeyError, IndexError, TypeError, ValueError):
        pass  # a context without the values the sentence needs: pydantic's text says it
    return text


def is_mapped(kind: str) -> bool:
    """Whether `kind` (a pydantic error type) has a sentence of its own here."""
    return kind == "extra_forbidden" or kind in _BY_CONTEXT or kind in _BY_TEXT
