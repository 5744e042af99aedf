"""Deployments: a project compiled once, kept on disk as it was, served by a managed worker.

A deployment is named after what it was compiled from and what came out:
`<project>-draft-<hash>` for the current drafts, `<project>-v3-<hash>` for version 3 of a
one-workflow project, `<project>-<workflow>-v3-<hash>` when some workflows of several are
saved versions; the hash is that of the generated files, so the same content compiled again is
the same deployment. Its task queue is its id: two deployments of a project never take each
other's tasks. Its worker serves a version of the Worker Deployment named after the task queue,
its build id taken from the content hash (Temporal's worker versioning, executions pinned to the
version they started on), where the server allows it (see `backend.runtime.host`).

The API only writes what a deployment should be (`desired`); the runtime starts and stops the
worker and writes what it sees (see `backend.runtime.host`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.db import writing
from backend.errors import Invalid, NotFound
from backend.models import (
    DeploymentLogPublic,
    DeploymentPublic,
    DeploymentRecord,
    DeploymentStatus,
    PatchPublic,
    utc_now,
)
from backend.runtime import managed_worker
from backend.runtime.layout import DataLayout
from backend.runtime.process import read_tail
from backend.runtime.temporal import TemporalTarget
from backend.runtime.versions import shared_queues, side_by_side
from backend.runtime.workers import LAUNCHER
from backend.services.projects import export_project
from backend.services.records import project_or_404, version_or_404
from compiler import CompileResult, compile_project
from language.document import Project, Workflow

MAX_ID_LENGTH = 128
HASH_LENGTH = 10
BUILD_ID_LENGTH = 16
MANIFEST = "deployment.json"
SOURCEMAP = "sourcemap.json"
DOCUMENT = "project.json"
_STATUSES: dict[str, DeploymentStatus] = {
    "starting": "starting",
    "running": "running",
    "restarting": "restarting",
    "stopped": "stopped",
}


@dataclass(frozen=True)
class Built:
    """A compiled project written to its deployment folder."""

    id: str
    project_id: str
    versions: dict[str, int]
    content_hash: str
    package: str
    task_queue: str
    """Its own id, or the task queue of the deployment it took over."""
    replaces: str | None = None
    patches: tuple[PatchPublic, ...] = ()
    build_id: str | None = None
    """The Worker Deployment version its worker serves (see `DeploymentRecord.build_id`)."""
    versioning: bool = False
    """A new version beside the replaced one on its task queue: the replaced one keeps running
    until its pinned executions end."""


@dataclass(frozen=True)
class Takeover:
    """What a deployment that takes over another's executions (or, `versioning`, joins its task
    queue as a new Worker Deployment version) carries."""

    replaces: DeploymentHandle
    patches: tuple[PatchPublic, ...]
    versioning: bool = False


@dataclass(frozen=True)
class DeploymentHandle:
    """What the runs layer needs of a deployment: where its code is and how to reach it."""

    id: str
    project_id: str
    package: str
    task_queue: str
    folder: Path
    """`<data dir>/deployments/<id>`: put it on sys.path to import the package."""
    status: str
    target: TemporalTarget | None
    """How to connect (None when Temporal is off); `RuntimeAccess.client()` gives a client."""
    patches: tuple[PatchPublic, ...] = ()
    """The patch guards its code carries."""
    build_id: str | None = None

    @property
    def package_dir(self) -> Path:
        return self.folder / self.package

    def sourcemap(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Workflow id -> node id -> {file, start, end}, as the compiler gave it."""
        loaded: dict[str, dict[str, dict[str, Any]]] = json.loads(
            (self.folder / SOURCEMAP).read_text(encoding="utf-8")
        )
        return loaded

    def project(self) -> Project:
        """The document the deployment was compiled from."""
        return Project.model_validate_json((self.folder / DOCUMENT).read_text(encoding="utf-8"))


# --- deploy -----------------------------------------------------------------------------------


def source_document(session: Session, project_id: str, versions: Mapping[str, int]) -> Project:
    """The project with each named workflow replaced by its saved version."""
    document = export_project(session, project_id)
    chosen = {
        workflow_id: Workflow.model_validate_json(
            version_or_404(session, project_id, workflow_id, number).document
        )
        for workflow_id, number in versions.items()
    }
    workflows = [chosen.get(workflow.id, workflow) for workflow in document.workflows]
    return document.model_copy(update={"workflows": workflows})


def build(
    layout: DataLayout,
    document: Project,
    versions: Mapping[str, int],
    compiled: CompileResult | None = None,
    takeover: Takeover | None = None,
) -> Built:
    """Compile (unless given the result) and write the deployment folder, unless the same
    content is there already."""
    result = compile_project(document) if compiled is None else compiled
    if not result.ok:
        raise Invalid("the project has errors, so it cannot be deployed", result.diagnostics)
    task_queue = takeover.replaces.task_queue if takeover is not None else None
    content_hash = _content_hash(result, task_queue)
    name = deployment_name(document, versions, content_hash)
    build_id: str | None = content_hash[:BUILD_ID_LENGTH]
    if takeover is not None and not takeover.versioning:
        # patched code serving the pinned executions of the version it takes over, as it
        build_id = takeover.replaces.build_id
    built = Built(
        id=name,
        project_id=document.id,
        versions=dict(versions),
        content_hash=content_hash,
        package=result.package,
        task_queue=task_queue or name,
        replaces=takeover.replaces.id if takeover is not None else None,
        patches=takeover.patches if takeover is not None else (),
        build_id=build_id,
        versioning=takeover is not None and takeover.versioning,
    )
    folder = layout.deployment(built.id)
    if folder.is_dir():
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("content_hash") != content_hash:
            raise RuntimeError(f"deployment {built.id!r} exists with other content")
    else:
        _write_folder(layout, built, result, document)
    layout.code(document.id).mkdir(parents=True, exist_ok=True)
    return built


def deployment_name(document: Project, versions: Mapping[str, int], content_hash: str) -> str:
    if not versions:
        source = "draft"
    elif len(document.workflows) == 1:
        source = f"v{versions[document.workflows[0].id]}"
    else:
        source = "-".join(
            f"{workflow.id}-v{versions[workflow.id]}"
            for workflow in document.workflows
            if workflow.id in versions
        )
    name = f"{document.id}-{source}-{content_hash[:HASH_LENGTH]}"
    if len(name) > MAX_ID_LENGTH:
        name = f"{document.id}-versions-{content_hash[:HASH_LENGTH]}"
    return name


def _content_hash(result: CompileResult, task_queue: str | None) -> str:
    """Of the generated files, and of the task queue taken over: the same code serving another
    deployment's executions is another deployment."""
    content = json.dumps(
        {"package": result.package, "files": result.files, "sourcemap": result.sourcemap}
        | ({"task_queue": task_queue} if task_queue is not None else {}),
        sort_keys=True,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _write_folder(
    layout: DataLayout, built: Built, result: CompileResult, document: Project
) -> None:
    """Written beside the final place, then renamed: a reader never sees half a deployment,
    and of two requests writing the same one, the first rename wins."""
    layout.deployments.mkdir(parents=True, exist_ok=True)
    partial = layout.deployments / f".{built.id}.{uuid.uuid4().hex}.partial"
    try:
        for relative, text in sorted(result.files.items()):
            target = partial / result.package / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        manifest = {
            "id": built.id,
            "project_id": built.project_id,
            "versions": built.versions,
            "content_hash": built.content_hash,
            "package": built.package,
            "task_queue": built.task_queue,
            "replaces": built.replaces,
            "build_id": built.build_id,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        (partial / SOURCEMAP).write_text(
            json.dumps(result.sourcemap, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        (partial / DOCUMENT).write_text(document.model_dump_json(indent=2) + "\n", "utf-8")
        launcher = Path(managed_worker.__file__).read_text(encoding="utf-8")
        (partial / f"{LAUNCHER}.py").write_text(launcher, encoding="utf-8")
        try:
            os.rename(partial, layout.deployment(built.id))
        except OSError:
            if not layout.deployment(built.id).is_dir():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def record(session: Session, built: Built) -> tuple[DeploymentRecord, bool]:
    """The deployment's row, asked to run; True when it is new. One that takes over another's
    executions asks the other to stop in the same transaction; a new version beside it
    (`versioning`) leaves it running until its executions have ended."""
    with writing(session):
        if built.replaces is not None and not built.versioning:
            _set_desired(session, built.replaces, "stopped")
        existing = session.get(DeploymentRecord, built.id)
        if existing is not None:
            if existing.desired != "running":
                _set_desired(session, built.id, "running")
            session.commit()
            return deployment_or_404(session, built.id), False
        now = utc_now()
        session.add(
            DeploymentRecord(
                id=built.id,
                project_id=built.project_id,
                versions=json.dumps(built.versions, sort_keys=True),
                content_hash=built.content_hash,
                package=built.package,
                task_queue=built.task_queue,
                desired="running",
                status="starting",
                created_at=now,
                updated_at=now,
                replaces=built.replaces,
                patches=json.dumps([patch.model_dump() for patch in built.patches]),
                build_id=built.build_id,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            # made by another request meanwhile, or the project was deleted meanwhile
            session.rollback()
            project_or_404(session, built.project_id)
            return deployment_or_404(session, built.id), False
    return deployment_or_404(session, built.id), True


def serving(session: Session, task_queue: str, other_than: str) -> DeploymentRecord | None:
    """A deployment other than `other_than` asked to serve the task queue."""
    statement = select(DeploymentRecord).where(
        col(DeploymentRecord.task_queue) == task_queue,
        col(DeploymentRecord.desired) == "running",
        col(DeploymentRecord.id) != other_than,
    )
    return session.exec(statement).first()


def version_on(session: Session, task_queue: str, build_id: str | None) -> str:
    """The id of the deployment whose code runs an execution on the task queue, pinned to
    `build_id` (None: unversioned): the deployment named after the queue, unless a version
    beside it (another build id on its queue) serves it; 404 for a queue no deployment has."""
    first = deployment_or_404(session, task_queue)
    if build_id is None or first.build_id == build_id:
        return first.id
    statement = (
        select(DeploymentRecord)
        .where(
            col(DeploymentRecord.task_queue) == task_queue,
            col(DeploymentRecord.build_id) == build_id,
        )
        .order_by(col(DeploymentRecord.created_at).desc())
    )
    found = session.exec(statement).first()
    return found.id if found is not None else first.id


def version_beside_others(session: Session, found: DeploymentRecord) -> str | None:
    """Its build id when other versions serve its task queue beside it (its runs are those
    pinned to its version), else None (its runs are its task queue's)."""
    if found.task_queue in shared_queues(on_task_queue(session, found.task_queue)):
        return found.build_id
    return None


def current_version(session: Session, found: DeploymentRecord) -> DeploymentRecord | None:
    """The deployment beside `found` on its task queue whose version new executions start on
    (the newest whose worker runs: the runtime makes a version current once its worker polls);
    None when that is `found`, or no version is beside it."""
    statement = select(DeploymentRecord).where(
        col(DeploymentRecord.task_queue) == found.task_queue,
        col(DeploymentRecord.desired) == "running",
        col(DeploymentRecord.id) != found.id,
    )
    beside = [other for other in session.exec(statement) if side_by_side(found, other)]
    serving = [item for item in [found, *beside] if item.status == "running"]
    if not beside or not serving:
        return None
    current = max(serving, key=lambda item: item.created_at)
    return None if current.id == found.id else current


def replaced_by(session: Session, deployment_id: str) -> DeploymentRecord | None:
    """A deployment asked to run that replaced this one (took it over, or is its newer
    version)."""
    statement = select(DeploymentRecord).where(
        col(DeploymentRecord.replaces) == deployment_id,
        col(DeploymentRecord.desired) == "running",
    )
    return session.exec(statement).first()


# --- read and change --------------------------------------------------------------------------


def deployment_or_404(session: Session, deployment_id: str) -> DeploymentRecord:
    found = session.get(DeploymentRecord, deployment_id, populate_existing=True)
    if found is None:
        raise NotFound(f"deployment {deployment_id!r} does not exist")
    return found


def on_task_queue(session: Session, task_queue: str) -> list[DeploymentRecord]:
    """Every deployment, running or not, whose worker serves (or served) the task queue."""
    statement = select(DeploymentRecord).where(col(DeploymentRecord.task_queue) == task_queue)
    return list(session.exec(statement))


def list_deployments(session: Session, project_id: str) -> list[DeploymentRecord]:
    project_or_404(session, project_id)
    statement = (
        select(DeploymentRecord)
        .where(col(DeploymentRecord.project_id) == project_id)
        .order_by(col(DeploymentRecord.created_at).desc(), col(DeploymentRecord.id))
    )
    return list(session.exec(statement))


def set_desired(
    session: Session, deployment_id: str, desired: Literal["running", "stopped"]
) -> DeploymentRecord:
    with writing(session):
        if not _set_desired(session, deployment_id, desired):
            session.rollback()
            raise NotFound(f"deployment {deployment_id!r} does not exist")
        session.commit()
    return deployment_or_404(session, deployment_id)


def _set_desired(session: Session, deployment_id: str, desired: str) -> bool:
    changed = session.exec(
        update(DeploymentRecord)
        .where(col(DeploymentRecord.id) == deployment_id)
        .values(desired=desired, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    return bool(changed.rowcount == 1)


def public(
    found: DeploymentRecord,
    target: TemporalTarget | None,
    namespace: str,
    running_executions: int | None = None,
) -> DeploymentPublic:
    return DeploymentPublic(
        id=found.id,
        project_id=found.project_id,
        versions=json.loads(found.versions),
        package=found.package,
        task_queue=found.task_queue,
        desired="running" if found.desired == "running" else "stopped",
        status=_STATUSES.get(found.status, "stopped"),
        pid=found.pid,
        restarts=found.restarts,
        temporal_address=target.address if target else None,
        namespace=target.namespace if target else namespace,
        web_ui_url=target.web_ui_url(task_queue=found.task_queue) if target else None,
        created_at=found.created_at,
        updated_at=found.updated_at,
        replaces=found.replaces,
        patches=[PatchPublic.model_validate(item) for item in json.loads(found.patches)],
        build_id=found.build_id,
        running_executions=running_executions,
    )


def log_tail(layout: DataLayout, deployment_id: str, lines: int) -> DeploymentLogPublic:
    """The last lines of the worker's log (read from disk: call it in a thread)."""
    return DeploymentLogPublic(
        deployment_id=deployment_id, lines=read_tail(layout.worker_log(deployment_id), lines)
    )


def deployment_handle(
    session: Session, layout: DataLayout, target: TemporalTarget | None, deployment_id: str
) -> DeploymentHandle:
    """The runs layer's entry: a deployment id -> its package, task queue and server."""
    found = deployment_or_404(session, deployment_id)
    return DeploymentHandle(
        id=found.id,
        project_id=found.project_id,
        package=found.package,
        task_queue=found.task_queue,
        folder=layout.deployment(found.id),
        status=found.status,
        target=target,
        patches=tuple(PatchPublic.model_validate(item) for item in json.loads(found.patches)),
        build_id=found.build_id,
    )
