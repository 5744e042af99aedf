"""`names_in` reads names out of generated code with one regular expression: it must find
exactly what Python's tokenizer finds, or an import the code needs would be left out."""

from __future__ import annotations

import io
import keyword
import tokenize

import pytest
from hypothesis import given
from hypothesis import strategies as st

import samples
from compiler import compile_project
from language.names import names_in


def tokenized(code: str) -> frozenset[str]:
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return frozenset(
        token.string
        for token in tokens
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string)
    )


@pytest.mark.parametrize("name", samples.names())
def test_names_in_generated_code_are_those_the_tokenizer_finds(name: str) -> None:
    result = compile_project(samples.load(name))
    assert result.ok
    for path, text in result.files.items():
        if path.endswith(".py"):
            assert names_in(text) == tokenized(text), path


def test_names_in_strings_comments_and_numbers_are_not_code() -> None:
    code = (
        "x = f'{hidden}' + r\"raw {also}\" + '''tri\nple''' + b'\\'q' + 1e5 + 0x1F  # note\n"
        'y = """doc "quoted" end""" or élan\n'
    )
    assert names_in(code) == tokenized(code) == {"x", "y", "élan"}


@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
            st.text(max_size=8).map(repr),
            st.integers().map(str),
            st.floats(allow_nan=False, allow_infinity=False).map(repr),
            st.sampled_from(["+", "(", ")", ".", ",", " ", "\n", "[", "]", "if", "lambda"]),
        ),
        max_size=12,
    )
)
def test_names_in_agrees_with_the_tokenizer_on_any_token_sequence(parts: list[str]) -> None:
    code = " ".join(parts) + "\n"
    try:
        expected = tokenized(code)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return  # not code the compiler writes
    assert names_in(code) == expected
