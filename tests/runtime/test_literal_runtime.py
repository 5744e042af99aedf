"""Literal fields on the dev server: the choices travel through input, state, an activity, a
query and an update; a start with a value outside them is refused by the generated starter
before anything starts (a worker decoding it would fail every workflow task, without end)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from tests.compiler.test_literal_types import review_project
from tests.runtime.test_starter_runtime import run_starter
from tests.support.harness import import_package, running_worker, unique_id


async def test_literal_values_round_trip_through_a_run(client: Client, tmp_path: Path) -> None:
    modules = import_package(review_project(unique_id("choices").replace("-", "")), tmp_path)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        handle = await client.start_workflow(
            "review",
            models.ReviewInput(phase="done", priority=3),
            id=unique_id("review"),
            task_queue=task_queue,
        )
        assert await handle.result() == "approved"
        assert await handle.query("stage") == "done"


async def test_a_value_outside_the_choices_is_refused_before_a_start(
    client: Client, tmp_path: Path
) -> None:
    document = review_project(unique_id("choices").replace("-", ""))
    modules = import_package(document, tmp_path)
    workflow_id = unique_id("refused")
    refused = run_starter(
        client,
        tmp_path,
        modules["package"].__name__,
        "start",
        "review",
        "--id",
        workflow_id,
        "--input",
        json.dumps({"phase": "revew"}),
    )
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: input.phase takes one of 'draft', 'review', 'done'; 'revew' is not one of them\n"
    )
    with pytest.raises(RPCError) as missing:
        await client.get_workflow_handle(workflow_id).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND


async def test_a_signal_or_update_payload_outside_the_choices_is_refused_before_it_is_sent(
    client: Client, tmp_path: Path
) -> None:
    document = review_project(unique_id("payloads").replace("-", ""))
    modules = import_package(document, tmp_path)
    package = modules["package"].__name__
    # no worker: the run stays open, and nothing but the starter's own check can refuse
    handle = await client.start_workflow(
        "review",
        modules["models"].ReviewInput(phase="draft"),
        id=unique_id("review"),
        task_queue=unique_id("nobody"),
    )
    try:
        refused = [
            run_starter(
                client, tmp_path, package, command, handle.id, name, "--payload", json.dumps(body)
            )
            for command, name, body in (
                ("signal", "mark", {"phase": "revew"}),
                ("update", "advance", {"to": "dne"}),
            )
        ]
        sent = run_starter(
            client, tmp_path, package, "signal", handle.id, "mark", "--payload", '{"phase": null}'
        )
        signals = [
            event
            async for event in handle.fetch_history_events()
            if event.HasField("workflow_execution_signaled_event_attributes")
        ]
    finally:
        await handle.terminate()

    assert [r.returncode for r in refused] == [1, 1]
    assert refused[0].stderr == (
        "error: payload.phase takes one of 'draft', 'review', 'done'; 'revew' is not one of them\n"
    )
    assert "payload.to takes one of 'draft', 'review', 'done'; 'dne'" in refused[1].stderr
    assert sent.returncode == 0, sent.stderr
    assert len(signals) == 1, "only the payload within the choices was sent"
