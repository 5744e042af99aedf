"""The one place where user text becomes a Python identifier."""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import textwrap
import unicodedata

RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", ascii_text)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def snake(text: str, fallback: str = "value") -> str:
    """`'Build & Test!'` -> `'build_test'`; never a keyword, builtin or dunder; never empty."""
    name = "_".join(w.lower() for w in _words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in RESERVED:
        name = f"{name}_"
    return name


def pascal(text: str, fallback: str = "Value") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in _words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    if name in RESERVED:
        name = f"{name}_"
    return name


def upper_snake(text: str, fallback: str = "VALUE") -> str:
    return snake(text, fallback.lower()).rstrip("_").upper() or fallback


class Namespace:
    """Hands out identifiers that are unique within one Python scope, in a stable way."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._taken: set[str] = set(taken or ())

    def claim(self, base: str) -> str:
        name, counter = base, 2
        while name in self._taken:
            name = f"{base}_{counter}"
            counter += 1
        self._taken.add(name)
        return name

    def __contains__(self, name: str) -> bool:
        return name in self._taken


def plain_text(text: str, limit: int = 300) -> str:
    """Printable text on one line: control characters, lone surrogates and line breaks
    become spaces."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:limit]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def doc_text(text: str) -> str:
    """User text made safe to stand inside a triple-quoted docstring."""
    return _escaped(plain_text(text))


def docstring(text: str, width: int = 76) -> str:
    """A triple-quoted docstring literal holding `text`, whatever it contains.

    Long text is wrapped onto several lines (before escaping, so no escape is split); the
    formatter indents them.
    """
    lines = textwrap.wrap(
        plain_text(text) or "-", width=width, break_long_words=True, break_on_hyphens=False
    )
    if len(lines) <= 1:
        return f'"""{_escaped(lines[0] if lines else "-")}"""'
    escaped = [_escaped(line) for line in lines]
    return '"""' + escaped[0] + "\n" + "\n".join(escaped[1:]) + '\n"""'


_CODE_TOKENS = re.compile(
    r"""
    \#[^\n]*                                      # a comment
    | [rRbBuUfF]{0,2}(?:\"\"\"(?:\\.|[^\\])*?\"\"\" | \'\'\'(?:\\.|[^\\])*?\'\'\'
        | "(?:\\.|[^"\\\n])*" | '(?:\\.|[^'\\\n])*')  # a string, f-strings whole
    | \d\w*                                       # a number (1e5, 0x1F, 1_000)
    | ([^\W\d]\w*)                                # a name
    """,
    re.VERBOSE | re.DOTALL,
)
"""What `tokenize` finds in generated code, as far as names go: comments, strings and numbers
are skipped whole (names inside an f-string's placeholders are not counted, as tokenize on
Python 3.11 does not), names are captured."""


@functools.lru_cache(maxsize=4096)
def names_in(code: str) -> frozenset[str]:
    """Identifiers used as code (not inside strings or comments) in a piece of source (kept:
    a compile asks again for the same pieces, and a recompile after an edit for most)."""
    return frozenset(
        name for name in _CODE_TOKENS.findall(code) if name and not keyword.iskeyword(name)
    )
