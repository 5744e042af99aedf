"""Workflow Cluster manager (cluster-manager), generated from its graph."""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from cluster_manager.activities import allocate_nodes_to_job, deallocate_nodes_for_job
    from cluster_manager.models import (
        AllocateNodesToJobInput,
        ClusterManagerAssignNodesToJobUpdate,
        ClusterManagerDeleteJobUpdate,
        ClusterManagerInput,
        ClusterManagerNodesOfJobQuery,
        ClusterManagerState,
        DeallocateNodesForJobInput,
    )


@workflow.defn(name="cluster-manager")
class ClusterManagerWorkflow:
    """Hands the cluster's nodes out to jobs until it is shut down."""

    @workflow.init
    def __init__(self, input: ClusterManagerInput | None = None) -> None:
        self._input = input if input is not None else ClusterManagerInput()
        self._state = ClusterManagerState()
        self._pending_gates: list[dict[str, str]] = []
        self._handler_lock = asyncio.Lock()

    @workflow.run
    async def run(self, input: ClusterManagerInput | None = None) -> dict[str, str]:
        """Hands the cluster's nodes out to jobs until it is shut down."""
        self._state.nodes = {f"node-{n}": "" for n in range(self._input.node_count)}
        self._state.cluster_started = True
        await self._gate("until_shutdown", "shutdown", lambda: self._state.shutdown_requested)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.nodes

    @workflow.update(name="assign_nodes_to_job")
    async def assign_nodes_to_job(self, payload: ClusterManagerAssignNodesToJobUpdate) -> list[str]:
        """Update assign_nodes_to_job (node assign)."""
        async with self._handler_lock:
            await self._gate(
                "assign_started", "cluster started", lambda: self._state.cluster_started
            )
            chosen = sorted(n for n in self._state.nodes if self._state.nodes[n] == "")[
                : payload.total_needed
            ]
            if len(chosen) == payload.total_needed:
                await workflow.execute_activity(
                    allocate_nodes_to_job,
                    AllocateNodesToJobInput(nodes=chosen, job_name=payload.job_name),
                    start_to_close_timeout=timedelta(seconds=10),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
                self._state.nodes = {
                    n: payload.job_name if n in chosen else self._state.nodes[n]
                    for n in self._state.nodes
                }
                return chosen
            raise ApplicationError(
                f"{payload.job_name} needs {payload.total_needed} nodes; too few are free",
                type="NotEnoughNodes",
                non_retryable=True,
            )

    @assign_nodes_to_job.validator
    def validate_assign_nodes_to_job(self, payload: ClusterManagerAssignNodesToJobUpdate) -> None:
        if self._state.shutdown_requested:
            raise ValueError("the cluster is shutting down")

    @workflow.update(name="delete_job")
    async def delete_job(self, payload: ClusterManagerDeleteJobUpdate) -> None:
        """Update delete_job (node delete)."""
        async with self._handler_lock:
            await self._gate(
                "delete_started", "cluster started", lambda: self._state.cluster_started
            )
            held_nodes = sorted(
                n for n in self._state.nodes if self._state.nodes[n] == payload.job_name
            )
            await workflow.execute_activity(
                deallocate_nodes_for_job,
                DeallocateNodesForJobInput(nodes=held_nodes, job_name=payload.job_name),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=10),
            )
            self._state.nodes = {
                n: "" if n in held_nodes else self._state.nodes[n] for n in self._state.nodes
            }

    @workflow.update(name="wait_until_a_node_is_free")
    async def wait_until_a_node_is_free(self) -> int:
        """Update wait_until_a_node_is_free (node wait_for_free)."""
        await self._gate(
            "some_free", "a free node", lambda: any(job == "" for job in self._state.nodes.values())
        )
        return len([job for job in self._state.nodes.values() if job == ""])

    @workflow.signal(name="shutdown_cluster")
    async def shutdown_cluster(self) -> None:
        """Signal shutdown_cluster (node shutdown)."""
        self._state.shutdown_requested = True

    @workflow.query(name="nodes")
    def nodes(self) -> dict[str, str]:
        """Query nodes (node nodes_query)."""
        return self._state.nodes

    @workflow.query(name="nodes_of_job")
    def nodes_of_job(self, payload: ClusterManagerNodesOfJobQuery) -> list[str]:
        """Query nodes_of_job (node job_query)."""
        return sorted(n for n in self._state.nodes if self._state.nodes[n] == payload.job_name)

    @workflow.query(name="pending_gates")
    def pending_gates(self) -> list[dict[str, str]]:
        """The approval gates this workflow is waiting on."""
        return list(self._pending_gates)

    async def _gate(
        self,
        node: str,
        gate: str,
        approved: Callable[[], bool],
        rejected: Callable[[], bool] | None = None,
        timeout: timedelta | None = None,
    ) -> str:
        """Waits at an approval gate, listed by pending_gates meanwhile, until it is approved or
        rejected, or its timeout passes: returns "approved", "rejected" or "timeout"."""
        entry = {"gate": gate, "node": node, "since": workflow.now().isoformat()}
        self._pending_gates.append(entry)
        try:
            await workflow.wait_condition(
                lambda: approved() or (rejected is not None and rejected()),
                timeout=timeout,
                timeout_summary=f"{node}: {gate}" if timeout is not None else None,
            )
        except TimeoutError:
            return "timeout"
        finally:
            self._pending_gates.remove(entry)
        return "approved" if approved() else "rejected"
