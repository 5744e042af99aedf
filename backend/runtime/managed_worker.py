"""The managed worker's entry: the generated `<package>.worker`, with stand-ins for test runs.

The deployment folder gets a copy of this file (`_wfd_managed_worker.py`, see
`backend.services.deployments`) and the runtime runs it there as
`python -m _wfd_managed_worker <package>.worker`; so it imports nothing but the standard library
and temporalio, and the package users download never contains it.

A run started with stand-ins carries them in its memo under `wfd.stand_ins`:

    {"<node id>": {"activities": ["charge"], "result": <JSON>}}
    {"<node id>": {"activities": ["charge"], "error": {"message": ..., "type": ...,
                                                       "non_retryable": ...}}}

The workflow interceptor reads the memo (once per run, and the same on replay), and when an
activity call belongs to such a node adds the stand-in to the call's headers. A call belongs to
the node when it calls one of the node's activities and its summary is `"<node id>: ..."`; a call
without a summary is the only call site of its activity type in the workflow (the generated code
leaves summaries out where the type alone names the node, `compiler.activity_owners`), so it
belongs to the one node that lists its type. The activity interceptor then answers
it instead of running the activity: the result goes back as the activity's own would, the error
is raised as an `ApplicationError`, so Temporal retries it per the call's retry policy. History
keeps its usual shape: the activity is scheduled, started, and completes or fails.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

MEMO_KEY = "wfd.stand_ins"
HEADER = "wfd-stand-in"


class StandIns(Interceptor):
    """Answers the activity calls of the nodes a run's memo gives stand-ins for."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _AnswerStandIn(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _MarkStandIns


class _MarkStandIns(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_MarkActivityCalls(outbound))


class _MarkActivityCalls(WorkflowOutboundInterceptor):
    def __init__(self, next: WorkflowOutboundInterceptor) -> None:
        super().__init__(next)
        self._stand_ins: Mapping[str, Any] | None = None

    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        stand_in = self._stand_in_for(input.summary or "", input.activity)
        if stand_in is not None:
            payload = workflow.payload_converter().to_payload(stand_in)
            input.headers = {**input.headers, HEADER: payload}
        return super().start_activity(input)

    def _stand_in_for(self, summary: str, activity_type: str) -> dict[str, Any] | None:
        if self._stand_ins is None:
            found = workflow.memo_value(MEMO_KEY, default=None)
            self._stand_ins = found if isinstance(found, dict) else {}
        best: str | None = None
        for node_id, entry in self._stand_ins.items():
            if activity_type not in entry.get("activities", ()):
                continue
            if not summary:
                # no summary: the activity type is called from one place, this node's
                best = node_id
                break
            # summaries are cut at 200 characters, so a long id may end one
            if not summary.startswith(f"{node_id}: "[:200]):
                continue
            if best is None or len(node_id) > len(best):
                best = node_id
        if best is None:
            return None
        entry = self._stand_ins[best]
        if "error" in entry:
            return {"node": best, "error": entry["error"]}
        return {"node": best, "result": entry.get("result")}


class _AnswerStandIn(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        payload = input.headers.get(HEADER)
        if payload is None:
            return await super().execute_activity(input)
        stand_in = activity.payload_converter().from_payload(payload)
        node = stand_in.get("node")
        error = stand_in.get("error")
        if error is not None:
            activity.logger.info("stand-in failure for node %r", node)
            raise ApplicationError(
                str(error.get("message", "stand-in failure")),
                type=error.get("type") or "StandInFailure",
                non_retryable=bool(error.get("non_retryable", False)),
            )
        activity.logger.info("stand-in result for node %r", node)
        return stand_in.get("result")


def main(worker_module: str) -> None:
    worker = importlib.import_module(worker_module)
    asyncio.run(worker.main(interceptors=[StandIns()]))


if __name__ == "__main__":
    main(sys.argv[1])
    # shut down; the SDK's Rust threads may outlive the event loop and abort the interpreter's
    # teardown (temporalio/sdk-python#300), which the supervisor would count as a crash
    logging.shutdown()
    os._exit(0)
