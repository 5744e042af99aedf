// Shapes of the runtime's answers: deployments, runs and the per-node states of a run, under the
// names the editor uses. They are generated (../api/gen, by scripts/gen_api_types) from the API's
// OpenAPI document, that is from the pydantic models of backend/models.py and
// backend/routers/runs.py: change those, then regenerate.
import type * as Api from "../api/gen/types.gen";

/** What one node of the graph did in a run (over its continue-as-new chain). */
export type NodeRunState = Api.NodeStatePublic;
export type NodeStatus = NodeRunState["status"];
export type RunStatus = NonNullable<Api.RunPublic["status"]>;
export type FirstFailure = Api.FirstFailurePublic;

/** The runtime this server has (`GET /api/runtime`). */
export type RuntimeInfo = Api.RuntimePublic;

/** A deployment: a project compiled once and served by a managed worker. */
export type Deployment = Api.DeploymentPublic;
/** What deploying: beside the others (no `replaces`), or over one, with patching or not. */
export type DeploymentCreate = Api.DeploymentCreate;
/** What taking over a deployment's running executions would do to them (a replay, no deploy). */
export type DeploymentCheck = Api.DeploymentCheckPublic;
/** A `workflow.patched` guard the new code carries for a node added or removed. */
export type Patch = Api.PatchPublic;
/** A stop refused (409) while executions run on the deployment alone. */
export type StopRefused = Api.StopRefusedPublic;
/** A deploy over a deployment refused (409) because executions would break, with the check. */
export type ReplayRefused = Api.ReplayRefusedPublic;
/** The end of a deployment's worker output. */
export type DeploymentLog = Api.DeploymentLogPublic;

export type RunListItem = Api.RunListItemPublic;
export type RunStarted = Api.RunStarted;
/** What a signal, a cancel or a terminate answers: the run it reached. */
export type RunDone = Api.RunDone;
/** An update's or a query's answer. */
export type RunAnswer = Api.RunAnswerPublic;

/** A run with every node's state (`GET /runs/{id}`). */
export type RunDescription = Api.RunPublic;
export type SnapshotEvent = Api.RunSnapshotPublic;
/** What every description of a run carries (`GET /runs/{id}` and the `snapshot` event). */
export type RunSummary = Omit<SnapshotEvent, "event_time" | "nodes">;
export type NodesEvent = Api.RunNodesPublic;
export type EndEvent = Api.RunEndPublic;
/** One event of a run's stream (`GET /runs/{id}/events`): its name and its data. */
export type RunEvent = Api.RunEventPublic;
