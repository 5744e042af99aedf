// Run what you drew: deploy the saved draft, start the open workflow with a typed input, follow
// a run live on the canvas, talk to it (signals, updates, queries, approval gates), and read
// what happened (node details, the first failure, the timeline, the worker's log); the project's
// deployments are listed below the runs (DeploymentsPanel.tsx).
import { ExternalLink, Play, RefreshCw, RotateCcw, Square, X, XOctagon } from "lucide-react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";

import { ApiError } from "../api/client";
import type { DocNode, Fields } from "../api/types";
import { useEditor, useEditorStore } from "../editor/context";
import { save } from "../editor/saving";
import { isDirty } from "../editor/store";
import { link } from "../pages/router";
import { runApi } from "../run/api";
import { useRun, useRunStore } from "../run/context";
import { gateDecisions, gateName, type Handler, handlersOf, initialTexts, readFields } from "../run/fields";
import { readStandIns, type StandInRow, standInErrors } from "../run/standIns";
import { failureWords, formatDuration, formatTime, nodeBadge, runStatusTone, statusWords } from "../run/overlay";
import type { NodeRunState } from "../run/types";
import { ChildrenButton } from "./ChildrenView";
import { DeploymentsSection } from "./DeploymentsPanel";
import { FieldsForm } from "./FieldsForm";
import { StandInsForm } from "./StandInsForm";

const LIST_EVERY_MS = 3000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Diagnostics of a 422 by field, with `prefix` (`input.`, `payload.`) taken off. */
function fieldErrors(error: unknown, prefix: string): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const found: Record<string, string> = {};
  for (const diagnostic of error.body.diagnostics ?? []) {
    if (diagnostic.field?.startsWith(prefix)) found[diagnostic.field.slice(prefix.length)] = diagnostic.message;
  }
  return found;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function useFieldTexts(fields: Fields, defaults?: Record<string, unknown>) {
  const types = useEditor((state) => state.project.types);
  const initial = useMemo(() => initialTexts(fields, defaults, types), [fields, defaults, types]);
  const [texts, setTexts] = useState(initial);
  useEffect(() => setTexts(initial), [initial]);
  const change = useCallback((name: string, text: string) => setTexts((current) => ({ ...current, [name]: text })), []);
  return { texts, change };
}

// --- starting a run ---------------------------------------------------------------------------

function StartForm() {
  const store = useEditorStore();
  const runStore = useRunStore();
  const projectId = useEditor((state) => state.projectId);
  const workflowId = useEditor((state) => state.workflowId);
  const name = useEditor((state) => state.meta.name || state.workflowId);
  const input = useEditor((state) => state.meta.input);
  const defaults = useEditor((state) => state.meta.input_defaults);
  const dirty = useEditor(isDirty);
  const deployment = useRun((state) => state.deployment);
  const { texts, change } = useFieldTexts(input, defaults);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [standIns, setStandIns] = useState<StandInRow[]>([]);
  const [standInProblems, setStandInProblems] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [step, setStep] = useState<string | null>(null);

  const start = async () => {
    setProblem(null);
    const read = readFields(input, texts);
    const stoodIn = readStandIns(standIns);
    setErrors(read.errors);
    setStandInProblems(stoodIn.errors);
    if (Object.keys(read.errors).length || Object.keys(stoodIn.errors).length) return;
    try {
      if (dirty) {
        setStep("Saving…");
        const outcome = await save(store);
        if (!outcome.ok) {
          setProblem(`Not saved, so not run: ${outcome.conflict?.detail ?? outcome.error ?? "a conflict"}`);
          return;
        }
      }
      setStep("Deploying…");
      let deployed;
      try {
        deployed = await runApi.deploy(projectId);
      } catch (error) {
        const count = error instanceof ApiError ? (error.body.diagnostics ?? []).length : 0;
        setProblem(
          count
            ? `The project has ${count} problem${count === 1 ? "" : "s"} to fix before it can run: ${message(error)}`
            : `Could not deploy: ${message(error)}`,
        );
        return;
      }
      runStore.getState().setDeployment(deployed);
      setStep("Starting…");
      try {
        const started = await runApi.start(deployed.id, workflowId, read.value, stoodIn.value);
        runStore.getState().show({ workflowId: started.workflow_id, runId: started.run_id });
        setErrors({});
      } catch (error) {
        const byField = fieldErrors(error, "input.");
        const byNode = standInErrors(fieldErrors(error, "stand_ins."), standIns.map((row) => row.nodeId));
        setErrors(byField);
        setStandInProblems(byNode);
        setProblem(
          Object.keys(byField).length
            ? "The input does not fit the workflow's input type."
            : Object.keys(byNode).length
              ? "A stand-in does not fit its node."
              : message(error),
        );
      }
    } finally {
      setStep(null);
    }
  };

  return (
    <section className="run-section" data-testid="run-start">
      <h3>Run {name}</h3>
      {Object.keys(input).length === 0 && <p className="muted">This workflow takes no input.</p>}
      <FieldsForm fields={input} texts={texts} errors={errors} idPrefix="run-input" onChange={change} />
      <StandInsForm rows={standIns} errors={standInProblems} onChange={setStandIns} />
      {problem && (
        <p className="error-text" role="alert" data-testid="run-problem">
          {problem}
        </p>
      )}
      <div className="run-actions">
        <button type="button" className="button primary" disabled={step !== null} onClick={() => void start()} data-testid="run-button">
          <Play size={14} /> {step ?? "Run"}
        </button>
        {dirty && <span className="muted">Saves your changes first.</span>}
      </div>
      {deployment && (
        <p className="muted run-deployment" data-testid="run-deployment">
          Deployment <code>{deployment.id}</code> · worker {deployment.status}
        </p>
      )}
    </section>
  );
}

// --- the shown run ----------------------------------------------------------------------------

function useNodeLabels() {
  const nodes = useEditor((state) => state.nodes);
  return useMemo(() => new Map(nodes.map((node) => [node.id, node.data.label || node.id])), [nodes]);
}

function StatusBadge({ state }: { state: NodeRunState }) {
  const badge = nodeBadge(state);
  if (!badge) return null;
  return (
    <span className={`run-badge ${badge.className}`}>
      {badge.label}
      {badge.count && <span className="run-count"> {badge.count}</span>}
    </span>
  );
}

function NodeDetail({ nodeId }: { nodeId: string }) {
  const projectId = useEditor((state) => state.projectId);
  const node = useEditor((state) => state.nodes.find((n) => n.id === nodeId));
  const state = useRun((run) => run.nodes[nodeId]);
  if (!node) return null;
  const childWorkflow = typeof node.data.config.workflow === "string" ? node.data.config.workflow : null;
  return (
    <section className="run-section run-node-detail" data-testid="run-node-detail" data-node-id={nodeId}>
      <header className="run-section-head">
        <h3>{node.data.label || nodeId}</h3>
        {state && <StatusBadge state={state} />}
      </header>
      <ChildrenButton nodeId={nodeId} kind={node.data.kind} />
      {!state ? (
        <p className="muted">This node has no state in the run.</p>
      ) : (
        <dl className="run-facts">
          <dt>Attempts</dt>
          <dd data-testid="run-node-attempt">{state.attempt ?? (state.count ? 1 : 0)}</dd>
          {state.count > 1 && (
            <>
              <dt>Ran</dt>
              <dd>{state.count} times</dd>
            </>
          )}
          <dt>Started</dt>
          <dd>{formatTime(state.started_at)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(state.duration_ms)}</dd>
          {state.error && (
            <>
              <dt>Error</dt>
              <dd className="run-error" data-testid="run-node-error">
                {state.error}
              </dd>
            </>
          )}
          {state.last_failure && state.last_failure !== state.error && (
            <>
              <dt>Last failure</dt>
              <dd className="run-error">{state.last_failure}</dd>
            </>
          )}
          {state.compensation && (
            <>
              <dt>Undo</dt>
              <dd>{state.compensation}</dd>
            </>
          )}
          <dt>Input</dt>
          <dd>
            <pre className="run-json" data-testid="run-node-input">{show(state.input)}</pre>
          </dd>
          <dt>Output</dt>
          <dd>
            <pre className="run-json" data-testid="run-node-output">{show(state.output)}</pre>
          </dd>
          {state.children.length > 0 && (
            <>
              <dt>Children</dt>
              <dd>
                <ul className="run-children" data-testid="run-node-children">
                  {state.children.map((child) => (
                    <li key={child}>
                      {childWorkflow ? (
                        <a href={link.run(projectId, childWorkflow, child)}>{child}</a>
                      ) : (
                        <code>{child}</code>
                      )}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}

function HandlerForm({
  handler,
  idPrefix,
  onSend,
}: {
  handler: Handler;
  idPrefix: string;
  onSend(payload: Record<string, unknown> | null): Promise<void>;
}) {
  const { texts, change } = useFieldTexts(handler.params);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const hasParams = Object.keys(handler.params).length > 0;
  const send = async () => {
    const read = readFields(handler.params, texts);
    setErrors(read.errors);
    if (Object.keys(read.errors).length) return;
    setBusy(true);
    try {
      await onSend(hasParams ? read.value : null);
    } catch (error) {
      setErrors(fieldErrors(error, "payload."));
      throw error;
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="run-handler" data-testid="run-handler" data-handler={handler.name}>
      <FieldsForm fields={handler.params} texts={texts} errors={errors} idPrefix={idPrefix} onChange={change} />
      <button type="button" className="button" disabled={busy} onClick={() => void send().catch(() => undefined)}>
        Send {handler.kind} <code>{handler.name}</code>
      </button>
    </div>
  );
}

function PendingGates({
  gates,
  handlers,
  onCall,
}: {
  gates: Pick<DocNode, "id" | "label" | "config">[];
  handlers: Handler[];
  onCall: CallHandler;
}) {
  const editor = useEditorStore();
  const decisions = gateDecisions(handlers);
  const [open, setOpen] = useState<{ gate: string; handler: Handler } | null>(null);
  if (!gates.length) return null;
  return (
    <section className="run-section run-gates" data-testid="run-gates">
      <h3>Waiting for approval</h3>
      {gates.map((gate) => (
        <div key={gate.id} className="run-gate" data-testid="run-gate" data-node-id={gate.id}>
          <button
            type="button"
            className="link-button run-gate-name"
            title="Show the gate"
            onClick={() => editor.getState().focusNode(gate.id)}
          >
            {gateName(gate)}
          </button>
          <div className="run-actions">
            {(["approve", "reject"] as const).map((decision) => {
              const handler = decisions[decision];
              if (!handler) return null;
              return (
                <button
                  key={decision}
                  type="button"
                  className={decision === "approve" ? "button primary" : "button danger"}
                  title={`${handler.kind} ${handler.name}`}
                  onClick={() => {
                    if (Object.keys(handler.params).length) setOpen({ gate: gate.id, handler });
                    else void onCall(handler, null).catch(() => undefined);
                  }}
                >
                  {decision === "approve" ? "Approve" : "Reject"}
                </button>
              );
            })}
            {!decisions.approve && !decisions.reject && (
              <span className="muted">Send the signal or update that decides it below.</span>
            )}
          </div>
          {open?.gate === gate.id && (
            <HandlerForm
              handler={open.handler}
              idPrefix={`run-gate-${gate.id}`}
              onSend={async (payload) => {
                await onCall(open.handler, payload);
                setOpen(null);
              }}
            />
          )}
        </div>
      ))}
    </section>
  );
}

type CallHandler = (handler: Handler, payload: Record<string, unknown> | null) => Promise<void>;

function Handlers({ handlers, onCall, answers }: { handlers: Handler[]; onCall: CallHandler; answers: Record<string, string> }) {
  if (!handlers.length) return null;
  return (
    <section className="run-section" data-testid="run-handlers">
      <h3>Talk to the run</h3>
      {handlers.map((handler) => (
        <details key={`${handler.kind}:${handler.name}`} className="run-handler-item">
          <summary>
            <span className="run-handler-kind">{handler.kind}</span> <code>{handler.name}</code>
          </summary>
          {handler.kind === "query" ? (
            <button type="button" className="button" onClick={() => void onCall(handler, null).catch(() => undefined)}>
              Ask
            </button>
          ) : (
            <HandlerForm
              handler={handler}
              idPrefix={`run-${handler.kind}-${handler.name}`}
              onSend={(payload) => onCall(handler, payload)}
            />
          )}
          {answers[`${handler.kind}:${handler.name}`] !== undefined && (
            <pre className="run-json" data-testid="run-answer">{answers[`${handler.kind}:${handler.name}`]}</pre>
          )}
        </details>
      ))}
    </section>
  );
}

function ShownRun({ detail }: { detail: React.ReactNode }) {
  const editor = useEditorStore();
  const runStore = useRunStore();
  const labels = useNodeLabels();
  const nodes = useEditor((state) => state.nodes);
  const run = useRun(
    useShallow((state) => ({
      shown: state.shown,
      summary: state.summary,
      live: state.live,
      streamError: state.streamError,
      firstFailure: state.firstFailure,
      stuck: state.stuck,
      outcome: state.outcome,
      result: state.result,
      failure: state.failure,
      timeline: state.timeline,
      nodeStates: state.nodes,
    })),
  );
  const { shown, summary, live, streamError, firstFailure, stuck, outcome, result, failure, timeline, nodeStates } =
    run;
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const handlers = useMemo(() => handlersOf({ nodes: nodes.map((n) => ({ id: n.id, type: n.data.kind, label: n.data.label, position: n.position, config: n.data.config })) }), [nodes]);
  const gates = useMemo(
    () =>
      nodes
        .filter((node) => node.data.kind === "wait" && nodeStates[node.id]?.status === "waiting")
        .map((node) => ({ id: node.id, type: "wait", label: node.data.label, position: node.position, config: node.data.config })),
    [nodes, nodeStates],
  );
  useEffect(() => setAnswers({}), [shown]);
  if (!shown) return null;
  const failureText = firstFailure
    ? failureWords(labels.get(firstFailure.node_id) ?? firstFailure.node_id, firstFailure.message)
    : null;
  const workflowId = shown.workflowId;
  const runId = summary?.run_id ?? shown.runId;
  const status = summary?.status ?? null;
  const open = status === "RUNNING";

  const act = async (what: () => Promise<unknown>, done?: string) => {
    setProblem(null);
    try {
      await what();
      if (done) editor.getState().notify(done, "success");
    } catch (error) {
      setProblem(message(error));
      throw error;
    }
  };
  const call: CallHandler = async (handler, payload) => {
    const key = `${handler.kind}:${handler.name}`;
    await act(async () => {
      if (handler.kind === "signal") {
        await runApi.signal(workflowId, null, handler.name, payload);
        setAnswers((current) => ({ ...current, [key]: "sent" }));
      } else if (handler.kind === "update") {
        const answer = await runApi.update(workflowId, null, handler.name, payload);
        setAnswers((current) => ({ ...current, [key]: show(answer.result) }));
      } else {
        const answer = await runApi.query(workflowId, null, handler.name);
        setAnswers((current) => ({ ...current, [key]: show(answer.result) }));
      }
    }, handler.kind === "query" ? undefined : `Sent ${handler.kind} ${handler.name}`);
  };
  const rerun = () =>
    act(async () => {
      const started = await runApi.rerun(workflowId, runId);
      runStore.getState().show({ workflowId: started.workflow_id, runId: started.run_id });
    });

  return (
    <>
      <section className="run-section run-shown" data-testid="run-shown" data-status={status ?? ""}>
        <header className="run-section-head">
          <h3 className="run-id" title={runId ?? ""}>
            {workflowId}
          </h3>
          <button type="button" className="icon-button" title="Stop showing this run" aria-label="Stop showing this run" onClick={() => runStore.getState().show(null)}>
            <X size={14} />
          </button>
        </header>
        <div className="run-status-line">
          <span className={`run-badge ${runStatusTone(status)}`} data-testid="run-status">
            {status ? status.toLowerCase().replace(/_/g, " ") : "connecting"}
          </span>
          {live && <span className="run-live">● live</span>}
          {summary?.web_url && (
            <a href={summary.web_url} target="_blank" rel="noreferrer" data-testid="run-web-ui">
              Temporal Web UI <ExternalLink size={12} />
            </a>
          )}
        </div>
        {streamError && (
          <p className="error-text" data-testid="run-stream-error">
            Not following the run live: {streamError}
          </p>
        )}
        {stuck && !outcome && (
          <p className="error-text" role="alert" data-testid="run-stuck">
            The run is stuck: its workflow code cannot take its next step, and Temporal tries it again
            every few seconds: {stuck}. Fix the document or the input, then cancel or terminate this run and
            run again.
          </p>
        )}
        {firstFailure && failureText && (
          <button
            type="button"
            className={`run-failure-banner${status === "FAILED" ? "" : " recovered"}`}
            data-testid="run-first-failure"
            data-node-id={firstFailure.node_id}
            onClick={() => editor.getState().focusNode(firstFailure.node_id)}
            title="Show the node"
          >
            <XOctagon size={14} />
            <span>
              {status === "FAILED" ? "The run failed: " : "A step failed and the run went on: "}
              <strong>{failureText.label}</strong>
              {failureText.rest}
            </span>
          </button>
        )}
        {outcome === "completed" && result !== null && (
          <div className="run-result">
            <span className="muted">Result</span>
            <pre className="run-json" data-testid="run-result">{show(result)}</pre>
          </div>
        )}
        {failure && !firstFailure && <p className="error-text">{failure}</p>}
        {problem && (
          <p className="error-text" role="alert">
            {problem}
          </p>
        )}
        <div className="run-actions">
          <button type="button" className="button" onClick={() => void rerun().catch(() => undefined)} data-testid="run-rerun">
            <RotateCcw size={14} /> Re-run
          </button>
          <button
            type="button"
            className="button"
            disabled={!open}
            onClick={() => void act(() => runApi.cancel(workflowId, runId), "Cancel requested").catch(() => undefined)}
            data-testid="run-cancel"
          >
            <Square size={14} /> Cancel
          </button>
          <button
            type="button"
            className="button danger"
            disabled={!open}
            onClick={() => {
              if (window.confirm("Terminate the run now, without running any of its code?"))
                void act(() => runApi.terminate(workflowId, runId, "terminated from the editor"), "Terminated").catch(() => undefined);
            }}
            data-testid="run-terminate"
          >
            Terminate
          </button>
        </div>
      </section>
      {detail}
      {open && <PendingGates gates={gates} handlers={handlers} onCall={call} />}
      {open && <Handlers handlers={handlers} onCall={call} answers={answers} />}
      {!open && handlers.some((h) => h.kind === "query") && (
        <Handlers handlers={handlers.filter((h) => h.kind === "query")} onCall={call} answers={answers} />
      )}
      <section className="run-section">
        <h3>Timeline</h3>
        {timeline.length === 0 ? (
          <p className="muted">Nothing has happened yet.</p>
        ) : (
          <ol className="run-timeline" data-testid="run-timeline">
            {timeline.map((entry, index) => (
              <li key={index} className="run-timeline-entry">
                <span className="run-time">{formatTime(entry.time)}</span>
                <button type="button" className="link-button" onClick={() => editor.getState().focusNode(entry.nodeId)}>
                  {labels.get(entry.nodeId) ?? entry.nodeId}
                </button>
                <span className={`run-dot ${nodeBadge({ ...emptyState, status: entry.status })?.className}`} />
                <span>
                  {statusWords(entry.status)}
                  {entry.status === "retrying" && entry.attempt ? ` (attempt ${entry.attempt})` : ""}
                  {entry.count > 1 ? ` ×${entry.count}` : ""}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

const emptyState: NodeRunState = {
  node_id: "",
  status: "not_reached",
  count: 0,
  attempt: null,
  started_at: null,
  ended_at: null,
  duration_ms: null,
  input: null,
  output: null,
  error: null,
  last_failure: null,
  children: [],
  compensation: null,
};

// --- the deployment's runs and its worker -----------------------------------------------------

function RunsList() {
  const runStore = useRunStore();
  const workflowId = useEditor((state) => state.workflowId);
  const { deployment, runs, shown } = useRun(
    useShallow((state) => ({ deployment: state.deployment, runs: state.runs, shown: state.shown })),
  );
  const deploymentId = deployment?.id;
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!deploymentId) return;
    let stopped = false;
    const load = async () => {
      try {
        const [found, deployed] = await Promise.all([
          runApi.list(deploymentId, workflowId),
          runApi.deployment(deploymentId),
        ]);
        if (!stopped) {
          runStore.getState().setRuns(found);
          runStore.getState().setDeployment(deployed);
          setError(null);
        }
      } catch (failure) {
        if (!stopped) setError(message(failure));
      }
    };
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, LIST_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [deploymentId, workflowId, runStore, shown]);

  if (!deployment) return null;
  return (
    <section className="run-section">
      <h3>Runs of this deployment</h3>
      {error && <p className="error-text">{error}</p>}
      {runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <ul className="run-list" data-testid="run-list">
          {runs.map((run) => (
            <li key={`${run.workflow_id}/${run.run_id}`}>
              <button
                type="button"
                className={`run-list-item${shown?.workflowId === run.workflow_id && (!shown.runId || shown.runId === run.run_id) ? " active" : ""}`}
                onClick={() => runStore.getState().show({ workflowId: run.workflow_id, runId: run.run_id })}
              >
                <span className={`run-badge ${runStatusTone(run.status)}`}>{run.status?.toLowerCase() ?? "?"}</span>
                <span className="run-list-id">{run.workflow_id}</span>
                <span className="run-time">
                  {formatTime(run.start_time)}
                  {run.close_time ? ` → ${formatTime(run.close_time)}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WorkerLog() {
  const deployment = useRun((state) => state.deployment);
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const deploymentId = deployment?.id;
  const load = useCallback(async () => {
    if (!deploymentId) return;
    try {
      setLines((await runApi.workerLog(deploymentId, 200)).lines);
      setError(null);
    } catch (failure) {
      setError(message(failure));
    }
  }, [deploymentId]);
  if (!deployment) return null;
  return (
    <details className="run-section run-log" onToggle={(event) => (event.currentTarget.open ? void load() : undefined)}>
      <summary>
        <h3>Worker log</h3>
      </summary>
      <button type="button" className="button" onClick={() => void load()}>
        <RefreshCw size={14} /> Refresh
      </button>
      {error && <p className="error-text">{error}</p>}
      <pre className="run-log-lines" data-testid="run-worker-log">{lines ? lines.join("\n") || "(empty)" : "…"}</pre>
    </details>
  );
}

// --- the panel --------------------------------------------------------------------------------

export function RunPanel({ initialRun }: { initialRun?: string | null }) {
  const runStore = useRunStore();
  const projectId = useEditor((state) => state.projectId);
  const selected = useEditor((state) => {
    const chosen = state.nodes.filter((node) => node.selected);
    return chosen.length === 1 ? (chosen[0]?.id ?? null) : null;
  });
  const runtime = useRun((state) => state.runtime);
  const showing = useRun((state) => state.shown !== null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    (async () => {
      const found = await runApi.runtime();
      if (stopped) return;
      runStore.getState().setRuntime(found);
      if (!found.deployments && found.temporal === "off") return;
      // the run the link names is shown once: the panel mounts again whenever its tab is
      // opened, and by then the user may be looking at another run
      if (initialRun && !runStore.getState().linkedRunShown) {
        try {
          const described = await runApi.describe(initialRun);
          if (stopped) return;
          const deployment = await runApi.deployment(described.deployment_id);
          if (stopped) return;
          runStore.getState().setDeployment(deployment);
          runStore.getState().show({ workflowId: described.workflow_id, runId: described.run_id });
        } catch (failure) {
          if (stopped) return;
          // the link is wrong or old: say so, and the panel works as without it
          setError(`Could not show the run ${initialRun}: ${message(failure)}`);
        }
        runStore.getState().setLinkedRunShown();
      }
      if (!runStore.getState().deployment) {
        const deployments = await runApi.deployments(projectId);
        const newest = [...deployments].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
        if (!stopped && newest) runStore.getState().setDeployment(newest);
      }
    })().catch((failure: unknown) => {
      if (!stopped) setError(message(failure));
    });
    return () => {
      stopped = true;
    };
  }, [runStore, projectId, initialRun]);

  if (runtime && runtime.temporal === "off") {
    return (
      <div className="run-panel">
        <p className="muted pad">
          This server runs without Temporal (<code>wfd serve --temporal off</code>), so nothing can run here.
        </p>
      </div>
    );
  }
  return (
    <div className="run-panel" data-testid="run-panel">
      {error && <p className="error-text pad">{error}</p>}
      {runtime && !runtime.up && <p className="muted pad">Temporal is starting…</p>}
      <ShownRun detail={showing && selected ? <NodeDetail nodeId={selected} /> : null} />
      <StartForm />
      <RunsList />
      <DeploymentsSection />
      <WorkerLog />
    </div>
  );
}
