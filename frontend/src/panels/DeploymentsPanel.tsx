// The project's deployments, newest first: what each was compiled from, its worker, how many
// executions run on it now, which it took over and the patches it carries; stop and start a
// worker, and deploy a new version over one whose executions still run. Refreshed every few
// seconds while the Run panel is open and the page visible.
import { Layers, Play, Square } from "lucide-react";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { useEditor, useEditorStore } from "../editor/context";
import { runApi } from "../run/api";
import { useRun, useRunStore } from "../run/context";
import { type DeploymentRow, deploymentRows, patchPathWords, stopDeployment } from "../run/deployments";
import type { NodeLabels } from "../run/names";
import { formatTime } from "../run/overlay";
import type { Deployment } from "../run/types";
import { NodeName, useNodeLabels } from "./deploymentNames";
import { TakeoverDialog } from "./TakeoverDialog";
import "./Deployments.css";

const REFRESH_EVERY_MS = 3000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function useWorkflowNames(): ReadonlyMap<string, string> {
  const workflows = useEditor((state) => state.projectWorkflows);
  const workflowId = useEditor((state) => state.workflowId);
  const name = useEditor((state) => state.meta.name);
  return useMemo(
    () =>
      new Map([
        ...workflows.map((workflow) => [workflow.id, workflow.name || workflow.id] as const),
        [workflowId, name || workflowId] as const,
      ]),
    [workflows, workflowId, name],
  );
}

const DeploymentItem = memo(function DeploymentItem({
  row,
  labels,
  listed,
  onChanged,
  onDeployOver,
  onShowRuns,
}: {
  row: DeploymentRow;
  labels: NodeLabels;
  /** Its runs are the ones the panel lists. */
  listed: boolean;
  onChanged(deployment: Deployment): void;
  onDeployOver(row: DeploymentRow): void;
  onShowRuns(deployment: Deployment): void;
}) {
  const { deployment } = row;
  const [refusal, setRefusal] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const stop = async (force: boolean) => {
    setBusy(true);
    setProblem(null);
    const outcome = await stopDeployment(runApi.stopDeployment, deployment.id, force);
    setBusy(false);
    if (outcome.kind === "stopped") {
      setRefusal(null);
      onChanged(outcome.deployment);
    } else if (outcome.kind === "refused") setRefusal(outcome.detail);
    else setProblem(outcome.message);
  };
  const start = async () => {
    setBusy(true);
    setProblem(null);
    try {
      onChanged(await runApi.startDeployment(deployment.id));
    } catch (error) {
      setProblem(message(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      className={`deployment${listed ? " listed" : ""}`}
      data-testid="deployment"
      data-deployment-id={deployment.id}
      data-desired={deployment.desired}
      data-status={deployment.status}
    >
      <div className="deployment-head">
        <code className="deployment-id" title={deployment.id}>
          {row.shortId}
        </code>
        <span className={`run-badge ${row.tone}`} data-testid="deployment-worker" title="its managed worker process">
          worker {row.worker}
        </span>
      </div>
      <div className="deployment-facts muted">
        from {row.source} · task queue <code>{deployment.task_queue}</code> · deployed {formatTime(deployment.created_at)}
      </div>
      {row.version && (
        <div className="deployment-version" data-testid="deployment-version" data-role={row.versionRole ?? ""}>
          version <code>{row.version}</code> · {row.versionWords}
        </div>
      )}
      {row.running !== null ? (
        <div
          className={row.stranded ? "deployment-running stranded" : "deployment-running"}
          data-testid="deployment-running"
          data-count={deployment.running_executions ?? ""}
        >
          {row.running}
          {row.stranded && ": no worker serves them, so they wait until one does"}
        </div>
      ) : (
        <div className="deployment-running muted" data-testid="deployment-taken-over">
          taken over by <code title={row.takenOverBy?.id}>{row.takenOverName}</code>: its executions run there now
        </div>
      )}
      {row.tookOver && (
        <div className="deployment-took-over" data-testid="deployment-took-over">
          took over <code title={deployment.replaces ?? ""}>{row.tookOver}</code>: its task queue and running executions
        </div>
      )}
      {deployment.patches.length > 0 && (
        <ul className="deployment-patches" data-testid="deployment-patches">
          {deployment.patches.map((patch) => (
            <li key={`${patch.workflow_id}/${patch.node_id}`} data-node-id={patch.node_id} data-path={patch.path}>
              patched <NodeName labels={labels} workflowId={patch.workflow_id} nodeId={patch.node_id} />:{" "}
              {patchPathWords(patch.path)}
            </li>
          ))}
        </ul>
      )}
      <div className="run-actions deployment-actions">
        {!listed && (
          <button type="button" className="button small" onClick={() => onShowRuns(deployment)}>
            Show its runs
          </button>
        )}
        {row.canStop && (
          <button
            type="button"
            className="button small"
            disabled={busy}
            onClick={() => void stop(false)}
            data-testid="deployment-stop"
          >
            <Square size={12} /> Stop
          </button>
        )}
        {row.canStart && (
          <button
            type="button"
            className="button small"
            disabled={busy}
            onClick={() => void start()}
            data-testid="deployment-start"
          >
            <Play size={12} /> Start
          </button>
        )}
        {row.canDeployOver && (
          <button
            type="button"
            className="button small"
            onClick={() => onDeployOver(row)}
            title="Check whether the new version replays its running executions, then deploy it over this one or beside it"
            data-testid="deployment-deploy-over"
          >
            <Layers size={12} /> Deploy over this one…
          </button>
        )}
      </div>
      {refusal && (
        <div className="deployment-refusal" role="alert" data-testid="deployment-stop-refused">
          <p className="error-text">{refusal}</p>
          <div className="run-actions">
            <button
              type="button"
              className="button small danger"
              disabled={busy}
              onClick={() => void stop(true)}
              data-testid="deployment-stop-anyway"
            >
              Stop anyway
            </button>
            <button type="button" className="button small" onClick={() => setRefusal(null)}>
              Keep it running
            </button>
          </div>
        </div>
      )}
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
    </li>
  );
});

export function DeploymentsSection() {
  const editor = useEditorStore();
  const runStore = useRunStore();
  const projectId = useEditor((state) => state.projectId);
  const workflowNames = useWorkflowNames();
  const labels = useNodeLabels();
  const listedId = useRun((state) => state.deployment?.id ?? null);
  const [deployments, setDeployments] = useState<Deployment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState<DeploymentRow | null>(null);
  // only the newest answer is shown: an older one may come back after it
  const asked = useRef(0);

  const load = useCallback(async () => {
    const ask = ++asked.current;
    try {
      const found = await runApi.deployments(projectId);
      if (ask !== asked.current) return;
      setDeployments(found);
      setError(null);
    } catch (failure) {
      if (ask === asked.current) setError(message(failure));
    }
  }, [projectId]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, REFRESH_EVERY_MS);
    return () => {
      clearInterval(timer);
      asked.current += 1; // an answer still on its way is dropped
    };
  }, [load]);

  const rows = useMemo(
    () => deploymentRows(deployments ?? [], projectId, workflowNames),
    [deployments, projectId, workflowNames],
  );

  const changed = useCallback(
    (deployment: Deployment) => {
      setDeployments((current) => current?.map((item) => (item.id === deployment.id ? deployment : item)) ?? null);
      if (runStore.getState().deployment?.id === deployment.id) runStore.getState().setDeployment(deployment);
      void load();
    },
    [load, runStore],
  );
  const showRuns = useCallback((deployment: Deployment) => runStore.getState().setDeployment(deployment), [runStore]);
  const deployed = (deployment: Deployment, tookOver: boolean) => {
    const replaced = over?.shortId ?? "";
    setOver(null);
    runStore.getState().setDeployment(deployment);
    editor
      .getState()
      .notify(
        tookOver
          ? `Deployed ${deployment.id} over ${replaced}: it serves ${replaced}'s task queue and running executions now`
          : `Deployed ${deployment.id} beside ${replaced}: executions stay on the version they started on`,
        "success",
      );
    void load();
  };

  return (
    <section className="run-section deployments" data-testid="deployments">
      <h3>Deployments</h3>
      {error && <p className="error-text">{error}</p>}
      {deployments === null && !error && <p className="muted">Loading…</p>}
      {deployments !== null && rows.length === 0 && (
        <p className="muted">Nothing deployed yet: Run deploys the saved drafts.</p>
      )}
      {rows.length > 0 && (
        <ul className="deployments-list">
          {rows.map((row) => (
            <DeploymentItem
              key={row.deployment.id}
              row={row}
              labels={labels}
              listed={row.deployment.id === listedId}
              onChanged={changed}
              onDeployOver={setOver}
              onShowRuns={showRuns}
            />
          ))}
        </ul>
      )}
      {over && (
        <TakeoverDialog
          replaced={over.deployment}
          replacedName={over.shortId}
          onClose={() => setOver(null)}
          onDeployed={deployed}
        />
      )}
    </section>
  );
}
