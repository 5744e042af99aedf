"""Emitted expression code is kept between compiles: a kept answer must never be reused where a
name of the expression means something else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from language.expressions import emit, emit_checked, parse_again


def test_the_same_text_under_other_names_gives_other_code() -> None:
    text = "total + len(items)"
    first = emit_checked(text, False, {"total": "self._state.total", "items": "input.items"})
    second = emit_checked(text, False, {"total": "self._state.total", "items": "items_1"})
    assert first == "self._state.total + len(input.items)"
    assert second == "self._state.total + len(items_1)"
    again = emit_checked(text, False, {"total": "self._state.total", "items": "input.items"})
    assert again == first


def test_a_name_spelled_in_compatibility_characters_is_the_name_python_reads() -> None:
    # Python reads "ｔotal" (a fullwidth t) as "total": the kept answer must follow that name.  # noqa: RUF003
    text = "ｔotal + 1"  # noqa: RUF001 - deliberately
    assert emit_checked(text, False, {"total": "self._state.total"}) == "self._state.total + 1"
    assert emit_checked(text, False, {"total": "input.total"}) == "input.total + 1"


def test_templates_and_plain_text_are_kept_apart() -> None:
    mapping = {"name": "input.name"}
    assert emit_checked("hello {name}", True, mapping) == "f'hello {input.name}'"
    assert emit_checked("plain", True, mapping) == "'plain'"
    assert emit_checked("name", False, mapping) == "input.name"


names = st.sampled_from(["a", "b", "item", "total", "x"])
codes = st.sampled_from(["input.a", "self._state.b", "item_1", "result", "x"])


@given(
    parts=st.lists(names, min_size=1, max_size=4),
    mappings=st.lists(st.dictionaries(names, codes), min_size=1, max_size=4),
)
def test_a_kept_answer_equals_a_fresh_one(parts: list[str], mappings: list[dict[str, str]]) -> None:
    text = " + ".join(parts) + " if [v for v in " + parts[0] + "] else 0"
    for mapping in mappings:
        assert emit_checked(text, False, mapping) == emit(parse_again(text, False), dict(mapping))
