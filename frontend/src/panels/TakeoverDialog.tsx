// "Deploy over this one…": the replay check of the running executions on the new code, what it
// found (nodes by their labels), the patches a deploy with patching would add, and the ways to
// deploy, the recommended one preselected (see run/takeover.ts for the steps).
import { LoaderCircle } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useStore } from "zustand";

import type { Diagnostic } from "../api/types";
import { useEditor, useEditorStore } from "../editor/context";
import { save } from "../editor/saving";
import { isDirty } from "../editor/store";
import { runApi } from "../run/api";
import { patchPathWords } from "../run/deployments";
import type { NodeLabels } from "../run/names";
import {
  BUSY_WORDS,
  choices,
  createTakeover,
  patching,
  type Preselected,
  preselected,
  recommendationWords,
  replayedWords,
  verdict,
} from "../run/takeover";
import type { Deployment, DeploymentCheck } from "../run/types";
import { NamedSentence, NodeName, useNodeLabels } from "./deploymentNames";

function CheckFindings({
  check,
  replacedName,
  labels,
  title,
  testId,
}: {
  check: DeploymentCheck;
  replacedName: string;
  labels: NodeLabels;
  title: string;
  testId: string;
}) {
  const breaking = check.divergences.filter((item) => item.running).length;
  return (
    <section className="takeover-check" data-testid={testId} data-ok={String(check.ok)}>
      <h3>{title}</h3>
      <p className="muted" data-testid="takeover-replayed">
        {replayedWords(check, replacedName)}
      </p>
      <p className={check.ok ? "takeover-verdict ok" : "takeover-verdict broken"} data-testid="takeover-verdict">
        {verdict(check, replacedName)}
      </p>
      {check.summary.length > 0 && (
        <ul className="takeover-summary" data-testid="takeover-summary">
          {check.summary.map((sentence) => (
            <li key={sentence}>
              <NamedSentence sentence={sentence} labels={labels} />
            </li>
          ))}
        </ul>
      )}
      {check.patches.length > 0 && (
        <>
          <h4>Patches the new code carries ({check.patches.length})</h4>
          <ul className="takeover-patches" data-testid="takeover-patches">
            {check.patches.map((patch) => (
              <li key={`${patch.workflow_id}/${patch.node_id}`} data-node-id={patch.node_id} data-path={patch.path}>
                <NodeName labels={labels} workflowId={patch.workflow_id} nodeId={patch.node_id} /> in{" "}
                <code>{patch.workflow_id}</code>: {patchPathWords(patch.path)}; marker <code>{patch.patch_id}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {check.divergences.length > 0 && (
        <details className="takeover-divergences" open={check.divergences.length <= 5}>
          <summary>
            Executions that do not replay: {breaking} running, {check.divergences.length - breaking} recently closed
          </summary>
          <ul data-testid="takeover-divergences">
            {check.divergences.map((item) => (
              <li key={item.run_id} data-node-id={item.node_id ?? ""}>
                <code title={`run ${item.run_id}`}>{item.workflow_id}</code> ({item.running ? "running" : "closed"},{" "}
                {item.workflow_type}):{" "}
                {item.node_id ? (
                  <>
                    at <NodeName labels={labels} workflowId={item.workflow_type} nodeId={item.node_id} />
                  </>
                ) : (
                  "at a step the replay could not place"
                )}
                , <NamedSentence sentence={item.reason} labels={labels} workflow={item.workflow_type} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function Diagnostics({ diagnostics, labels }: { diagnostics: Diagnostic[]; labels: NodeLabels }) {
  return (
    <ul className="takeover-diagnostics" data-testid="takeover-diagnostics">
      {diagnostics.map((diagnostic, index) => (
        <li key={index} data-node-id={diagnostic.node_id ?? ""}>
          {diagnostic.node_id && diagnostic.workflow_id ? (
            <>
              <NodeName labels={labels} workflowId={diagnostic.workflow_id} nodeId={diagnostic.node_id} />{" "}
            </>
          ) : diagnostic.workflow_id ? (
            <>
              workflow <code>{diagnostic.workflow_id}</code>{" "}
            </>
          ) : null}
          {diagnostic.field && (
            <>
              field <code>{diagnostic.field}</code>{" "}
            </>
          )}
          ({diagnostic.code}): {diagnostic.message}
        </li>
      ))}
    </ul>
  );
}

export function TakeoverDialog({
  replaced,
  replacedName,
  onClose,
  onDeployed,
}: {
  replaced: Deployment;
  replacedName: string;
  onClose(): void;
  onDeployed(deployment: Deployment, tookOver: boolean): void;
}) {
  const editor = useEditorStore();
  const projectId = useEditor((state) => state.projectId);
  const labels = useNodeLabels();
  const [store] = useState(() =>
    createTakeover(
      {
        check: (how) => runApi.checkDeployment(projectId, how),
        deploy: (how) => runApi.deploy(projectId, how),
      },
      replaced.id,
    ),
  );
  const state = useStore(store);
  // what the server compiles is what the canvas shows: nothing is deployed before it is saved
  const [saved, setSaved] = useState(false);
  const [saveProblem, setSaveProblem] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // once, though React runs a new effect twice while developing
    if (started.current) return;
    started.current = true;
    void (async () => {
      if (isDirty(editor.getState())) {
        const outcome = await save(editor);
        if (!outcome.ok) {
          setSaveProblem(
            `Not saved, so neither checked nor deployed: ${outcome.conflict?.detail ?? outcome.error ?? "a conflict"}`,
          );
          return;
        }
      }
      setSaved(true);
      await store.getState().runCheck(false);
    })();
  }, [editor, store]);

  // until the drafts are saved, every choice waits as for a check
  const offered = choices({ ...state, busy: saved ? state.busy : "check" });
  // the recommended way's button is the primary one, and has the focus once it is known
  const chosen = preselected(state);
  const buttons = useRef<Partial<Record<Preselected, HTMLButtonElement | null>>>({});
  useEffect(() => {
    if (chosen !== null) buttons.current[chosen]?.focus();
  }, [chosen]);
  const emphasis = (which: Preselected) => ({
    className: chosen === which ? "button primary" : "button",
    "data-recommended": chosen === which ? "true" : undefined,
    ref: (element: HTMLButtonElement | null) => {
      buttons.current[which] = element;
    },
  });
  // a check may be left (its answer is dropped with the dialog); a deploy goes on regardless
  const deploying = state.busy === "beside" || state.busy === "over" || state.busy === "patched";
  const deploy = async (how: "beside" | "over" | "patched") => {
    const deployment = await store.getState().deploy(how);
    if (deployment) onDeployed(deployment, how !== "beside");
  };

  return (
    <div className="dialog-backdrop takeover-backdrop">
      <div
        className="dialog takeover-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="takeover-title"
        data-testid="takeover-dialog"
      >
        <h2 id="takeover-title">
          Deploy over <span title={replaced.id}>{replacedName}</span>
        </h2>
        <p className="muted">
          The new version is the project&apos;s saved drafts. Deployed over {replacedName}, it takes over its task queue{" "}
          <code>{replaced.task_queue}</code> and the executions running there: the new worker replays each one&apos;s
          history on the new code, so first the check below replays them here. Deployed beside, it is a new version of the
          same Worker Deployment: every execution stays pinned to the version it started on, new ones start on the new
          version, and the old version&apos;s worker stops once its executions have ended.
        </p>
        {saveProblem && (
          <p className="error-text" role="alert">
            {saveProblem}
          </p>
        )}
        {state.check && (
          <CheckFindings
            check={state.check}
            replacedName={replacedName}
            labels={labels}
            title="Replay on the new code"
            testId="takeover-check"
          />
        )}
        {state.check && (
          <p className="takeover-recommended" data-testid="takeover-recommended" data-way={state.check.recommended}>
            {recommendationWords(state.check)}
          </p>
        )}
        {state.patchCheck && (
          <CheckFindings
            check={state.patchCheck}
            replacedName={replacedName}
            labels={labels}
            title="Replay on the new code with patching"
            testId="takeover-patch-check"
          />
        )}
        {!saved && !saveProblem && (
          <p className="takeover-busy" role="status">
            <LoaderCircle size={16} className="takeover-spinner" /> Saving your changes first…
          </p>
        )}
        {state.busy && (
          <p className="takeover-busy" data-testid="takeover-busy" role="status">
            <LoaderCircle size={16} className="takeover-spinner" /> {BUSY_WORDS[state.busy]}
          </p>
        )}
        {state.invalid && (
          <div className="takeover-invalid" role="alert" data-testid="takeover-invalid">
            <p className="error-text">
              {patching(state.invalid.during)
                ? "The change cannot be patched: "
                : "The new version cannot be deployed as it is: "}
              {state.invalid.detail}
            </p>
            <Diagnostics diagnostics={state.invalid.diagnostics} labels={labels} />
          </div>
        )}
        {state.problem && (
          <p className="error-text" role="alert" data-testid="takeover-problem">
            {state.problem}
          </p>
        )}
        <div className="dialog-actions takeover-actions">
          <button type="button" className="button" onClick={onClose} disabled={deploying}>
            Close
          </button>
          <button
            type="button"
            {...emphasis("beside")}
            disabled={!offered.beside.enabled}
            onClick={() => void deploy("beside")}
            data-testid="takeover-beside"
          >
            Deploy beside (executions stay on their version)
          </button>
          <button
            type="button"
            {...emphasis("over")}
            disabled={!offered.over.enabled}
            title={state.check && !state.check.ok ? "Running executions would break: check with patching" : undefined}
            onClick={() => void deploy("over")}
            data-testid="takeover-over"
          >
            Deploy over
          </button>
          {offered.checkPatched.shown && (
            <button
              type="button"
              {...emphasis("check-patched")}
              disabled={!offered.checkPatched.enabled}
              onClick={() => void store.getState().runCheck(true)}
              data-testid="takeover-check-patched"
            >
              Check with patching
            </button>
          )}
          {offered.overPatched.shown && (
            <button
              type="button"
              {...emphasis("patched")}
              disabled={!offered.overPatched.enabled}
              onClick={() => void deploy("patched")}
              data-testid="takeover-over-patched"
            >
              Deploy over with patching
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
