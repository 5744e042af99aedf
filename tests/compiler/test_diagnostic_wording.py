"""Pydantic's errors in the product's words: one real pydantic error per mapped type.

Each case validates a value against a small model, so the error is the one pydantic really
gives (its `type` and context); the test fails if pydantic renames a type or the sentence
changes. A type the mapping does not know keeps pydantic's text.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictStr,
    ValidationError,
    field_validator,
)

from language.document import SLUG_PATTERN
from language.wording import is_mapped, pydantic_message


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Shape(Settings):
    kind: Literal["shape"] = "shape"


class Other(Settings):
    kind: Literal["other"] = "other"


def _models() -> dict[str, type[BaseModel]]:
    """A model with one field per case, each field constrained the way the documents are."""

    class Everything(Settings):
        name: Annotated[str, Field(min_length=1)] = "x"
        code: Annotated[str, Field(min_length=3, max_length=4)] = "abc"
        slug: Annotated[str, Field(pattern=SLUG_PATTERN)] = "a"
        result: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] = "a"
        other_pattern: Annotated[str, Field(pattern=r"^x+$")] = "x"
        text: StrictStr = ""
        count: int = 0
        strict_count: Annotated[int, Field(strict=True)] = 0
        ratio: float = 0.0
        strict_ratio: StrictFloat = 0.0
        flag: bool = False
        strict_flag: StrictBool = False
        mode: Literal["all", "any"] = "all"
        colour: Colour = Colour.RED
        above: Annotated[int, Field(gt=0)] = 1
        attempts: Annotated[int, Field(ge=0)] = 0
        below: Annotated[int, Field(lt=10)] = 0
        cap: Annotated[int, Field(le=10)] = 0
        step: Annotated[int, Field(multiple_of=5)] = 0
        items: Annotated[list[int], Field(min_length=2, max_length=3)] = Field(
            default_factory=lambda: [1, 2]
        )
        one: Annotated[list[int], Field(min_length=1)] = Field(default_factory=lambda: [1])
        table: Annotated[dict[str, int], Field(max_length=1)] = Field(default_factory=dict)
        pair: tuple[int, int] = (0, 0)
        tags: set[str] = Field(default_factory=set)
        shape: Shape | None = None
        either: Annotated[Shape | Other, Field(discriminator="kind")] = Field(default_factory=Shape)
        nothing: None = None
        when: datetime = datetime(2025, 1, 1)
        strict_when: Annotated[datetime, Field(strict=True)] = datetime(2025, 1, 1)

        @field_validator("text")
        @classmethod
        def _no_shouting(cls, value: str) -> str:
            if value.isupper():
                raise ValueError(f"{value!r} is written in capitals; write it in lower case")
            return value

    class Required(Settings):
        needed: str

    return {"everything": Everything, "required": Required}


CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("missing", "required", {}, "needs a value"),
    (
        "extra_forbidden",
        "everything",
        {"colour_name": "red"},
        "unknown field 'colour_name'; remove it",
    ),
    ("string_too_short", "everything", {"name": ""}, "must not be empty"),
    ("string_too_short", "everything", {"code": "ab"}, "must be at least 3 characters long"),
    ("string_too_long", "everything", {"code": "abcde"}, "must be at most 4 characters long"),
    (
        "string_pattern_mismatch",
        "everything",
        {"slug": "Order Flow"},
        "must be lowercase letters and digits, in words joined by single dashes (order-fulfilment)",
    ),
    (
        "string_pattern_mismatch",
        "everything",
        {"result": "Total"},
        "must be a name of lowercase letters, digits and underscores, starting with a letter "
        "(receipt_total)",
    ),
    (
        "string_pattern_mismatch",
        "everything",
        {"other_pattern": "y"},
        "must match the pattern ^x+$",
    ),
    ("string_type", "everything", {"text": 3}, "must be text"),
    ("int_type", "everything", {"strict_count": "3"}, "must be a whole number"),
    ("int_parsing", "everything", {"count": "three"}, "must be a whole number"),
    ("int_from_float", "everything", {"count": 2.5}, "must be a whole number, without a fraction"),
    ("float_type", "everything", {"strict_ratio": "half"}, "must be a number"),
    ("float_parsing", "everything", {"ratio": "half"}, "must be a number"),
    ("finite_number", "everything", {"ratio": float("inf")}, "must be a finite number"),
    ("bool_type", "everything", {"strict_flag": "yes"}, "must be true or false"),
    ("bool_parsing", "everything", {"flag": "perhaps"}, "must be true or false"),
    ("literal_error", "everything", {"mode": "some"}, "must be 'all' or 'any'"),
    ("enum", "everything", {"colour": "green"}, "must be 'red' or 'blue'"),
    ("greater_than", "everything", {"above": 0}, "must be more than 0"),
    ("greater_than_equal", "everything", {"attempts": -1}, "must be at least 0"),
    ("less_than", "everything", {"below": 10}, "must be less than 10"),
    ("less_than_equal", "everything", {"cap": 11}, "must be at most 10"),
    ("multiple_of", "everything", {"step": 3}, "must be a multiple of 5"),
    ("too_short", "everything", {"items": [1]}, "needs at least 2 items"),
    ("too_short", "everything", {"one": []}, "needs at least 1 item"),
    ("too_long", "everything", {"items": [1, 2, 3, 4]}, "holds at most 3 items (it has 4)"),
    # (pydantic does not count a dictionary's entries for the message)
    ("too_long", "everything", {"table": {"a": 1, "b": 2}}, "holds at most 1 entry"),
    ("list_type", "everything", {"items": "1, 2"}, "must be a list"),
    ("tuple_type", "everything", {"pair": 3}, "must be a list"),
    ("set_type", "everything", {"tags": 3}, "must be a list"),
    ("dict_type", "everything", {"table": [1]}, "must be a set of named values (a JSON object)"),
    ("model_type", "everything", {"shape": [1]}, "must be a group of settings (a JSON object)"),
    (
        "union_tag_invalid",
        "everything",
        {"either": {"kind": "circle"}},
        "the kind 'circle' is not one this product knows; use 'shape', 'other'",
    ),
    ("union_tag_not_found", "everything", {"either": {}}, "needs a kind saying which sort it is"),
    ("none_required", "everything", {"nothing": 1}, "must be left empty (null)"),
    (
        "datetime_from_date_parsing",
        "everything",
        {"when": "soon"},
        "must be a date and time such as 2025-01-31T09:00:00Z",
    ),
    (
        "datetime_type",
        "everything",
        {"when": [2025]},
        "must be a date and time such as 2025-01-31T09:00:00Z",
    ),
    (
        "datetime_parsing",
        "everything",
        {"strict_when": "soon"},
        "must be a date and time such as 2025-01-31T09:00:00Z",
    ),
    (
        "value_error",
        "everything",
        {"text": "LOUD"},
        "'LOUD' is written in capitals; write it in lower case",
    ),
]


@pytest.mark.parametrize(
    ("error_type", "model", "data", "sentence"),
    CASES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)],
)
def test_each_mapped_error_type_reads_in_the_products_words(
    error_type: str, model: str, data: dict[str, Any], sentence: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        if error_type == "datetime_parsing":  # a strict datetime parses text only from JSON
            _models()[model].model_validate_json(json.dumps(data))
        else:
            _models()[model].model_validate(data)
    (item,) = raised.value.errors()
    assert item["type"] == error_type, item
    assert is_mapped(error_type)
    assert pydantic_message(item) == sentence


def test_a_setting_that_does_not_belong_names_what_it_was_found_in() -> None:
    with pytest.raises(ValidationError) as raised:
        _models()["everything"].model_validate({"colour_name": "red"})
    (item,) = raised.value.errors()
    assert pydantic_message(item, owner="Timer") == "Timer has no setting 'colour_name'; remove it"


def test_an_unmapped_type_keeps_pydantics_text() -> None:
    class Ticket(BaseModel):
        id: UUID

    with pytest.raises(ValidationError) as raised:
        Ticket.model_validate({"id": "nope"})
    (item,) = raised.value.errors()
    assert not is_mapped(item["type"])
    assert pydantic_message(item) == item["msg"]


@pytest.mark.parametrize(
    "item",
    [
        {"type": "greater_than_equal", "msg": "Input should be greater than or equal to 0"},
        {"type": "literal_error", "msg": "Input should be 'a'", "ctx": None},
        {"type": "extra_forbidden", "msg": "Extra inputs are not permitted", "loc": ()},
        {"type": "string_too_short", "msg": "too short", "ctx": {"min_length": None}},
    ],
)
def test_an_error_without_the_context_its_sentence_needs_keeps_pydantics_text(
    item: dict[str, Any],
) -> None:
    """A context without the values the sentence names never raises: pydantic's text says it."""
    assert pydantic_message(item) == item["msg"]
