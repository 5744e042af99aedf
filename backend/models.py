"""Tables and the API's schema families.

Documents (a project's settings, a workflow, a version's snapshot) are stored as the JSON text
pydantic writes for the compiler's own models: the database never needs to look inside them, a
load hands them back without re-encoding, and any text the document model accepts (including
characters some databases refuse in plain columns) round-trips unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    RootModel,
    StringConstraints,
    model_validator,
)
from pydantic import Field as PydanticField
from sqlalchemy import DateTime, Dialect, ForeignKeyConstraint, Text, TypeDecorator
from sqlmodel import Field, SQLModel

from language.diagnostics import Diagnostic
from language.document import (
    INTEGER,
    SLUG_PATTERN,
    ActivityDef,
    PatternKeys,
    Slug,
    Types,
    Workflow,
)

MAX_INT = 2_147_483_647
"""The largest revision or version number a request may name (a 32-bit column holds them)."""

Revision = Annotated[
    int, PydanticField(ge=1, le=MAX_INT, description="a draft revision, from 1"), INTEGER
]
Message = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")]
TaskQueue = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in UTC on every database (SQLite keeps no time zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Schema(BaseModel):
    """A request or response body (a plain pydantic model: SQLModel is for the tables).

    An answer holds every field, those at their defaults too: its schema lists them as required.
    """

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class StrictSchema(Schema):
    """A request body: unknown fields and numbers JSON cannot hold are refused, as in documents;
    its numbers are what the schema says there too (`INTEGER`: `true` and `"3"` are none)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- tables -----------------------------------------------------------------------------------


class ProjectRecord(SQLModel, table=True):
    __tablename__ = "project"

    id: str = Field(primary_key=True, max_length=64)
    settings: str = Field(sa_type=Text)
    """ProjectSettings as JSON."""
    revision: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class WorkflowRecord(SQLModel, table=True):
    __tablename__ = "workflow"

    project_id: str = Field(
        primary_key=True, max_length=64, foreign_key="project.id", ondelete="CASCADE"
    )
    id: str = Field(primary_key=True, max_length=64)
    position: int
    """Order within the project; export lists workflows in this order."""
    document: str = Field(sa_type=Text)
    """The compiler's Workflow as JSON."""
    revision: int = 1
    last_version: int = 0
    """The number of the newest version made; the next one gets this plus one."""
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class VersionRecord(SQLModel, table=True):
    __tablename__ = "workflow_version"
    __table_args__ = (
        ForeignKeyConstraint(
            ["project_id", "workflow_id"],
            ["workflow.project_id", "workflow.id"],
            ondelete="CASCADE",
        ),
    )

    project_id: str = Field(primary_key=True, max_length=64)
    workflow_id: str = Field(primary_key=True, max_length=64)
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    message: str = Field(sa_type=Text)
    document: str = Field(sa_type=Text)
    revision: int
    """The draft revision this version is a snapshot of."""
    created_at: datetime = Field(sa_type=UTCDateTime)


class DeploymentRecord(SQLModel, table=True):
    """A project compiled once and kept as it was, served by a managed worker."""

    __tablename__ = "deployment"

    id: str = Field(primary_key=True, max_length=128)
    project_id: str = Field(max_length=64, foreign_key="project.id", ondelete="CASCADE", index=True)
    versions: str = Field(sa_type=Text)
    """Workflow id -> the version number it was compiled from, as JSON; drafts are left out."""
    content_hash: str = Field(max_length=64)
    """sha256 of the generated files: the same content compiled again is the same deployment."""
    package: str = Field(max_length=128)
    task_queue: str = Field(max_length=200)
    desired: str = Field(max_length=16)
    """`running` or `stopped`: what the API asked for; the runtime brings the worker there."""
    status: str = Field(max_length=16)
    """What the runtime last saw: starting, running, restarting or stopped."""
    pid: int | None = None
    restarts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    replaces: str | None = Field(default=None, max_length=128)
    """The deployment whose task queue, and so whose running executions, this one took over."""
    patches: str = Field(default="[]", sa_type=Text)
    """The patch guards its code carries (`PatchPublic` objects), as JSON."""
    build_id: str | None = Field(default=None, max_length=64)
    """The build id its worker serves as a version of the Worker Deployment named after its task
    queue (Temporal's worker versioning, executions pinned); None: by task queue alone."""


# --- errors -----------------------------------------------------------------------------------


class AddNodeFix(Schema):
    """Add a node of kind `type` to the diagnostic's workflow."""

    kind: Literal["add_node"]
    type: str
    title: str
    """What the fix does, for the editor's Fix button."""


class SetFieldFix(Schema):
    """Set `field` of `node` (a path as the diagnostic's, `config.retry`) to `value`; without
    a node, `field` is a path into the project document (`activities.0.defaults.retry`)."""

    kind: Literal["set_field"]
    node: str | None
    field: str
    value: JsonValue
    title: str


class RemoveFieldFix(Schema):
    """Take `field` (a path as the diagnostic's) out of `node`."""

    kind: Literal["remove_field"]
    node: str
    field: str
    title: str


Fix = Annotated[AddNodeFix | SetFieldFix | RemoveFieldFix, PydanticField(discriminator="kind")]


class DiagnosticPublic(Schema):
    code: str
    message: str
    severity: Literal["error", "warning"]
    workflow_id: str | None = None
    node_id: str | None = None
    edge_id: str | None = None
    field: str | None = None
    node_name: str | None = None
    """The node as a person names it: its label, with its id where labels repeat or are empty."""
    edge_name: str | None = None
    """The edge by the nodes it joins: `Check → Done`."""
    field_name: str | None = None
    """The field by its title: `Retry › Maximum attempts`."""
    fix: Fix | None = None
    """An edit that fixes the problem, where the fix is mechanical."""

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> DiagnosticPublic:
        return cls.model_validate(diagnostic.to_dict())


class ErrorPublic(Schema):
    detail: str


class ConflictPublic(ErrorPublic):
    current_revision: int
    """The revision to reload and base the next write on."""


class InvalidPublic(ErrorPublic):
    diagnostics: list[DiagnosticPublic]


# --- projects ---------------------------------------------------------------------------------


class ProjectSettings(StrictSchema):
    """A project document without its id, schema version and workflows."""

    name: str = ""
    description: str = ""
    task_queue: TaskQueue = "default"
    types: Types = Field(default_factory=dict)
    activities: list[ActivityDef] = Field(default_factory=list)


class ProjectCreate(ProjectSettings):
    id: Slug


class ProjectUpdate(StrictSchema):
    """Changes to a project's settings; a field left out (or null) keeps its value."""

    revision: Revision
    name: str | None = None
    description: str | None = None
    task_queue: TaskQueue | None = None
    types: Types | None = None
    activities: list[ActivityDef] | None = None


class ProjectSummary(Schema):
    id: str
    name: str
    description: str
    revision: int
    workflow_count: int
    created_at: datetime
    updated_at: datetime


class WorkflowSummary(Schema):
    id: str
    name: str
    description: str
    revision: int
    node_count: int
    edge_count: int
    version_count: int
    updated_at: datetime


class WorkflowRevision(Schema):
    """Where the draft is: what a tab polls to learn that it was saved elsewhere."""

    revision: int
    updated_at: datetime


class ProjectPublic(ProjectSettings):
    model_config = ConfigDict(extra="ignore")

    id: str
    revision: int
    created_at: datetime
    updated_at: datetime
    workflows: list[WorkflowSummary]


# --- workflows --------------------------------------------------------------------------------


class WorkflowCreate(StrictSchema):
    document: Workflow


class WorkflowUpdate(StrictSchema):
    revision: Revision
    """The revision this document was based on; another save in between gets 409."""
    document: Workflow


JsonPointer = Annotated[str, StringConstraints(max_length=1000, pattern=r"^(/[^/]*)*$")]


class PatchOperation(StrictSchema):
    """One operation of a JSON Patch (RFC 6902)."""

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: JsonPointer
    value: Any = None
    """For add, replace and test."""
    from_: JsonPointer | None = PydanticField(default=None, alias="from")
    """For move and copy."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)

    @model_validator(mode="after")
    def _operands(self) -> PatchOperation:
        if self.op in ("move", "copy") and self.from_ is None:
            raise ValueError(f"a {self.op} operation needs `from`")
        if self.op not in ("move", "copy") and self.from_ is not None:
            raise ValueError(f"a {self.op} operation takes no `from`")
        if self.op in ("add", "replace", "test") and "value" not in self.model_fields_set:
            raise ValueError(f"an {self.op} operation needs `value`")
        return self


class WorkflowDelta(StrictSchema):
    revision: Revision
    """The revision the operations were computed against; another save in between gets 409."""
    patch: Annotated[list[PatchOperation], PydanticField(min_length=1, max_length=2000)]
    """JSON Patch operations on the workflow document, applied in order."""


class WorkflowMeta(Schema):
    project_id: str
    id: str
    revision: int
    created_at: datetime
    updated_at: datetime


class WorkflowPublic(WorkflowMeta):
    document: Workflow


# --- versions ---------------------------------------------------------------------------------


class VersionCreate(StrictSchema):
    message: Message
    revision: Revision | None = None
    """When given, the version is made only if the draft is still at this revision."""


class VersionSummary(Schema):
    number: int
    message: str
    revision: int
    created_at: datetime


class VersionPublic(VersionSummary):
    document: Workflow


class RestoreRequest(StrictSchema):
    revision: Revision
    """The draft revision the restore replaces; another save in between gets 409."""


class FieldChange(Schema):
    field: str
    """Dotted path, e.g. `config.expression` or `settings.id_template`."""
    before: Any = None
    after: Any = None


class NodeRef(Schema):
    id: str
    type: str
    label: str


class NodeChange(NodeRef):
    changes: list[FieldChange]


class EdgeRef(Schema):
    id: str
    source: str
    source_handle: str
    target: str
    target_handle: str


class DiffPublic(Schema):
    from_version: str
    to_version: str
    workflow_changes: list[FieldChange]
    """Changes outside nodes and edges: name, input, output, state, settings."""
    nodes_added: list[NodeRef]
    nodes_removed: list[NodeRef]
    nodes_changed: list[NodeChange]
    edges_added: list[EdgeRef]
    edges_removed: list[EdgeRef]


# --- compiler ---------------------------------------------------------------------------------


class ScopePublic(Schema):
    """One distinct scope, stored as the scope at `base` (none when -1) with the names in `add`
    set (name -> its type) and those in `drop` gone: neighbouring nodes share most names."""

    base: int
    add: dict[str, str]
    drop: list[str]


class WorkflowCompletionsPublic(Schema):
    nodes: dict[str, int]
    """node id -> index in `scopes` of the names its expression fields see."""
    fields: dict[str, dict[str, int]]
    """node id -> field path prefix (`config.until`) -> index of that field's scope, where it
    differs from the node's (fields that see `item`, or the node's own result)."""
    settings: int
    """Index of the scope of the workflow's settings (its id template): `input` alone."""


class CompletionsPublic(Schema):
    """What an expression field can complete: the names in scope at each node, with types."""

    scopes: list[ScopePublic]
    workflows: dict[str, WorkflowCompletionsPublic]
    """workflow id -> where its nodes' scopes are."""
    records: dict[str, dict[str, str]]
    """record type -> its fields and their types: what follows `name.`."""
    functions: list[str]
    """The functions an expression may call."""


class ValidatePublic(Schema):
    ok: bool
    """False when any diagnostic is an error."""
    diagnostics: list[DiagnosticPublic]
    completions: CompletionsPublic | None = None
    """The names in scope at each node; none when the document did not load."""


class SourceRange(Schema):
    """Where a node's code stands in the generated package."""

    file: str
    """The file's path, from the package folder's parent (`hello/workflows/greet.py`)."""
    start: int
    """The first line, from 1."""
    end: int
    """The last line, itself included."""


class CompilePublic(Schema):
    package: str
    files: dict[str, str]
    """Path under the package folder -> file text."""
    sourcemap: dict[str, dict[str, SourceRange]]
    """Workflow id -> node id -> where its code stands."""
    diagnostics: list[DiagnosticPublic]
    """Warnings; a document with errors gets 422 instead."""


class HealthPublic(Schema):
    status: Literal["ok", "unavailable"]
    """`unavailable` (with status code 503) when the database cannot take a write."""
    database: str
    """The database's kind: `sqlite` or `postgresql`."""
    storage: Literal["writable", "read-only", "disk full", "failing"]
    """Whether a write would succeed: a write probed in a transaction that is rolled back,
    and the free space beside a SQLite database."""
    detail: str | None = None
    """What is wrong, when something is."""


# --- deployments and the runtime --------------------------------------------------------------

DeploymentStatus = Literal["starting", "running", "restarting", "stopped"]


DeploymentId = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=128)]


class DeploymentCreate(StrictSchema):
    versions: Annotated[
        dict[Slug, Annotated[int, PydanticField(ge=1, le=MAX_INT), INTEGER]], PatternKeys()
    ] = PydanticField(default_factory=dict)
    """Workflow id -> the saved version to deploy; every workflow not named deploys its draft."""
    replaces: DeploymentId | None = None
    """A deployment of the project whose executions the new one takes over: it serves that
    deployment's task queue from then on, and the old worker stops. Without it, the new
    deployment runs beside the others on a task queue of its own, and executions stay on the
    version they started on. Before taking over, the histories of the executions running there
    are replayed on the new code, and a deploy that would break one is refused (409)."""
    patch: bool = False
    """With `replaces`: compile the new version compatible with the replaced one, steps added
    or removed guarded by `workflow.patched`, so the running executions keep the old path."""
    versioning: bool = False
    """With `replaces`, instead of taking over: the new version joins the replaced one's task
    queue as a new version of its Worker Deployment and becomes current once its worker polls;
    the executions running there stay pinned to the old version, whose worker stops once they
    have ended. No replay check is needed. Where the server refuses worker versioning, the new
    version is deployed beside it on a task queue of its own."""


class PatchPublic(Schema):
    workflow_id: str
    node_id: str
    patch_id: str
    """The marker `workflow.patched` records, `<node>@<change>`."""
    path: Literal["new", "old", "deprecated"]
    """`new`: the node runs in executions that record the marker (those started after the
    change); `old`: in executions started before it; `deprecated`: an earlier version's patch
    whose old path no execution needs, `workflow.deprecate_patch` called before the node."""
    anchor: str | None = None
    """Where the patch is asked for: the node its region leads into."""


class ReplayDivergencePublic(Schema):
    workflow_id: str
    run_id: str
    workflow_type: str
    running: bool
    """A running execution (it would stop); else a recent closed one (queries on it would fail)."""
    node_id: str | None
    """The node where the new code parts from the history, where it could be told."""
    reason: str


class WayPublic(Schema):
    """How to deploy one workflow's change, and why."""

    workflow_id: str
    way: Literal["patching", "versioning"]
    """`patching`: deploy over the old version with `patch` (the new code takes the running
    executions over, keeping the old behaviour behind `workflow.patched`); `versioning`:
    deploy beside it (`versioning` with `replaces`), executions stay pinned to the version they
    started on."""
    reason: str
    unpatchable: list[str]
    """What patching cannot guard in this workflow's change, node by node (then versioning)."""


class DeploymentCheckPublic(Schema):
    """What taking over a deployment's executions would do to them."""

    replaces: str
    ok: bool
    """Every running execution replays on the new code: the deploy may go live."""
    running: int
    """Running executions whose histories were replayed."""
    closed: int
    """Recently closed executions replayed beside them."""
    summary: list[str]
    """One sentence per workflow and node where executions would break, most first."""
    divergences: list[ReplayDivergencePublic]
    patches: list[PatchPublic]
    """The guards the new code carries (with `patch`)."""
    recommended: Literal["patching", "versioning"]
    """The way to deploy this change: patching where a workflow may run for ever and every
    change can be guarded, else versioning (deploy beside)."""
    ways: list[WayPublic]
    """The way for each workflow, and why."""


class ReplayRefusedPublic(ErrorPublic):
    check: DeploymentCheckPublic


class DeploymentPublic(Schema):
    id: str
    project_id: str
    versions: dict[str, int]
    """Workflow id -> the version it was compiled from; the others are their drafts."""
    package: str
    task_queue: str
    desired: Literal["running", "stopped"]
    status: DeploymentStatus
    """`running` once Temporal lists the worker polling the task queue."""
    pid: int | None
    restarts: int
    """How often the worker died and was started again since `wfd serve` started it."""
    temporal_address: str | None
    namespace: str
    web_ui_url: str | None
    """The deployment's workflows in the Temporal Web UI, when it is known."""
    created_at: datetime
    updated_at: datetime
    replaces: str | None
    """The deployment whose executions this one took over."""
    patches: list[PatchPublic]
    build_id: str | None
    """The version of the Worker Deployment named after its task queue that its worker serves
    (where the server allows worker versioning); deployments beside each other on one task
    queue have different ones."""
    running_executions: int | None
    """Executions running on it now (None when Temporal did not say): those on its task queue,
    or, where versions share the queue, those pinned to its version."""


class OtherVersionPublic(ErrorPublic):
    current_version: str
    """The deployment whose version new runs on the task queue start on."""


class StopRefusedPublic(ErrorPublic):
    running_executions: int


class DeploymentLogPublic(Schema):
    deployment_id: str
    lines: list[str]
    """The worker's output, oldest first, with the supervisor's own lines (`[wfd ...]`)."""


class RuntimePublic(Schema):
    temporal: Literal["embedded", "external", "off"]
    deployments: bool
    """Whether this server can deploy projects (it runs their workers)."""
    address: str | None
    namespace: str
    web_ui_url: str | None
    up: bool
    """Temporal answered just now."""


# --- runs -------------------------------------------------------------------------------------

RunStatus = Literal[
    "RUNNING", "COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"
]
"""A run's status as Temporal names it."""
NodeStatus = Literal[
    "not_reached", "running", "completed", "failed", "retrying", "waiting", "cancelled", "timed_out"
]
"""What one node of the graph is doing, or did, in a run."""


class StandInFailurePublic(Schema):
    message: str
    type: str | None
    """The error type (`StandInFailure` when none was given)."""
    non_retryable: bool


class StandInResultPublic(Schema):
    """A stand-in that answers with `result`."""

    result: Any


class StandInErrorPublic(Schema):
    """A stand-in that fails with `error`."""

    error: StandInFailurePublic


StandInPublic = StandInResultPublic | StandInErrorPublic
"""What a node's activity calls answer with in a run, as the start request gave it."""


class RunListItemPublic(Schema):
    workflow_id: str
    run_id: str
    workflow: str
    """The workflow's type: its id in the project."""
    status: RunStatus | None
    start_time: str | None
    """ISO 8601, as Temporal's visibility gives it."""
    close_time: str | None
    stand_ins: list[str]
    """The nodes whose activity calls answer with a stand-in in this run."""


class FirstFailurePublic(Schema):
    node_id: str
    message: str
    """The root failure's message: the activity's own words."""


class NodeStatePublic(Schema):
    """What one node of the graph did in a run (over its continue-as-new chain)."""

    node_id: str
    status: NodeStatus
    count: int
    """Times the node ran (×N in loops; children started by spawners)."""
    attempt: int | None
    """Current or last attempt: an activity's attempt, a retry container's round."""
    started_at: str | None
    """First start (ISO 8601)."""
    ended_at: str | None
    """Last end (ISO 8601)."""
    duration_ms: float | None
    input: Any
    output: Any
    error: str | None
    """The root failure message (the activity's own words), when failed, timed out or retrying."""
    last_failure: str | None
    """The root message of the failure that made the last execution try again, if any."""
    children: list[str]
    """Workflow ids of the child workflows the node started."""
    compensation: str | None
    """The status of this step's undo, when a Try ran it."""


class RunSummaryPublic(Schema):
    """What every description of a run carries (`GET /runs/{id}` and the `snapshot` event)."""

    workflow_id: str
    run_id: str
    status: RunStatus | None
    deployment_id: str
    workflow: str
    first_failure: FirstFailurePublic | None
    stuck: str | None
    """Why the workflow's code cannot take its next step while Temporal keeps retrying it."""
    web_url: str | None
    stand_ins: dict[str, StandInPublic]
    """Node id -> the stand-in its activity calls answer with in this run."""


class RunPublic(RunSummaryPublic):
    """A run with every node's state."""

    start_time: str | None
    close_time: str | None
    result: Any
    """The workflow's result, once it completed."""
    failure: str | None
    """The root failure's message, or how the run ended, once it closed otherwise."""
    nodes: dict[str, NodeStatePublic]
    """Node id -> its state, in the document's order."""


class RunAnswerPublic(Schema):
    """An update's or a query's answer."""

    workflow_id: str
    run_id: str
    result: Any


class RunSnapshotPublic(RunSummaryPublic):
    """The `snapshot` event: the run and every node's state once the history up to now is read."""

    event_time: str | None
    """The time of the last history event it reflects."""
    nodes: dict[str, NodeStatePublic]


class RunNodesPublic(Schema):
    """The `nodes` event: the nodes whose state changed with a batch of history events."""

    run_id: str
    event_time: str | None
    nodes: dict[str, NodeStatePublic]
    first_failure: FirstFailurePublic | None
    stuck: str | None


class RunEndPublic(Schema):
    """The `end` event: the run (or the last of its continue-as-new chain) closed. `result` is
    there when it completed, `failure` when it closed otherwise."""

    # `result` and `failure` are left out when they do not apply (the stream is written with
    # `exclude_unset`), so the schema lists them as optional
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    workflow_id: str
    run_id: str
    outcome: str | None
    """completed, failed, cancelled, terminated, timed_out (lower case, the tracker's word)."""
    event_time: str | None
    result: Any = None
    failure: str | None = None
    first_failure: FirstFailurePublic | None


class RunSnapshotMessage(Schema):
    event: Literal["snapshot"]
    data: RunSnapshotPublic


class RunNodesMessage(Schema):
    event: Literal["nodes"]
    data: RunNodesPublic


class RunEndMessage(Schema):
    event: Literal["end"]
    data: RunEndPublic


class RunErrorMessage(Schema):
    """The stream failed once it had begun (Temporal away, the run gone)."""

    event: Literal["error"]
    data: ErrorPublic


class RunEventPublic(
    RootModel[
        Annotated[
            RunSnapshotMessage | RunNodesMessage | RunEndMessage | RunErrorMessage,
            PydanticField(discriminator="event"),
        ]
    ]
):
    """One server-sent event of a run's stream: its `event` name and its `data` (JSON)."""


# --- templates --------------------------------------------------------------------------------


class TemplatePublic(Schema):
    """Something to start from: a sample project, or a small pattern to add as a workflow."""

    id: str
    kind: Literal["project", "pattern"]
    """A `project` is a whole sample; a `pattern` also adds its workflow to a project."""
    name: str
    description: str
    workflows: list[str]
    """The names of its workflows; a pattern's first is the one it adds, the others it needs."""
    node_count: int
    """Nodes in all its workflows."""


class ProjectFromTemplate(StrictSchema):
    template: Slug
    id: Slug
    """The new project's id (also its task queue, so it runs beside the template's others)."""
    name: str = ""
    """The new project's name; empty keeps the template's."""


class WorkflowFromTemplate(StrictSchema):
    template: Slug
    """A pattern's id."""
    workflow_id: Slug
    """The id the pattern's workflow gets in the project."""
