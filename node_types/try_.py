"""`try`: run steps; if one fails, undo the completed ones in reverse and take the error path.

Steps inside that declare a compensation register it once they complete (a saga): on failure the
registered compensations run newest first, then the `error` port's path runs (reading `error`,
the failure's message), or the failure propagates when that port is not wired.

A Try cancelled before it finishes (the workflow is cancelled, or a failure beside it cancels
its task) undoes its completed steps too, then lets the cancellation go on; nested in another
Try, it hands them to that one instead. Steps run side by side (parallel branches, a concurrent
loop) are cancelled when one of them fails; a step with a compensation is shielded from that
cancellation and runs to its end, and the parallel or loop waits for it, so that its undo is
registered before the compensations run.
"""

from __future__ import annotations

from language.names import names_in
from node_types.base import Config, NodeType, Port, Role, step_failures
from node_types.context import NodeRender


class TryConfig(Config):
    pass


UNDO_ALL_METHOD = '''async def _undo_all(
    self, label: str, compensations: list[Callable[[], Awaitable[Any]]], cause: BaseException
) -> None:
    """Runs every undo step, newest first, even when one of them fails; then reports each
    failure, chained to the failure or cancellation that made the Try undo."""
    reason = "cancelled" if is_cancelled_exception(cause) else "failed"
    workflow.logger.warning(
        "%s %s: %s; undoing %d completed steps",
        label,
        reason,
        self._failure_message(cause),
        len(compensations),
    )
    failures: list[str] = []
    for compensate in reversed(compensations):
        try:
            await compensate()
        except (ActivityError, ChildWorkflowError, ApplicationError) as failure:
            failures.append(self._failure_message(failure))
    if failures:
        raise ApplicationError(
            f"{label}: {len(failures)} of {len(compensations)} undo steps failed: "
            + "; ".join(failures),
            type="CompensationFailed",
            non_retryable=True,
        ) from cause'''


class TryKind(NodeType[TryConfig]):
    kind = "try"
    label = "Try"
    category = "containers"
    icon = "shield"
    color = "#be123c"
    description = "Runs its steps; on a failure, undoes completed steps and takes the error path."
    config = TryConfig
    role = Role.CONTAINER
    template = "try_.jinja"
    outputs = (Port("out", "done"), Port("error", "error", raises_when_unwired=True))
    body_context = "try"
    port_binds = {"error": (("error", "str"),)}
    collects_compensations = True
    catches_failures = True
    catch_port = "error"
    after_whole_body = frozenset({"out"})

    def prepare(self, config: TryConfig, ctx: NodeRender) -> dict[str, object]:
        ctx.imports.add("ApplicationError")
        has_error_path = bool(ctx.bodies("error"))
        exception = ctx.claim_local("failure")
        body = ctx.body("body") or "pass"
        compensations = ctx.container_name("compensations")
        collects = compensations in names_in(body)
        caught = step_failures(body)
        if collects:
            ctx.failure_message(exception)
            ctx.add_member("undo_all", "", UNDO_ALL_METHOD)
        return {
            "undo_all": "self._undo_all",
            "collects": collects,
            "caught": caught,
            # a cancellation (of the workflow, or of this task by a failure beside it) arrives as
            # asyncio.CancelledError or as a step failure caused by it: it undoes, never errors
            "caught_or_cancelled": f"{caught[:-1]}, asyncio.CancelledError)",
            # when success always leaves, only a failure gets past the try: no guard needed
            "success_leaves": ctx.leaves("out"),
            # the message at the root of the failure, for the log and the `error` name
            "failure_message": ctx.failure_message(exception),
            "compensations": compensations,
            "outer": ctx.scope.compensations,
            "exception": exception,
            "error_name": ctx.container_name("error") if has_error_path else None,
            "body": body,
            "on_error": ctx.body("error"),
            "on_success": ctx.body("out"),
            "has_error_path": has_error_path,
            "label": repr(f"{ctx.node.id}: {ctx.node.label or 'try'}"[:200]),
        }


KIND = TryKind()
