"""Stage 5: format the rendered modules with ruff, in one subprocess for all of them."""

from __future__ import annotations

import ast
import bisect
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from cachetools import LRUCache

RUFF_SETTINGS = """\
line-length = 100
target-version = "py311"

[lint]
select = ["E", "F", "I", "UP", "B", "SIM"]
# the formatter owns line length; a long user string cannot be split
ignore = ["E501"]

[lint.isort]
known-first-party = [{package!r}]
"""


def ruff_settings(package: str, table: str = "") -> str:
    """The settings the package is formatted with: a `ruff.toml`, or with `table` (`tool.ruff`)
    the same keys as tables of a `pyproject.toml`, so ruff run in the package's folder agrees."""
    text = RUFF_SETTINGS.format(package=package)
    if not table:
        return text
    return f"[{table}]\n" + text.replace("\n[", f"\n[{table}.")


class FormatError(RuntimeError):
    """The rendered code does not parse: a bug in a template, never a user mistake."""


def ruff_binary() -> str:
    candidate = Path(sys.executable).with_name("ruff")
    if candidate.exists():
        return str(candidate)
    import shutil

    found = shutil.which("ruff")
    if found is None:
        raise FormatError("ruff is not installed; it formats the generated code")
    return found


SPLIT_LONGER_THAN = 80
"""String literals longer than this are written as several pieces, split between words, for
the formatter to lay out within the line width (it joins pieces again where they fit)."""
PIECE = 50


def _pieces(values: list[ast.expr]) -> list[list[ast.expr]]:
    """An f-string's (or a string's) parts regrouped into pieces of about PIECE characters,
    split in literal text between words: after a space, or after a placeholder when enough
    text follows; never so that a piece starts with a space."""
    parts: list[ast.expr] = []
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts += [ast.Constant(word) for word in re.split(r"(?<= )", value.value) if word]
        else:
            parts.append(value)
    sizes = [
        len(str(part.value)) if isinstance(part, ast.Constant) else len(ast.unparse(part))
        for part in parts
    ]
    pieces: list[list[ast.expr]] = [[]]
    size = 0
    for index, part in enumerate(parts):
        word = str(part.value) if isinstance(part, ast.Constant) else None
        previous = pieces[-1][-1] if pieces[-1] else None
        after_space = isinstance(previous, ast.Constant) and str(previous.value).endswith(" ")
        after_placeholder = previous is not None and not isinstance(previous, ast.Constant)
        if word is None:  # a placeholder starts a piece after a space
            may_break = after_space
        else:
            may_break = not word.startswith(" ") and (
                after_space or (after_placeholder and sum(sizes[index:]) > PIECE // 3)
            )
        if size + sizes[index] > PIECE and may_break:
            pieces.append([])
            size = 0
        pieces[-1].append(part)
        size += sizes[index]
    return [piece for piece in pieces if piece]


def _literal(piece: list[ast.expr]) -> str:
    if all(isinstance(value, ast.Constant) for value in piece):
        return repr("".join(str(value.value) for value in piece))  # type: ignore[attr-defined]
    return ast.unparse(ast.JoinedStr(values=piece))


def split_long_strings(text: str, tree: ast.Module | None = None) -> str:
    """The module with every long string literal written as pieces: `"a b" "c"` is the same
    value, which the formatter can break across lines (docstrings are left alone). `tree` is
    the module's, when the caller parsed it already."""
    lines = text.split("\n")
    # a literal longer than SPLIT_LONGER_THAN characters stands on a line at least that long
    # (in bytes: non-ASCII text counts more), so only statements spanning such lines are read
    long_lines = [
        number
        for number, line in enumerate(lines, 1)
        if len(line) > SPLIT_LONGER_THAN // 4 and len(line.encode()) > SPLIT_LONGER_THAN
    ]
    if not long_lines:
        return text
    if tree is None:
        tree = ast.parse(text)
    docstrings: set[int] = set()
    found: list[ast.expr] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt) and not _spans(node, long_lines):
            continue
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        ):
            docstrings.add(id(node.body[0].value))
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            if id(node) not in docstrings and node.lineno == node.end_lineno:
                found.append(node)
            continue  # never split a string nested in an f-string's expressions
        stack.extend(ast.iter_child_nodes(node))
    for node in sorted(found, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        line = lines[node.lineno - 1].encode()
        start, end = node.col_offset, node.end_col_offset
        assert end is not None
        if end - start <= SPLIT_LONGER_THAN:
            continue
        values = node.values if isinstance(node, ast.JoinedStr) else [node]
        pieces = _pieces(values)
        if len(pieces) < 2:
            continue
        written = " ".join(_literal(piece) for piece in pieces)
        lines[node.lineno - 1] = (line[:start] + written.encode() + line[end:]).decode()
    return "\n".join(lines)


def _spans(statement: ast.stmt, long_lines: list[int]) -> bool:
    """Whether one of the (sorted) long lines lies within the statement's lines."""
    at = bisect.bisect_left(long_lines, statement.lineno)
    end = statement.end_lineno or statement.lineno
    return at < len(long_lines) and long_lines[at] <= end


_formatted: LRUCache[tuple[str, str, str], str] = LRUCache(512)
"""Modules formatted lately, by package, path and rendered text: a recompile after an edit
renders most modules as before, and formats only those that changed."""
_formatted_lock = threading.Lock()


def format_sources(files: dict[str, str], package: str) -> dict[str, str]:
    """The same files, ruff-formatted (imports sorted too); raises FormatError if one is broken.
    A module formatted before comes from the cache; ruff runs once for the others."""
    formatted = dict(files)
    pending: dict[str, str] = {}
    for path, text in files.items():
        if path.endswith(".py"):
            with _formatted_lock:
                cached = _formatted.get((package, path, text))
            if cached is None:
                pending[path] = text
            else:
                formatted[path] = cached
    if pending:
        for path, text in _run_ruff(pending, package).items():
            with _formatted_lock:
                _formatted[package, path, files[path]] = text
            formatted[path] = text
    return formatted


def _run_ruff(files: dict[str, str], package: str) -> dict[str, str]:
    """The modules formatted by ruff, in one subprocess for all of them."""
    python = dict(files)
    for path, text in python.items():
        try:
            tree = ast.parse(text, path)
        except SyntaxError as error:
            line = (error.text or "").strip()
            raise FormatError(f"{path}:{error.lineno}: {error.msg}: {line[:200]}") from None
        python[path] = split_long_strings(text, tree)
    with tempfile.TemporaryDirectory(prefix="wfd-format-") as folder:
        root = Path(folder)
        (root / "ruff.toml").write_text(ruff_settings(package))
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        ruff = ruff_binary()
        for command in (
            # sort imports, drop the ones a template made conditional on nothing, and unwrap
            # the parentheses ast.unparse puts around a lone generator argument
            [ruff, "check", "--select", "I,F401,UP034", "--fix", "--quiet", "--exit-zero", "."],
            [ruff, "format", "--quiet", "."],
        ):
            outcome = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
            if outcome.returncode != 0:
                raise FormatError(outcome.stderr or outcome.stdout)
        return {path: (root / path).read_text() for path in python}
