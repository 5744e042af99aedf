"""The `wfd` command, run as a user runs it: a subprocess, its exit status, stdout and stderr."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from compiler import compile_project
from tests.support.harness import chain, node, project, unique_id
from tests.support.waits import slowness

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

ROOT = Path(__file__).resolve().parents[2]
WFD = Path(sys.executable).with_name("wfd")
HELLO = ROOT / "examples" / "hello.json"


def wfd(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WFD), *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
        check=False,
    )


def write(folder: Path, name: str, document: dict[str, Any] | str) -> Path:
    path = folder / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def hello() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(HELLO.read_text())
    return document


def broken_graph() -> dict[str, Any]:
    """hello, with an edge to a node that does not exist."""
    document = hello()
    document["workflows"][0]["edges"].append({"id": "to-ghost", "source": "say", "target": "ghost"})
    return document


def assert_no_traceback(outcome: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in outcome.stderr + outcome.stdout, outcome.stderr


def test_check_accepts_a_good_document() -> None:
    outcome = wfd("check", HELLO)
    assert outcome.returncode == 0, outcome.stderr
    assert not re.search(r": E\d{3}", outcome.stderr), outcome.stderr
    assert_no_traceback(outcome)


def test_check_rejects_invalid_json(tmp_path: Path) -> None:
    outcome = wfd("check", write(tmp_path, "bad.json", '{"schema_version": 1, "id": '))
    assert outcome.returncode == 1
    assert "E001" in outcome.stderr
    assert "not valid JSON" in outcome.stderr
    assert_no_traceback(outcome)


def test_check_rejects_an_unknown_field(tmp_path: Path) -> None:
    document = hello()
    document["workflows"][0]["nodes"][1]["colour"] = "red"
    outcome = wfd("check", write(tmp_path, "schema.json", document))
    assert outcome.returncode == 1
    assert "E002" in outcome.stderr
    assert "'colour'" in outcome.stderr
    # the node by its label and id, the field as it is written (the schema has no such field)
    assert "greet › Compose greeting (compose) › colour: unknown field 'colour'" in outcome.stderr
    assert_no_traceback(outcome)


def test_check_rejects_a_broken_graph(tmp_path: Path) -> None:
    outcome = wfd("check", write(tmp_path, "graph.json", broken_graph()))
    assert outcome.returncode == 1
    assert "E104" in outcome.stderr
    assert "'to-ghost'" in outcome.stderr and "'ghost'" in outcome.stderr
    assert_no_traceback(outcome)


def test_check_prints_every_problem(tmp_path: Path) -> None:
    document = broken_graph()
    document["workflows"][0]["nodes"][2]["config"]["expression"] = "__import__('os')"
    document["workflows"][0]["nodes"][1]["config"]["activity"] = "compose"
    outcome = wfd("check", write(tmp_path, "many.json", document))
    assert outcome.returncode == 1
    for code in ("E104", "E200", "E204"):
        assert code in outcome.stderr, outcome.stderr


def test_check_warnings_do_not_fail(tmp_path: Path) -> None:
    document = hello()
    document["workflows"][0]["nodes"].append(node("lost", "timer", duration="1s"))
    outcome = wfd("check", write(tmp_path, "warn.json", document))
    assert outcome.returncode == 0, outcome.stderr
    assert "warning" in outcome.stderr and "E109" in outcome.stderr and "lost" in outcome.stderr


def test_check_json_prints_parseable_diagnostics(tmp_path: Path) -> None:
    outcome = wfd("check", "--json", write(tmp_path, "graph.json", broken_graph()))
    assert outcome.returncode == 1
    diagnostics = json.loads(outcome.stdout)
    assert [d["code"] for d in diagnostics] == ["E104"]
    assert diagnostics[0]["edge_id"] == "to-ghost"
    assert diagnostics[0]["workflow_id"] == "greet"
    assert diagnostics[0]["severity"] == "error"
    assert_no_traceback(outcome)


def test_check_json_on_a_good_document_prints_an_empty_list() -> None:
    outcome = wfd("check", "--json", HELLO)
    assert outcome.returncode == 0, outcome.stderr
    assert json.loads(outcome.stdout) == []


def test_check_json_on_invalid_json(tmp_path: Path) -> None:
    outcome = wfd("check", "--json", write(tmp_path, "bad.json", "{nope"))
    assert outcome.returncode == 1
    assert [d["code"] for d in json.loads(outcome.stdout)] == ["E001"]


def test_compile_writes_an_importable_package(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = wfd("compile", HELLO, "-o", out)
    assert outcome.returncode == 0, outcome.stderr
    assert_no_traceback(outcome)
    package = out / "hello"
    compiled = compile_project(HELLO.read_text())
    written = {
        path.relative_to(out).as_posix(): path.read_text()
        for path in out.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    # the package, and beside it the files that install and deploy it
    package_files = {f"hello/{path}": text for path, text in compiled.files.items()}
    assert written == package_files | compiled.root_files
    assert {"pyproject.toml", "Dockerfile", "README.md"} <= compiled.root_files.keys()
    # the printed next steps install the package before running it, as the README does
    assert "pip install ." in outcome.stdout
    assert "python -m hello.worker" in outcome.stdout
    assert "pip install ." in (out / "README.md").read_text()
    for name in ("__init__.py", "models.py", "activities.py", "worker.py", "starter.py"):
        assert (package / name).is_file()
    assert (package / "workflows" / "greet.py").is_file()
    assert json.loads((package / "sourcemap.json").read_text())["greet"]
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hello.worker as w; print([c.__name__ for c in w.WORKFLOWS], len(w.ACTIVITIES))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(out)},
        timeout=120,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "['GreetWorkflow'] 1"


def printed_command(stdout: str, label: str) -> str:
    """The command `wfd compile` printed after `label`, without the note after it."""
    for line in stdout.splitlines():
        if line.strip().startswith(label):
            return line.split(label, 1)[1].split("   (", 1)[0].strip()
    raise AssertionError(f"wfd compile printed no {label!r} line:\n{stdout}")


def in_shell(
    command: str, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`command` typed into a shell in the folder wfd ran in."""
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120 * slowness(),
        check=False,
    )


async def test_the_commands_compile_prints_run_the_package_as_printed(
    client: Client, tmp_path: Path
) -> None:
    """Compiled where ./scripts/run compiles: the printed worker and starter commands, typed
    into a shell, run the workflow on the interpreter they name, which has temporalio."""
    out = tmp_path / "out"
    outcome = wfd("compile", HELLO, "-o", out)
    assert outcome.returncode == 0, outcome.stderr
    temporal = printed_command(outcome.stdout, "a Temporal server:")
    worker = printed_command(outcome.stdout, "then a worker:")
    starter = printed_command(outcome.stdout, "start a workflow:")
    assert temporal.endswith(" server start-dev"), outcome.stdout
    assert worker.endswith(" -m hello.worker"), outcome.stdout
    assert starter.endswith(" -m hello.starter start --help"), outcome.stdout

    version = in_shell(temporal.replace(" server start-dev", " --version"))
    assert version.returncode == 0 and "temporal version" in version.stdout, version.stderr
    usage = in_shell(starter)
    assert usage.returncode == 0, usage.stderr
    assert "usage: python -m hello.starter start" in usage.stdout

    # the defaults reach localhost:7233; the test's own server and task queue instead
    environment = {
        **os.environ,
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": unique_id("printed"),
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        running = subprocess.Popen(
            ["bash", "-c", worker],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        start = starter.removesuffix("--help")
        workflow_id = unique_id("greet")
        started = in_shell(
            f'{start} greet --id {workflow_id} --input \'{{"name": "Ada", "loud": true}}\' --wait',
            environment,
        )
    finally:
        os.killpg(running.pid, signal.SIGTERM)
        try:
            running.wait(timeout=30 * slowness())
        except subprocess.TimeoutExpired:
            os.killpg(running.pid, signal.SIGKILL)
            running.wait()
    assert started.returncode == 0, started.stderr + log.read_text()
    assert started.stdout.startswith(f"started greet as {workflow_id} "), started.stdout
    assert "Hello, Ada!!!" in started.stdout


def test_compile_of_a_bad_document_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = wfd("compile", write(tmp_path, "graph.json", broken_graph()), "-o", out)
    assert outcome.returncode == 1
    assert "E104" in outcome.stderr
    assert_no_traceback(outcome)
    assert not out.exists() or not any(out.iterdir())


def test_compile_of_invalid_json_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = wfd("compile", write(tmp_path, "bad.json", "{nope"), "-o", out)
    assert outcome.returncode == 1
    assert "E001" in outcome.stderr
    assert_no_traceback(outcome)
    assert not out.exists() or not any(out.iterdir())


def test_compile_does_not_write_through_a_link_planted_in_the_output(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours to overwrite")
    package = tmp_path / "out" / "hello"
    package.mkdir(parents=True)
    (package / "models.py").symlink_to(elsewhere)
    outcome = wfd("compile", HELLO, "-o", tmp_path / "out")
    assert outcome.returncode == 2, outcome.stderr
    assert_no_traceback(outcome)
    assert f"{str(package / 'models.py')!r} is a symbolic link" in outcome.stderr
    assert str(elsewhere) in outcome.stderr
    assert elsewhere.read_text() == "not yours to overwrite"
    # nothing was written before the link was found
    assert sorted(p.name for p in package.iterdir()) == ["models.py"]


def test_compile_does_not_write_into_a_linked_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "hello").symlink_to(elsewhere, target_is_directory=True)
    outcome = wfd("compile", HELLO, "-o", out)
    assert outcome.returncode == 2, outcome.stderr
    assert "is a symbolic link" in outcome.stderr
    assert list(elsewhere.iterdir()) == []

    (out / "hello").unlink()
    (out / "hello").mkdir()
    (out / "hello" / "workflows").symlink_to(elsewhere, target_is_directory=True)
    outcome = wfd("compile", HELLO, "-o", out)
    assert outcome.returncode == 2, outcome.stderr
    assert list(elsewhere.iterdir()) == []


def test_compile_replaces_a_hard_linked_file_instead_of_writing_through_it(
    tmp_path: Path,
) -> None:
    """A second name for another file (a hard link) is replaced: the other name keeps its
    text. Linked OUT itself is the user's choice, and is followed."""
    real_out = tmp_path / "real-out"
    (real_out / "hello").mkdir(parents=True)
    other = tmp_path / "other.py"
    other.write_text("# someone else's file\n")
    os.link(other, real_out / "hello" / "worker.py")
    (tmp_path / "out").symlink_to(real_out, target_is_directory=True)
    outcome = wfd("compile", HELLO, "-o", tmp_path / "out")
    assert outcome.returncode == 0, outcome.stderr
    assert other.read_text() == "# someone else's file\n"
    assert (real_out / "hello" / "worker.py").read_text() == compile_project(
        HELLO.read_text()
    ).files["worker.py"]
    assert not [p for p in (real_out / "hello").rglob(".*")]  # no temporary file left


def test_a_missing_input_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    out = tmp_path / "out"
    commands: list[list[str | Path]] = [["check", missing], ["compile", missing, "-o", out]]
    for arguments in commands:
        outcome = wfd(*arguments)
        assert outcome.returncode not in (0, 1), outcome.stderr
        assert "nowhere.json" in outcome.stderr
        assert_no_traceback(outcome)
    assert not (tmp_path / "out").exists()


def test_an_unreadable_input_is_reported(tmp_path: Path) -> None:
    (tmp_path / "latin.json").write_bytes(b'{"name": "caf\xe9"}')
    for path in (tmp_path / "latin.json", tmp_path):
        outcome = wfd("check", path)
        assert outcome.returncode not in (0, 1), outcome.stderr
        assert str(path) in outcome.stderr
        assert_no_traceback(outcome)


def test_schema_prints_the_document_json_schema() -> None:
    outcome = wfd("schema")
    assert outcome.returncode == 0, outcome.stderr
    schema = json.loads(outcome.stdout)
    assert schema["type"] == "object"
    assert schema["properties"]["schema_version"]["const"] == 1
    assert schema["additionalProperties"] is False
    assert {"workflows", "activities", "types"} <= set(schema["properties"])


def test_compiled_package_name_comes_from_the_project_id(tmp_path: Path) -> None:
    document = project(
        "order-desk",
        [
            {
                "id": "noop",
                "nodes": [node("start", "start"), node("done", "end")],
                "edges": chain("start", "done"),
            }
        ],
        activities=[{"name": "ping", "output": "str"}],
    )
    out = tmp_path / "out"
    outcome = wfd("compile", write(tmp_path, "desk.json", document), "-o", out)
    assert outcome.returncode == 0, outcome.stderr
    assert (out / "order_desk" / "workflows" / "noop.py").is_file()
    assert "order_desk.worker" in outcome.stdout


def with_database(url: str, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WFD), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
        check=False,
    )


def test_serve_and_seed_on_a_database_they_cannot_use_say_why(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the database folder should be")
    cases = [
        (f"sqlite:///{blocked}/data/wfd.db", "file"),
        ("nosuchdb://somewhere/x", "nosuchdb"),
        ("postgresql://nobody@127.0.0.1:1/none", "127.0.0.1"),
    ]
    for url, named in cases:
        for command in (["serve", "--port", "1"], ["seed"]):
            result = with_database(url, *command, cwd=tmp_path)
            assert result.returncode == 2, (url, command, result.stderr)
            assert "Traceback" not in result.stderr
            assert result.stderr.startswith("error: cannot use the database named by DATABASE_URL")
            assert named in result.stderr, result.stderr


def test_serve_refuses_a_worker_count_below_one(tmp_path: Path) -> None:
    result = with_database(f"sqlite:///{tmp_path}/wfd.db", "serve", "--workers", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "--workers" in result.stderr
    assert not (tmp_path / "wfd.db").exists()


def test_serve_on_an_address_other_machines_reach_needs_a_token(tmp_path: Path) -> None:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/wfd.db"}
    environment.pop("WFD_TOKEN", None)
    for host in ("0.0.0.0", "::", "192.0.2.10", "designer.example.com"):
        result = subprocess.run(
            [str(WFD), "serve", "--host", host, "--port", "1", "--temporal", "off"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            timeout=120,
            check=False,
        )
        assert result.returncode == 2, (host, result.stderr)
        assert result.stderr.startswith(f"error: --host {host} lets other machines reach"), (
            result.stderr
        )
        assert "WFD_TOKEN" in result.stderr and "--insecure" in result.stderr
        assert_no_traceback(result)
    assert not (tmp_path / "wfd.db").exists()  # refused before anything started


def serve_until_healthy(
    tmp_path: Path, arguments: list[str], environment: dict[str, str], headers: dict[str, str]
) -> str:
    """Run `wfd serve` with `arguments` until it answers /api/health on loopback; its log."""
    from tests.backend.live import free_port

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(WFD), "serve", "--port", str(port), "--temporal", "off", *arguments],
            cwd=tmp_path,
            env={**environment, "DATABASE_URL": f"sqlite:///{tmp_path}/wfd.db"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/health", headers=headers)
                if answer.status_code == 200:
                    return log.read_text()
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_on_every_interface_with_a_token_or_insecure(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "WFD_TOKEN"}
    with_token = serve_until_healthy(
        tmp_path,
        ["--host", "0.0.0.0"],
        {**environment, "WFD_TOKEN": "long-random-secret"},
        {"authorization": "Bearer long-random-secret"},
    )
    assert "WARNING" not in with_token
    assert "WFD_ALLOWED_HOSTS" in with_token  # says which names other machines may use

    insecure = serve_until_healthy(tmp_path, ["--host", "0.0.0.0", "--insecure"], environment, {})
    assert "WARNING: serving on 0.0.0.0 WITHOUT A TOKEN (--insecure)" in insecure
