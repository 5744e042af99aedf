"""`wfd compile NEW --compatible-with OLD`: executions started on the old version, still
waiting when the worker changes to the new one, finish on it without a nondeterminism error,
taking the old path; new executions take the new path. Run on the dev server.

Version 1: a, then a gate (a signal opens it), then a timer, then b.
Version 2: a, a new step c, the gate, b (the timer removed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Replayer, Worker

from compiler import compile_project
from tests.support.changes import (
    activities_run,
    chooser,
    timers,
    until_activities_done,
    until_event,
    until_waiting,
    version_one,
    version_two,
)
from tests.support.harness import chain, edge, import_package, node, unique_id


async def test_old_executions_finish_on_the_patched_version_and_new_ones_take_the_new_path(
    client: Client, tmp_path: Path
) -> None:
    old_document = version_one(unique_id("patch-old"))
    new_document = version_two(unique_id("patch-new"))
    old = import_package(old_document, tmp_path / "v1")
    plain = import_package(new_document, tmp_path / "v2")
    patched_document = {**new_document, "id": unique_id("patch-patched")}
    patched_result = compile_project(patched_document, compatible_with=old_document)
    assert patched_result.ok, [d.format() for d in patched_result.diagnostics]
    patched = import_package_compatible(patched_document, old_document, tmp_path / "v2p")
    task_queue = unique_id("tq")

    async with Worker(
        client,
        task_queue=task_queue,
        workflows=old["worker"].WORKFLOWS,
        activities=old["worker"].ACTIVITIES,
    ):
        waiting = [
            await client.start_workflow(
                "flow", old["models"].FlowInput(), id=unique_id("old"), task_queue=task_queue
            )
            for _ in range(2)
        ]
        for handle in waiting:
            await until_waiting(handle)
        # one more is past the gate, in the timer, when the version changes
        sleeping = await client.start_workflow(
            "flow", old["models"].FlowInput(), id=unique_id("old"), task_queue=task_queue
        )
        await until_waiting(sleeping)
        await sleeping.signal("go")
        await until_event(sleeping, EventType.EVENT_TYPE_TIMER_STARTED)
    # the old version's worker is gone; the patched new version takes over the task queue
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=patched["worker"].WORKFLOWS,
        activities=patched["worker"].ACTIVITIES,
    ):
        for handle in waiting:
            await handle.signal("go")
        for handle in [*waiting, sleeping]:
            await handle.result()
        fresh = await client.start_workflow(
            "flow", patched["models"].FlowInput(), id=unique_id("new"), task_queue=task_queue
        )
        await until_waiting(fresh)
        await fresh.signal("go")
        await fresh.result()

    old_histories = [await handle.fetch_history() for handle in [*waiting, sleeping]]
    fresh_history = await fresh.fetch_history()
    for history in old_histories:
        failed_tasks = [
            e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        ]
        assert failed_tasks == [], "no nondeterminism error on the patched version"
        # what was recorded before the change replays the old way: no c after a
        assert activities_run(list(history.events)) == ["step_one", "step_two"]
    # the one in the timer keeps it; the ones still at the gate go on the new way, without it
    # (code past what history recorded takes the patched path, as Temporal's patching does)
    assert [timers(list(history.events)) for history in old_histories] == [0, 0, 1]
    # the new path: c, and no timer
    assert activities_run(list(fresh_history.events)) == ["step_one", "step_three", "step_two"]
    assert timers(list(fresh_history.events)) == 0

    # without the patches, the new version cannot replay what the old one recorded
    plain_replay = await Replayer(workflows=plain["worker"].WORKFLOWS).replay_workflow(
        old_histories[0], raise_on_replay_failure=False
    )
    assert plain_replay.replay_failure is not None
    assert "Nondeterminism" in str(plain_replay.replay_failure)
    # and the patched version replays both kinds of history
    replayer = Replayer(workflows=patched["worker"].WORKFLOWS)
    for history in [*old_histories, fresh_history]:
        await replayer.replay_workflow(history)


def import_package_compatible(
    document: dict[str, Any], old_document: dict[str, Any], folder: Path
) -> dict[str, Any]:
    import importlib
    import sys

    from tests.support.harness import write_package

    result = compile_project(document, compatible_with=old_document)
    assert result.ok, [d.format() for d in result.diagnostics]
    write_package(result, folder)
    sys.path.insert(0, str(folder))
    modules = {"package": importlib.import_module(result.package)}
    for name in ("models", "worker"):
        modules[name] = importlib.import_module(f"{result.package}.{name}")
    return modules


def test_a_change_no_patch_can_guard_is_named_by_node() -> None:
    old_document = version_one("patch-refused-old")
    changed = json.loads(json.dumps(version_two("patch-refused")))
    # the gate now waits for something else: a shared node whose settings changed
    for item in changed["workflows"][0]["nodes"]:
        if item["id"] == "gate":
            item["config"]["approved_when"] = "not state.go"
    result = compile_project(changed, compatible_with=old_document)
    found = [(d.code, d.node_id) for d in result.diagnostics]
    assert found == [("E219", "gate")]
    assert "its settings changed" in result.diagnostics[0].message
    assert not result.files


@pytest.mark.parametrize("what", ["label", "timeout", "retry"])
def test_a_label_a_timeout_or_a_retry_policy_needs_no_patch(what: str) -> None:
    """A replay compares none of them: new attempts of old executions follow the new policy."""
    old_document = version_one("patch-neutral-old")
    changed = json.loads(json.dumps(old_document))
    changed["id"] = "patch-neutral"
    for item in changed["workflows"][0]["nodes"]:
        if item["id"] == "a":
            if what == "label":
                item["label"] = "The first step, renamed"
            elif what == "retry":
                item["config"]["retry"] = {"maximum_attempts": 7, "initial_interval": "3s"}
            else:
                item["config"]["start_to_close_timeout"] = "2m"
    result = compile_project(changed, compatible_with=old_document)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert "workflow.patched" not in result.files["workflows/flow.py"]


def test_the_cli_writes_the_patched_package_or_names_what_it_cannot_guard(tmp_path: Path) -> None:
    from tests.cli.test_cli import assert_no_traceback, wfd

    old = tmp_path / "old.json"
    old.write_text(json.dumps(version_one("patch-cli")))
    new = tmp_path / "new.json"
    new.write_text(json.dumps(version_two("patch-cli")))
    written = wfd("compile", new, "--compatible-with", old, "-o", tmp_path / "out")
    assert_no_traceback(written)
    assert written.returncode == 0, written.stderr
    code = (tmp_path / "out" / "patch_cli" / "workflows" / "flow.py").read_text()
    assert "if workflow.patched(" in code and "if not workflow.patched(" in code

    refused_document = version_two("patch-cli")
    refused_document["workflows"][0]["nodes"][2]["config"]["approved_when"] = "not state.go"
    new.write_text(json.dumps(refused_document))
    refused = wfd("compile", new, "--compatible-with", old, "-o", tmp_path / "refused")
    assert_no_traceback(refused)
    assert refused.returncode == 1
    assert "flow › gate: its settings changed" in refused.stderr and "[E219]" in refused.stderr
    assert not (tmp_path / "refused").exists()


def test_a_step_replaced_by_two_others_keeps_the_old_one_under_the_same_patch() -> None:
    old_document = version_one("patch-replace-old")
    new_document = version_one("patch-replace")
    workflow = new_document["workflows"][0]
    workflow["nodes"] = [n for n in workflow["nodes"] if n["id"] != "nap"] + [
        node("d", "activity", activity="step_three"),
        node("e", "timer", duration="2s"),
    ]
    workflow["edges"] = [
        *chain("start", "a", "gate"),
        edge("gate", "d", "approved"),
        *chain("d", "e", "b", "finish"),
        *chain("open", "opened"),
    ]
    result = compile_project(new_document, compatible_with=old_document)
    assert result.ok, [d.format() for d in result.diagnostics]
    code = result.files["workflows/flow.py"]
    body = code[code.index("async def run") : code.index("@workflow.signal")]
    guards = [line.strip() for line in body.splitlines() if "workflow.patched(" in line]
    patch_id = guards[0].split('"')[1]
    assert patch_id.startswith("d@")
    assert guards == [
        f'if not workflow.patched("{patch_id}"):',
        f'if workflow.patched("{patch_id}"):',
        f'if workflow.patched("{patch_id}"):',
    ]
    # the old timer, then the new steps, in that order, before b
    assert body.index("seconds=1.5") < body.index("step_three") < body.index("seconds=2")
    assert body.index("seconds=2") < body.index("step_two")


def version_a_changed(project_id: str) -> dict[str, Any]:
    """Version 1 whose step a calls another activity: a changed step in a chain."""
    document = version_one(project_id)
    for item in document["workflows"][0]["nodes"]:
        if item["id"] == "a":
            item["config"]["activity"] = "step_three"
    return document


async def test_a_changed_step_keeps_its_old_settings_for_the_executions_that_ran_them(
    client: Client, tmp_path: Path
) -> None:
    old_document = version_one(unique_id("changed-old"))
    new_document = version_a_changed(unique_id("changed-new"))
    old = import_package(old_document, tmp_path / "v1")
    plain = import_package(new_document, tmp_path / "v2")
    result = compile_project(new_document, compatible_with=old_document)
    assert result.ok, [d.format() for d in result.diagnostics]
    code = result.files["workflows/flow.py"]
    assert code.count("workflow.patched(") == 2  # the old call under `not`, the new one under it
    patched = import_package_compatible(
        {**new_document, "id": unique_id("changed-patched")}, old_document, tmp_path / "v2p"
    )
    task_queue = unique_id("tq")
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=old["worker"].WORKFLOWS,
        activities=old["worker"].ACTIVITIES,
    ):
        waiting = await client.start_workflow(
            "flow", old["models"].FlowInput(), id=unique_id("old"), task_queue=task_queue
        )
        await until_waiting(waiting)
    recorded = await waiting.fetch_history()
    broken = await Replayer(workflows=plain["worker"].WORKFLOWS).replay_workflow(
        recorded, raise_on_replay_failure=False
    )
    assert broken.replay_failure is not None, "unpatched, the changed step cannot replay"
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=patched["worker"].WORKFLOWS,
        activities=patched["worker"].ACTIVITIES,
    ):
        await waiting.signal("go")
        await waiting.result()
        fresh = await client.start_workflow(
            "flow", patched["models"].FlowInput(), id=unique_id("new"), task_queue=task_queue
        )
        await until_waiting(fresh)
        await fresh.signal("go")
        await fresh.result()
    old_events = [e async for e in waiting.fetch_history_events()]
    assert [
        e for e in old_events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ] == []
    assert activities_run(old_events) == ["step_one", "step_two"]
    assert activities_run([e async for e in fresh.fetch_history_events()]) == [
        "step_three",
        "step_two",
    ]


@pytest.mark.parametrize("kind", ["condition", "switch"])
async def test_a_changed_choice_is_patched_at_its_node(
    kind: str, client: Client, tmp_path: Path
) -> None:
    """Version 1 chooses c for size 3 (`input.size > 5` fails), version 2 chooses b (`input.size
    > 1` holds). Executions that chose on version 1 and wait at the gate finish on the patched
    version 2 the way they chose; a new one takes the new branch."""
    old_document = chooser(unique_id(f"{kind}-old"), kind, "input.size > 5")
    new_document = chooser(unique_id(f"{kind}-new"), kind, "input.size > 1")
    old = import_package(old_document, tmp_path / "v1")
    plain = import_package(new_document, tmp_path / "v2")
    result = compile_project(new_document, compatible_with=old_document)
    assert result.ok, [d.format() for d in result.diagnostics]
    code = result.files["workflows/flow.py"]
    assert code.count("workflow.patched(") == 1, "the choice is made once, at the node"
    assert 'if workflow.patched("check@' in code
    patched = import_package_compatible(
        {**new_document, "id": unique_id(f"{kind}-patched")}, old_document, tmp_path / "v2p"
    )
    task_queue = unique_id("tq")
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=old["worker"].WORKFLOWS,
        activities=old["worker"].ACTIVITIES,
    ):
        waiting = [
            await client.start_workflow(
                "flow", old["models"].FlowInput(size=3), id=unique_id("old"), task_queue=task_queue
            )
            for _ in range(2)
        ]
        for handle in waiting:
            await until_activities_done(handle, 2)
    recorded = await waiting[0].fetch_history()
    broken = await Replayer(workflows=plain["worker"].WORKFLOWS).replay_workflow(
        recorded, raise_on_replay_failure=False
    )
    assert broken.replay_failure is not None, "unpatched, the changed choice cannot replay"
    assert "Nondeterminism" in str(broken.replay_failure)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=patched["worker"].WORKFLOWS,
        activities=patched["worker"].ACTIVITIES,
    ):
        for handle in waiting:
            await handle.signal("go")
            await handle.result()
        fresh = await client.start_workflow(
            "flow", patched["models"].FlowInput(size=3), id=unique_id("new"), task_queue=task_queue
        )
        await until_activities_done(fresh, 2)
        await fresh.signal("go")
        await fresh.result()
    for handle in waiting:
        events = [e async for e in handle.fetch_history_events()]
        failed = [e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
        assert failed == [], "no nondeterminism error on the patched version"
        assert activities_run(events) == ["step_one", "step_three"], "the old choice, kept"
    fresh_events = [e async for e in fresh.fetch_history_events()]
    assert activities_run(fresh_events) == ["step_one", "step_two"], "the new choice"
    replayer = Replayer(workflows=patched["worker"].WORKFLOWS)
    for history in [recorded, await fresh.fetch_history()]:
        await replayer.replay_workflow(history)


def test_a_switch_whose_cases_changed_or_an_old_test_that_no_longer_checks_is_refused() -> None:
    old_document = chooser("choice-refused-old", "switch", "input.size > 5")
    renamed = chooser("choice-refused", "switch", "input.size > 1")
    for item in renamed["workflows"][0]["nodes"]:
        if item["id"] == "check":
            item["config"]["cases"][1]["key"] = "medium"
    renamed["workflows"][0]["edges"] = [
        {**e, "source_handle": "case:medium"} if e.get("source_handle") == "case:mid" else e
        for e in renamed["workflows"][0]["edges"]
    ]
    result = compile_project(renamed, compatible_with=old_document)
    assert {(d.code, d.node_id) for d in result.diagnostics} == {("E219", "check")}
    assert any(
        "condition or a switch (its cases keyed as before)" in d.message for d in result.diagnostics
    )
    assert not result.files

    # the old test reads an input field the new version no longer has
    reading = chooser("choice-unread-old", "condition", "input.size > 5")
    new_document = chooser("choice-unread", "condition", "len(input.name) > 1")
    new_document["workflows"][0]["input"] = {"name": "str"}
    result = compile_project(new_document, compatible_with=reading)
    assert not result.ok and not result.files
    (problem,) = [d for d in result.diagnostics if d.node_id == "check"]
    assert "the old version's expression for the 'true' port" in problem.message
    assert "'size'" in problem.message
