"""Stage 5: format the rendered modules with ruff, in one subprocess for all of them."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

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


def format_sources(files: dict[str, str], package: str) -> dict[str, str]:
    """The same files, ruff-formatted (imports sorted too); raises FormatError if one is broken."""
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    for path, text in python.items():
        try:
            compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as error:
            line = (error.text or "").strip()
            raise FormatError(f"{path}:{error.lineno}: {error.msg}: {line[:200]}") from None
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
        formatted = dict(files)
        for path in python:
            formatted[path] = (root / path).read_text()
    return formatted
