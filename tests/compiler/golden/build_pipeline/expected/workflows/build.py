"""Workflow Build (build), generated from its graph."""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from package_builds.activities import build_artifact, checkout, publish, run_tests
    from package_builds.models import (
        BuildArtifactInput,
        BuildInput,
        BuildState,
        CheckoutInput,
        PublishInput,
        RunTestsInput,
    )


@workflow.defn(name="build")
class BuildWorkflow:
    """Checks out, tests and releases one package."""

    @workflow.init
    def __init__(self, input: BuildInput) -> None:
        self._input = input
        self._state = BuildState()

    @workflow.run
    async def run(self, input: BuildInput) -> str:
        """Checks out, tests and releases one package."""
        await self._phase_prepare()
        await self._phase_verify()
        target = self._input.channel + "-" + self._input.arch
        await self._phase_release(target=target)
        return self._state.url or ""

    @workflow.query(name="stage")
    def stage(self) -> str:
        """Query stage (node stage)."""
        return self._state.stage

    async def _phase_prepare(self) -> None:
        """Phase Prepare (node prepare)."""
        commit = await workflow.execute_activity(
            checkout,
            CheckoutInput(repo=self._input.repo, ref=self._input.ref),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        self._state.commit = commit
        self._state.stage = "prepared"

    async def _phase_verify(self) -> None:
        """Phase Verify (node verify)."""
        if self._input.run_tests:
            unit_failures = await workflow.execute_activity(
                run_tests,
                RunTestsInput(commit=self._state.commit, suite="unit"),
                start_to_close_timeout=timedelta(minutes=20),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="unit: Unit tests",
            )
            integration_failures = await workflow.execute_activity(
                run_tests,
                RunTestsInput(commit=self._state.commit, suite="integration"),
                start_to_close_timeout=timedelta(minutes=45),
                schedule_to_close_timeout=timedelta(hours=2),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="integration: Integration tests",
            )
            self._state.failures = unit_failures + integration_failures
            if self._state.failures > 0:
                raise ApplicationError(
                    f"{self._state.failures} tests failed at {self._state.commit}",
                    type="TestsFailed",
                    non_retryable=True,
                )
        self._state.stage = "verified"

    async def _phase_release(self, target: Any) -> None:
        """Phase Release (node release)."""
        artifact = await workflow.execute_activity(
            build_artifact,
            BuildArtifactInput(commit=self._state.commit, target=target),
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=10), maximum_attempts=3),
        )
        if not (artifact.size_bytes > 0):
            raise ApplicationError(
                f"the {target} artifact is empty", type="EmptyArtifact", non_retryable=False
            )
        url = await workflow.execute_activity(
            publish,
            PublishInput(path=artifact.path, channel=self._input.channel),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        self._state.url = url
        self._state.stage = "released"
