"""The runtime `wfd serve` runs beside the API: Temporal and the deployments' workers.

One `Runtime` per data directory (a lock file says so). It starts the embedded Temporal dev
server unless the settings name a server of their own, waits until Temporal answers, then keeps
each deployment's worker where the database says it should be: a thread of its own compares the
`deployment` rows (`desired`) with the workers it runs, starts and stops workers, and writes back
what it sees (`status`, `pid`, `restarts`). The API, in this process or in the other processes
of `wfd serve --workers N`, only ever reads and writes those rows.

Worker versioning: where the server serves Worker Deployments (asked once Temporal answers,
again after no answer, after the embedded server restarted, on a deployment made since a
refusal and every minute; each change logged), each worker serves the version `<build id>` of
the Worker Deployment named after its task queue, its executions pinned to it, and once it
polls the runtime makes it the deployment's current version, where new executions go. A
deployment a newer one joined as a new version (`replaces` with `versioning`) is draining: it
is not made current again, its worker is stopped once no execution pinned to its version runs,
and the version is then deleted from the server. Where the server refuses, workers run
unversioned and each deployment is pinned by its task queue alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from backend.db import make_engine, writing
from backend.models import DeploymentRecord, utc_now
from backend.runtime.layout import DataLayout
from backend.runtime.process import SupervisedProcess, stop_leftover
from backend.runtime.temporal import (
    STARTUP_DEADLINE,
    EmbeddedTemporal,
    TemporalTarget,
    TemporalUnavailable,
    delete_version,
    make_current,
    wait_until_answering,
    worker_versioning_refused,
)
from backend.runtime.versions import pinned_count, side_by_side
from backend.runtime.workers import WorkerPlan, worker_spec
from backend.settings import Settings

logger = logging.getLogger("wfd.runtime")

RECONCILE_EVERY = 0.5
"""Seconds between two looks at the deployment rows (a request in this process wakes it)."""


RETRY_AFTER_ERROR = 5.0
RETRY_REFUSED_START = 30.0
DRAIN_CHECK_EVERY = 1.0
"""Seconds between two counts of a draining version's running executions."""
DELETE_TRY_EVERY = 15.0
"""Seconds between two tries to delete a drained version the server still refuses to delete
(it lists the stopped worker among the pollers for a while: `matching.PollerHistoryTTL`)."""
DELETE_GIVE_UP = 30 * 60.0
"""Seconds after which a drained version that could not be deleted is left on the server."""
ASK_VERSIONING_EVERY = 60.0
"""Seconds after which whether the server serves Worker Deployments is asked again (it may
have been restarted or reconfigured); sooner after a deploy, a restart or no answer."""


class RuntimeBusy(RuntimeError):
    """Another runtime already uses the data directory."""


@dataclass(frozen=True)
class _Row:
    plan: WorkerPlan
    desired: str
    status: str
    pid: int | None
    restarts: int
    replaces: str | None = None


@dataclass
class _Drained:
    deployment_name: str
    build_id: str
    since: float
    next_try: float = 0.0


Observed = tuple[str, int | None, int]
"""status, pid, restarts."""


class Runtime:
    def __init__(self, settings: Settings) -> None:
        if settings.temporal == "off":
            raise ValueError("no runtime runs with Temporal off")
        self.settings = settings
        self.layout = DataLayout.at(settings.data_dir)
        self.temporal: EmbeddedTemporal | None = None
        self.target: TemporalTarget | None = None
        self.workers: dict[str, SupervisedProcess] = {}
        self.ending: dict[str, asyncio.Task[None]] = {}
        self.refused: dict[str, float] = {}
        """Deployment id -> when to try again to start a worker that could not be started."""
        self.up = threading.Event()
        self.finished = threading.Event()
        self.stopping = threading.Event()
        self.failure: str | None = None
        self.engine: Engine | None = None
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.wake_event: asyncio.Event | None = None
        self.lock_file: IO[bytes] | None = None
        self.versioning = False
        """Workers serve Worker Deployment versions (the server allows it), else unversioned."""
        self.versioning_asked: tuple[float, bool, frozenset[str]] | None = None
        """When the server was last asked about worker versioning, whether it answered, and
        the deployments there were then; None: to be asked at the next look."""
        self.drain_checked: dict[str, float] = {}
        self.drained: dict[str, _Drained] = {}
        """Deployment id -> its drained version, to be deleted from the server once its
        worker has stopped."""
        self.drained_before_checked = False
        """Whether the stopped versions an earlier runtime drained were looked for."""

    # --- called from any thread ----------------------------------------------------------

    def start(self) -> None:
        """Take the data directory, start Temporal (embedded) and the thread that keeps the
        workers; returns without waiting for Temporal (see `wait_until_up`)."""
        self._take_data_dir()
        try:
            for pid_file in sorted(self.layout.run.glob("**/*.pid")):
                stop_leftover(pid_file)
            self.engine = make_engine(self.settings.database_url)
            self._nothing_runs_yet()
            self.choose_target()
            if self.temporal is not None:
                assert self.target is not None
                self.temporal.start()
                logger.info(
                    "Temporal dev server on %s (Web UI %s), its state in %s",
                    self.target.address,
                    self.target.ui_url,
                    self.layout.root / "temporal.db",
                )
            else:
                assert self.target is not None
                logger.info(
                    "Temporal at %s, namespace %s", self.target.address, self.target.namespace
                )
            self.thread = threading.Thread(target=self._run, name="wfd runtime", daemon=True)
            self.thread.start()
        except BaseException:
            self.stop()
            raise

    def choose_target(self) -> None:
        """Where Temporal will answer (the embedded server's ports, chosen now), so the app
        processes can be told before anything starts."""
        if self.target is not None:
            return
        if self.settings.temporal == "embedded":
            self.temporal = EmbeddedTemporal(self.settings, self.layout)
            self.target = self.temporal.target
        else:
            assert self.settings.temporal_address is not None
            self.target = TemporalTarget.of(self.settings, self.settings.temporal_address)

    def app_environment(self) -> dict[str, str]:
        """What `wfd serve` hands to its app processes so they find this runtime."""
        assert self.target is not None, "start the runtime first"
        env = {"WFD_RUNTIME": "parent", "WFD_TEMPORAL_ADDRESS": self.target.address}
        if self.target.ui_url:
            env["WFD_TEMPORAL_UI_URL"] = self.target.ui_url
        return env

    def wait_until_up(self, timeout: float = STARTUP_DEADLINE) -> None:
        """Until Temporal answers; TemporalUnavailable with its log's end when it does not."""
        give_up = time.monotonic() + timeout
        while not self.up.wait(0.05):
            if self.finished.is_set() or time.monotonic() > give_up:
                log = "\n".join(self.temporal.process.tail(30)) if self.temporal else ""
                reason = self.failure or f"Temporal did not answer within {timeout:g} s"
                raise TemporalUnavailable(f"{reason}\n{log}")

    def wake(self) -> None:
        """Look at the deployments now rather than at the next tick."""
        loop, event = self.loop, self.wake_event
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended
                loop.call_soon_threadsafe(event.set)

    def stop(self) -> None:
        """Stop every worker, then Temporal; return once all of them are gone."""
        self.stopping.set()
        self.wake()
        if self.thread is not None:
            self.thread.join()
        if self.temporal is not None:
            self.temporal.stop()
        if self.engine is not None:
            self.engine.dispose()
        if self.lock_file is not None:
            self.lock_file.close()  # releases the lock
            self.lock_file = None

    # --- the runtime's thread ------------------------------------------------------------

    def _take_data_dir(self) -> None:
        self.layout.run.mkdir(parents=True, exist_ok=True)
        lock_file = self.layout.lock.open("ab")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            raise RuntimeBusy(
                f"another wfd serve uses the data directory {str(self.layout.root)!r}; "
                "stop it, or give this one its own with WFD_DATA_DIR"
            ) from None
        self.lock_file = lock_file

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:
            logger.exception("the runtime stopped on an error")
        finally:
            self.finished.set()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.wake_event = asyncio.Event()
        client = await self._wait_for_temporal()
        if client is None:
            return
        try:
            while not self.stopping.is_set():
                pause = RECONCILE_EVERY
                try:
                    await self._reconcile(client)
                except Exception:
                    # the database or Temporal failing for a while must not end the workers
                    logger.exception("could not bring the workers up to date; trying again")
                    pause = RETRY_AFTER_ERROR
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake_event.wait(), pause)
                self.wake_event.clear()
        finally:
            await self._stop_workers()

    async def _wait_for_temporal(self) -> Client | None:
        assert self.target is not None
        while not self.stopping.is_set():
            try:
                client = await wait_until_answering(
                    self.target, still_worth_waiting=lambda: not self.stopping.is_set()
                )
            except TemporalUnavailable as error:
                self.failure = str(error)
                logger.error("%s; still trying", error)
                continue
            self.failure = None
            self._temporal_answered()
            await self._choose_versioning(client, frozenset())
            self.up.set()
            logger.info("Temporal answers at %s", self.target.address)
            return client
        return None

    async def _choose_versioning(self, client: Client, deployments: frozenset[str]) -> None:
        """Ask the server whether it serves Worker Deployments; workers started from now on
        serve versions, or run unversioned. A change of answer is logged; no answer keeps the
        last one (unversioned before the first)."""
        assert self.target is not None
        try:
            refused = await worker_versioning_refused(client, self.target.namespace)
        except RPCError as error:
            logger.warning(
                "could not ask the server whether it serves Worker Deployments (%s); workers "
                "started meanwhile run %s",
                error.message,
                "versioned" if self.versioning else "unversioned",
            )
            self.versioning_asked = (time.monotonic(), False, deployments)
            return
        changed = self.versioning_asked is None or self.versioning != (refused is None)
        self.versioning = refused is None
        self.versioning_asked = (time.monotonic(), True, deployments)
        if not changed:
            return
        if refused is None:
            logger.info(
                "worker versioning: each deployment's worker serves a Worker Deployment "
                "version, executions pinned to the version they started on"
            )
        else:
            logger.warning(
                "the server refuses Worker Deployments (%s): each deployment is pinned by its "
                "task queue alone",
                refused,
            )

    def _ask_versioning_again(self, deployments: frozenset[str]) -> bool:
        """Whether the server's answer about worker versioning may have changed: it did not
        answer last time, was restarted since (`versioning_asked` cleared), a deployment was
        made since it refused, or a while has passed."""
        if self.versioning_asked is None:
            return True
        when, answered, known = self.versioning_asked
        waited = time.monotonic() - when
        if not answered:
            return waited >= RETRY_AFTER_ERROR
        if not self.versioning and not deployments <= known:
            return True
        return waited >= ASK_VERSIONING_EVERY

    def _temporal_answered(self) -> None:
        if self.temporal is not None and self.temporal.process.pid is not None:
            self.temporal.process.mark_running(self.temporal.process.pid)

    async def _see_temporal_again(self, client: Client) -> None:
        """After the embedded server was restarted: running again once it answers."""
        if self.temporal is None or self.temporal.process.state != "starting":
            return
        assert self.target is not None
        try:
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=self.target.namespace),
                timeout=timedelta(seconds=2),
            )
        except RPCError:
            return
        self._temporal_answered()
        self.versioning_asked = None  # a restarted server may answer otherwise

    async def _reconcile(self, client: Client) -> None:
        rows = await asyncio.to_thread(self._read_rows)
        deployments = frozenset(row.plan.deployment_id for row in rows)
        if self._ask_versioning_again(deployments):
            versioning = self.versioning
            await self._choose_versioning(client, deployments)
            if self.versioning != versioning:
                rows = await asyncio.to_thread(self._read_rows)
        wanted = {row.plan.deployment_id: row for row in rows if row.desired == "running"}
        for deployment_id in [d for d in self.workers if d not in wanted]:
            worker = self.workers.pop(deployment_id)
            self.ending[deployment_id] = asyncio.create_task(self._end(deployment_id, worker))
        queues = {row.plan.deployment_id: row.plan.task_queue for row in rows}
        # a deployment that took over another's task queue starts once the other's worker
        # has stopped: one version of the code at a time picks up those executions
        ending = {queues.get(deployment_id) for deployment_id in self.ending}
        for deployment_id, row in wanted.items():
            if (
                deployment_id not in self.workers
                and deployment_id not in self.ending
                and row.plan.task_queue not in ending
            ):
                self._start_worker(row.plan)
        await self._see_temporal_again(client)
        draining = self._draining(rows)
        await self._see_who_polls(
            client, {row.plan.deployment_id: row.plan for row in rows}, set(draining)
        )
        await self._drain(client, draining)
        if self.versioning and not self.drained_before_checked:
            self._drained_before(rows)
        await self._delete_drained(client)
        changes = {}
        for row in rows:
            seen = self._observed(row.plan.deployment_id, row)
            if seen is not None and seen != (row.status, row.pid, row.restarts):
                changes[row.plan.deployment_id] = seen
        if changes:
            await asyncio.to_thread(self._write_status, changes)

    def _start_worker(self, plan: WorkerPlan) -> None:
        assert self.target is not None
        if time.monotonic() < self.refused.get(plan.deployment_id, 0.0):
            return
        worker = SupervisedProcess(worker_spec(plan, self.layout, self.target))
        try:
            worker.start()
        except OSError as error:  # its folder is gone, say: try again later, not every tick
            logger.error("cannot start the worker of %s: %s", plan.deployment_id, error)
            worker.log.note(f"cannot start the worker: {error}")
            worker.log.close()
            self.refused[plan.deployment_id] = time.monotonic() + RETRY_REFUSED_START
            return
        self.refused.pop(plan.deployment_id, None)
        self.workers[plan.deployment_id] = worker
        logger.info("started the worker of %s (pid %s)", plan.deployment_id, worker.pid)

    async def _end(self, deployment_id: str, worker: SupervisedProcess) -> None:
        try:
            await asyncio.to_thread(worker.stop)
            logger.info("stopped the worker of %s", deployment_id)
        finally:
            del self.ending[deployment_id]
        await asyncio.to_thread(
            self._write_status, {deployment_id: ("stopped", None, worker.restarts)}
        )

    def _observed(self, deployment_id: str, row: _Row) -> Observed | None:
        if deployment_id in self.ending:
            return None  # written once it has stopped
        worker = self.workers.get(deployment_id)
        if worker is None:
            return ("stopped", None, row.restarts)
        return (worker.state, worker.pid, worker.restarts)

    def _draining(self, rows: list[_Row]) -> dict[str, tuple[_Row, _Row]]:
        """Deployment id -> its row and the newer one's, of a versioned deployment a newer one
        joined on its task queue as a new version, both asked to run."""
        wanted = {row.plan.deployment_id: row for row in rows if row.desired == "running"}
        found = {}
        for row in wanted.values():
            old = wanted.get(row.replaces or "")
            if old is not None and side_by_side(old.plan, row.plan):
                found[old.plan.deployment_id] = (old, row)
        return found

    async def _drain(self, client: Client, draining: dict[str, tuple[_Row, _Row]]) -> None:
        """Stop a draining deployment once its newer version is current and no execution pinned
        to its version runs."""
        assert self.target is not None
        for deployment_id, (old, newer) in draining.items():
            worker = self.workers.get(newer.plan.deployment_id)
            if worker is None or worker.state != "running":
                continue  # not current yet: new executions may still go to the old version
            now = time.monotonic()
            if now < self.drain_checked.get(deployment_id, 0.0) + DRAIN_CHECK_EVERY:
                continue
            self.drain_checked[deployment_id] = now
            old_build = old.plan.build_id
            assert old_build is not None
            if await pinned_count(client, old.plan.task_queue, old_build) == 0:
                logger.info(
                    "no execution runs on %s (version %s) any more: stopping its worker",
                    deployment_id,
                    old_build,
                )
                await asyncio.to_thread(self._stop_drained, deployment_id)
                self.drain_checked.pop(deployment_id, None)
                self.drained[deployment_id] = _Drained(old.plan.task_queue, old_build, now)

    def _drained_before(self, rows: list[_Row]) -> None:
        """The stopped versions a newer one beside them replaced: an earlier runtime may have
        stopped them before it could delete them (a version deleted already answers
        NOT_FOUND; one executions are still pinned to is kept, see `_delete_drained`)."""
        self.drained_before_checked = True
        by_id = {row.plan.deployment_id: row for row in rows}
        now = time.monotonic()
        for row in rows:
            old = by_id.get(row.replaces or "")
            if (
                row.desired == "running"
                and old is not None
                and old.desired == "stopped"
                and old.plan.build_id is not None
                and side_by_side(old.plan, row.plan)
            ):
                deployment_id = old.plan.deployment_id
                version = _Drained(old.plan.task_queue, old.plan.build_id, now)
                self.drained.setdefault(deployment_id, version)

    async def _delete_drained(self, client: Client) -> None:
        """Delete the versions of drained deployments from the server once their workers have
        stopped, so the Worker Deployment lists the versions still in use; a failure is logged
        and tried again later, never fatal (a version left there costs nothing but a line)."""
        assert self.target is not None
        now = time.monotonic()
        for deployment_id, version in list(self.drained.items()):
            if deployment_id in self.workers or deployment_id in self.ending:
                continue  # its worker still polls
            if now < version.next_try:
                continue
            name, build_id = version.deployment_name, version.build_id
            # the delete skips the server's drainage check: count again right before it
            pinned = await pinned_count(client, name, build_id)
            if pinned is None:  # Temporal did not answer
                version.next_try = now + DELETE_TRY_EVERY
                continue
            if pinned > 0:  # started since, pinned there by hand (a versioning override)
                logger.warning(
                    "kept version %s of %s on the server: %d executions pinned to it run",
                    build_id,
                    name,
                    pinned,
                )
                del self.drained[deployment_id]
                continue
            try:
                await delete_version(client, self.target.namespace, name, build_id)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    del self.drained[deployment_id]  # deleted before
                elif now - version.since > DELETE_GIVE_UP:
                    logger.warning("left version %s of %s on the server: %s", build_id, name, error)
                    del self.drained[deployment_id]
                else:
                    logger.info("version %s of %s not deleted yet: %s", build_id, name, error)
                    version.next_try = now + DELETE_TRY_EVERY
                continue
            logger.info("deleted the drained version %s of %s from the server", build_id, name)
            del self.drained[deployment_id]

    async def _see_who_polls(
        self, client: Client, plans: dict[str, WorkerPlan], draining: set[str]
    ) -> None:
        """A worker is running once Temporal lists it among the task queue's pollers (its
        identity is `<pid>@<host>`): started is not yet able to take work. A versioned one is
        then made its deployment's current version, unless it is draining."""
        assert self.target is not None
        for deployment_id, worker in self.workers.items():
            pid = worker.pid
            if worker.state != "starting" or pid is None or deployment_id not in plans:
                continue
            request = DescribeTaskQueueRequest(
                namespace=self.target.namespace,
                task_queue=TaskQueue(name=plans[deployment_id].task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
            try:
                answer = await client.workflow_service.describe_task_queue(request)
            except RPCError:
                continue
            if not any(poller.identity.startswith(f"{pid}@") for poller in answer.pollers):
                continue
            plan = plans[deployment_id]
            if plan.build_id is not None and deployment_id not in draining:
                try:
                    await make_current(
                        client, self.target.namespace, plan.task_queue, plan.build_id
                    )
                except RPCError as error:  # its version is not registered yet, say
                    logger.info("version %s not made current yet: %s", plan.build_id, error)
                    continue
                logger.info("%s (version %s) is current", deployment_id, plan.build_id)
            worker.mark_running(pid)

    async def _stop_workers(self) -> None:
        workers, self.workers = self.workers, {}
        await asyncio.gather(
            *(asyncio.to_thread(worker.stop) for worker in workers.values()),
            *self.ending.values(),
        )
        stopped: dict[str, Observed] = {
            deployment_id: ("stopped", None, worker.restarts)
            for deployment_id, worker in workers.items()
        }
        if stopped:
            await asyncio.to_thread(self._write_status, stopped)

    # --- the database --------------------------------------------------------------------

    def _read_rows(self) -> list[_Row]:
        assert self.engine is not None
        with Session(self.engine) as session:
            records = session.exec(select(DeploymentRecord).order_by(col(DeploymentRecord.id)))
            return [
                _Row(
                    plan=WorkerPlan(
                        deployment_id=record.id,
                        project_id=record.project_id,
                        package=record.package,
                        task_queue=record.task_queue,
                        build_id=record.build_id if self.versioning else None,
                    ),
                    desired=record.desired,
                    status=record.status,
                    pid=record.pid,
                    restarts=record.restarts,
                    replaces=record.replaces,
                )
                for record in records
            ]

    def _stop_drained(self, deployment_id: str) -> None:
        assert self.engine is not None
        with Session(self.engine) as session, writing(session):
            session.exec(
                update(DeploymentRecord)
                .where(col(DeploymentRecord.id) == deployment_id)
                .values(desired="stopped", updated_at=utc_now())
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _nothing_runs_yet(self) -> None:
        """What an earlier runtime wrote (one killed before it could say so) is past."""
        assert self.engine is not None
        with Session(self.engine) as session, writing(session):
            session.exec(
                update(DeploymentRecord)
                .where(col(DeploymentRecord.status) != "stopped")
                .values(status="stopped", pid=None, updated_at=utc_now())
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _write_status(self, changes: dict[str, Observed]) -> None:
        assert self.engine is not None
        now = utc_now()
        with Session(self.engine) as session, writing(session):
            for deployment_id, (status, pid, restarts) in changes.items():
                session.exec(
                    update(DeploymentRecord)
                    .where(col(DeploymentRecord.id) == deployment_id)
                    .values(status=status, pid=pid, restarts=restarts, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
            session.commit()
