"""The app's way to the runtime: whether it can deploy, where Temporal is, one shared client.

Every app process has one `RuntimeAccess` (`app.state.runtime`, `RuntimeDep` in routes). The
runtime itself runs in the app (`runtime="app"`, tests), or in the `wfd serve` process that
started the app (`runtime="parent"`, its Temporal address handed over in WFD_TEMPORAL_ADDRESS).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, status
from sqlmodel import Session
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

from backend.db import run
from backend.errors import Unavailable
from backend.runtime.host import Runtime
from backend.runtime.layout import DataLayout
from backend.runtime.temporal import TemporalTarget, TemporalUnavailable, connect
from backend.services.deployments import DeploymentHandle, deployment_handle
from backend.settings import Settings, TemporalMode


class RuntimeAccess:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.layout = DataLayout.at(settings.data_dir)
        self.runtime: Runtime | None = None
        """The runtime this app runs itself (`runtime="app"`), once started."""
        self._client: tuple[TemporalTarget, Client] | None = None
        self._connecting = asyncio.Lock()

    @property
    def mode(self) -> TemporalMode:
        return self.settings.temporal

    @property
    def namespace(self) -> str:
        return self.settings.temporal_namespace

    @property
    def target(self) -> TemporalTarget | None:
        """Where Temporal is, or None when it is off (or the app's own runtime is not started)."""
        if self.mode == "off":
            return None
        if self.runtime is not None:
            return self.runtime.target
        if self.settings.temporal_address:
            return TemporalTarget.of(self.settings, self.settings.temporal_address)
        return None

    @property
    def can_deploy(self) -> bool:
        """A runtime runs the deployments' workers: this app's own, or `wfd serve`'s."""
        if self.mode == "off":
            return False
        return self.runtime is not None or self.settings.runtime == "parent"

    def require_deployments(self) -> None:
        if self.mode == "off":
            raise Unavailable(
                "this server runs without Temporal (wfd serve --temporal off), so it cannot "
                "deploy; start it without --temporal off, or with TEMPORAL_ADDRESS set",
                status.HTTP_409_CONFLICT,
            )
        if not self.can_deploy:
            raise Unavailable(
                "no runtime runs beside this app, so it cannot deploy; start it with `wfd serve`",
                status.HTTP_409_CONFLICT,
            )

    def wake(self) -> None:
        """Tell the runtime, when it runs in this process, that the deployments changed."""
        if self.runtime is not None:
            self.runtime.wake()

    async def client(self) -> Client:
        """A client connected to the configured Temporal, made once and shared."""
        target = self.target
        if target is None:
            raise TemporalUnavailable(
                "Temporal is off on this server"
                if self.mode == "off"
                else "Temporal is not started yet; try again in a moment"
            )
        async with self._connecting:
            if self._client is not None and self._client[0] == target:
                return self._client[1]
            try:
                client = await connect(target)
            except RuntimeError as error:
                raise TemporalUnavailable(
                    f"Temporal at {target.address} does not answer: {error}"
                ) from None
            self._client = (target, client)
            return client

    async def is_up(self) -> bool:
        """Temporal answers for the namespace now (waiting 5 s at most)."""
        try:
            async with asyncio.timeout(5):
                client = await self.client()
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=self.namespace),
                    timeout=timedelta(seconds=5),
                )
        except (Unavailable, RPCError, TimeoutError):
            return False
        return True

    async def deployment(self, session: Session, deployment_id: str) -> DeploymentHandle:
        """A deployment's package, task queue and server (404 for an unknown id)."""
        return await run(session, deployment_handle, self.layout, self.target, deployment_id)


def get_runtime(request: Request) -> RuntimeAccess:
    access: RuntimeAccess = request.app.state.runtime
    return access


RuntimeDep = Annotated[RuntimeAccess, Depends(get_runtime)]
