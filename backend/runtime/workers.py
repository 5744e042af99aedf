"""The managed worker of a deployment: the generated `<package>.worker`, run from the
deployment's folder with the project's own code on its import path, through the launcher the
deployment carries (`backend.runtime.managed_worker`), which adds stand-ins for test runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from backend.runtime.layout import DataLayout
from backend.runtime.process import ProcessSpec
from backend.runtime.temporal import TemporalTarget

LAUNCHER = "_wfd_managed_worker"
"""The module name of the launcher's copy in a deployment's folder (a leading underscore: no
generated package is named so)."""

_KEPT_FROM_SERVER = ("TEMPORAL_", "PYTHONPATH", "DATABASE_URL", "WFD_TOKEN", "WFD_RUNTIME")
"""What the worker does not inherit: the server's own Temporal settings (the target's are set
instead), its import path, and its secrets, which user code has no business reading."""


@dataclass(frozen=True)
class WorkerPlan:
    """What the runtime needs to run one deployment's worker."""

    deployment_id: str
    project_id: str
    package: str
    task_queue: str
    build_id: str | None = None
    """The version of the Worker Deployment named after the task queue it serves, executions
    pinned to it; None: an unversioned worker (pinned by task queue alone)."""


def worker_spec(
    plan: WorkerPlan,
    layout: DataLayout,
    target: TemporalTarget,
    server_env: Mapping[str, str] | None = None,
) -> ProcessSpec:
    folder = layout.deployment(plan.deployment_id)
    env = package_environment(layout, folder, plan.project_id, server_env)
    env.update(target.environment())
    env.update(TEMPORAL_TASK_QUEUE=plan.task_queue)
    if plan.build_id is not None:
        env.update(
            TEMPORAL_WORKER_DEPLOYMENT=plan.task_queue, TEMPORAL_WORKER_BUILD_ID=plan.build_id
        )
    worker = f"{plan.package}.worker"
    if (folder / f"{LAUNCHER}.py").is_file():
        command = [sys.executable, "-m", LAUNCHER, worker]
    else:  # deployed before the launcher existed: no stand-ins
        command = [sys.executable, "-m", worker]
    return ProcessSpec(
        name=f"worker {plan.deployment_id}",
        command=command,
        cwd=folder,
        env=env,
        log_path=layout.worker_log(plan.deployment_id),
        pid_file=layout.worker_pid_file(plan.deployment_id),
    )


def package_environment(
    layout: DataLayout, folder: Path, project_id: str, server_env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a process that imports a compiled package from `folder`: the
    project's own code on its import path, none of the server's settings or secrets."""
    inherited = os.environ if server_env is None else server_env
    env = {k: v for k, v in inherited.items() if not k.startswith(_KEPT_FROM_SERVER)}
    env.update(
        PYTHONPATH=os.pathsep.join([str(folder), str(layout.code(project_id))]),
        PYTHONUNBUFFERED="1",  # each log line reaches the log as it is written
        PYTHONDONTWRITEBYTECODE="1",  # the package's folder stays as it was written
    )
    return env
