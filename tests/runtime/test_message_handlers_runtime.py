"""temporalio's safe message handlers sample, drawn as a graph and run on the dev server.

The cluster manager (tests/compiler/golden/safe_message_handlers) hands nodes out to jobs through
updates that call activities. Marked `exclusive`, those updates run one at a time under the
workflow's lock; left unmarked, concurrent updates read the same free nodes while their
activities run and book them twice. An update may also wait on a gate: its caller gets the
answer once the gate opens.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.exceptions import ApplicationError

from tests.support.harness import golden_project, import_package, running_worker, unique_id


def cluster_project(project_id: str, exclusive: bool) -> dict[str, Any]:
    document = golden_project("safe_message_handlers", project_id)
    for node in document["workflows"][0]["nodes"]:
        if node["type"] == "update" and "exclusive" in node["config"]:
            node["config"]["exclusive"] = exclusive
    return document


async def assign_six_jobs(handle: WorkflowHandle[Any, Any]) -> list[list[str] | BaseException]:
    """Six jobs ask for two nodes each at the same moment; five nodes exist."""
    answers: list[list[str] | BaseException] = await asyncio.gather(
        *(
            handle.execute_update(
                "assign_nodes_to_job", {"job_name": f"job-{n}", "total_needed": 2}
            )
            for n in range(6)
        ),
        return_exceptions=True,
    )
    return answers


async def test_exclusive_updates_never_book_a_node_twice(client: Client, package_dir: Path) -> None:
    safe = import_package(cluster_project("handlers-exclusive", exclusive=True), package_dir)
    unsafe = import_package(cluster_project("handlers-interleaved", exclusive=False), package_dir)
    outcomes: dict[str, list[list[str] | BaseException]] = {}
    booked: dict[str, dict[str, str]] = {}
    for name, modules in (("exclusive", safe), ("interleaved", unsafe)):
        async with running_worker(client, modules) as task_queue:
            handle = await client.start_workflow(
                "cluster-manager", id=unique_id("cluster"), task_queue=task_queue
            )
            outcomes[name] = await assign_six_jobs(handle)
            if name == "exclusive":
                # a query with an argument answers for the job it is asked about
                answers = {
                    f"job-{n}": await handle.query(
                        "nodes_of_job", {"job_name": f"job-{n}"}, result_type=list[str]
                    )
                    for n in range(6)
                }
            await handle.signal("shutdown_cluster")
            booked[name] = await handle.result()
    granted = [o for o in outcomes["exclusive"] if isinstance(o, list)]
    refused = [o for o in outcomes["exclusive"] if isinstance(o, BaseException)]
    # one at a time: two jobs get two nodes each, the other four are refused
    assert len(granted) == 2 and len(refused) == 4
    every_node = [node for nodes in granted for node in nodes]
    assert len(every_node) == len(set(every_node)) == 4
    for error in refused:
        assert isinstance(error, WorkflowUpdateFailedError)
        assert isinstance(error.cause, ApplicationError)
        assert error.cause.type == "NotEnoughNodes"
    granted_jobs = {
        f"job-{n}": outcome
        for n, outcome in enumerate(outcomes["exclusive"])
        if isinstance(outcome, list)
    }
    assert {job: nodes for job, nodes in answers.items() if nodes} == granted_jobs
    # the workflow's own record agrees: the granted nodes, and only they, are booked
    assert sorted(node for node, job in booked["exclusive"].items() if job) == sorted(every_node)
    # without the lock, every update read the same free nodes while its activity ran
    double_booked = [o for o in outcomes["interleaved"] if isinstance(o, list)]
    assert len(double_booked) > 2
    handed_out = [node for nodes in double_booked for node in nodes]
    assert len(handed_out) > len(set(handed_out))


async def test_an_update_that_waits_answers_once_its_gate_opens(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(cluster_project("handlers-waiting", exclusive=True), package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await client.start_workflow(
            "cluster-manager", {"node_count": 2}, id=unique_id("cluster"), task_queue=task_queue
        )
        await handle.execute_update("assign_nodes_to_job", {"job_name": "build", "total_needed": 2})
        waiting = await handle.start_update(
            "wait_until_a_node_is_free",
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
            result_type=int,
        )
        # the gate is listed while the update waits; the caller has no answer yet
        deadline = time.monotonic() + 60
        gates = await handle.query("pending_gates")
        while len(gates) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            gates = await handle.query("pending_gates")
        assert sorted(gate["gate"] for gate in gates) == ["a free node", "shutdown"]
        await handle.execute_update("delete_job", {"job_name": "build"})
        free = await waiting.result()
        await handle.signal("shutdown_cluster")
        nodes = await handle.result()
    assert free == 2
    assert nodes == {"node-0": "", "node-1": ""}
