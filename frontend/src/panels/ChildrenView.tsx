// A live view of a spawn_children or work_queue node's children in the shown run: the items'
// dependency graph (elkjs) or, without dependencies, the items grouped by status; each coloured
// by its status and linking to its own run; the counter "running n / limit m". It asks the
// children endpoint again every REFRESH_MS while the run is open, and at once when the node's
// state in the run's event stream changes.
import { GitFork, RefreshCw, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";

import { useEditor } from "../editor/context";
import { link } from "../pages/router";
import {
  CHILDREN_KINDS,
  type ChildItem,
  type ChildrenLayout,
  type ChildrenView as View,
  childTone,
  countsInOrder,
  drawsGraph,
  fetchChildren,
  groupByStatus,
  hasRun,
  ITEM_HEIGHT,
  ITEM_WIDTH,
  keepsChanging,
  layoutChildren,
  limitCounter,
  REFRESH_MS,
  shapeKey,
  statusLabel,
  waitingWords,
} from "../run/children";
import { useRun } from "../run/context";
import { formatTime } from "../run/overlay";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The button a spawn_children or work_queue node's detail shows; opens the view. */
export function ChildrenButton({ nodeId, kind }: { nodeId: string; kind: string }) {
  const [open, setOpen] = useState(false);
  if (!CHILDREN_KINDS.has(kind)) return null;
  return (
    <>
      <button type="button" className="button run-children-open" onClick={() => setOpen(true)} data-testid="run-children-open">
        <GitFork size={14} /> Children view
      </button>
      {open && <ChildrenView nodeId={nodeId} onClose={() => setOpen(false)} />}
    </>
  );
}

function useChildren(nodeId: string) {
  const workflowId = useRun((state) => state.shown?.workflowId ?? null);
  const shownRunId = useRun((state) => state.summary?.run_id ?? state.shown?.runId ?? null);
  // a change of the node in the run's event stream asks again at once
  const nodeState = useRun((state) => state.nodes[nodeId]);
  const nodeKey = nodeState ? `${nodeState.status}/${nodeState.count}/${nodeState.ended_at ?? ""}` : "";
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  // the shown run continued-as-new: follow the chain's latest run
  const [latest, setLatest] = useState(false);
  const runId = latest ? null : shownRunId;
  const busy = useRef(false);

  const load = useCallback(async () => {
    if (!workflowId || busy.current) return;
    busy.current = true;
    try {
      const found = await fetchChildren(workflowId, nodeId, runId);
      if (found.run_status === "CONTINUED_AS_NEW" && runId) setLatest(true);
      setView(found);
      setError(null);
    } catch (failure) {
      setError(message(failure));
    } finally {
      busy.current = false;
    }
  }, [workflowId, nodeId, runId]);

  const changing = keepsChanging(view);
  useEffect(() => {
    void load();
  }, [load, nodeKey]);
  useEffect(() => {
    if (!changing) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, changing]);
  return { view, error, reload: load };
}

function ItemBox({ item, href, style }: { item: ChildItem; href: string | null; style?: React.CSSProperties }) {
  const why = waitingWords(item, (iso) => formatTime(iso));
  const shortWhy = waitingWords(item, (iso) => formatTime(iso), true);
  const title = [
    `${item.key}: ${statusLabel(item.status)}`,
    item.workflow_id ? `workflow id ${item.workflow_id}` : "",
    why,
    item.attempts > 1 ? `${item.attempts} attempts` : "",
    item.started_at ? `started ${formatTime(item.started_at)}` : "",
    item.ended_at ? `ended ${formatTime(item.ended_at)}` : "",
    item.error ?? "",
  ]
    .filter(Boolean)
    .join("\n");
  const body = (
    <>
      <span className="child-key">{item.key}</span>
      <span className="child-status">
        {shortWhy || statusLabel(item.status)}
        {item.attempts > 1 ? ` · ×${item.attempts}` : ""}
      </span>
    </>
  );
  const className = `child-item ${childTone(item.status)}`;
  return href ? (
    <a
      className={className}
      href={href}
      title={title}
      style={style}
      data-testid="child-item"
      data-key={item.key}
      data-status={item.status}
    >
      {body}
    </a>
  ) : (
    <div className={className} title={title} style={style} data-testid="child-item" data-key={item.key} data-status={item.status}>
      {body}
    </div>
  );
}

function Graph({ view, hrefOf }: { view: View; hrefOf(item: ChildItem): string | null }) {
  const [layout, setLayout] = useState<ChildrenLayout | null>(null);
  const shape = shapeKey(view);
  const current = useRef(view);
  current.current = view;
  useEffect(() => {
    let stopped = false;
    void layoutChildren(current.current).then((found) => {
      if (!stopped) setLayout(found);
    });
    return () => {
      stopped = true;
    };
  }, [shape]);
  if (!layout) return <p className="muted">Laying out…</p>;
  const statusOf = new Map(view.items.map((item) => [item.key, item.status]));
  return (
    <div className="children-graph" style={{ width: layout.width, height: layout.height }} data-testid="children-graph">
      <svg width={layout.width} height={layout.height} className="children-edges">
        <defs>
          <marker id="child-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="#94a3b8" />
          </marker>
        </defs>
        {layout.lines.map((line) => (
          <polyline
            key={`${line.source}->${line.target}`}
            points={line.points.map((p) => `${p.x},${p.y}`).join(" ")}
            className={statusOf.get(line.source) === "completed" ? "children-edge done" : "children-edge"}
            markerEnd="url(#child-arrow)"
          />
        ))}
      </svg>
      {view.items.map((item) => {
        const box = layout.boxes.get(item.key);
        if (!box) return null;
        return (
          <ItemBox
            key={item.key}
            item={item}
            href={hrefOf(item)}
            style={{ position: "absolute", left: box.x, top: box.y, width: ITEM_WIDTH, height: ITEM_HEIGHT }}
          />
        );
      })}
    </div>
  );
}

function Groups({ view, hrefOf }: { view: View; hrefOf(item: ChildItem): string | null }) {
  return (
    <div className="children-groups" data-testid="children-groups">
      {groupByStatus(view.items).map((group) => (
        <section key={group.status} className="children-group">
          <h4>
            <span className={`run-dot ${childTone(group.status)}`} /> {statusLabel(group.status)} ({group.items.length})
          </h4>
          <div className="children-row">
            {group.items.map((item) => (
              <ItemBox key={item.key} item={item} href={hrefOf(item)} style={{ width: ITEM_WIDTH, minHeight: ITEM_HEIGHT }} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

export function ChildrenView({ nodeId, onClose }: { nodeId: string; onClose(): void }) {
  const projectId = useEditor((state) => state.projectId);
  const label = useEditor((state) => state.nodes.find((n) => n.id === nodeId)?.data.label || nodeId);
  const { view, error, reload } = useChildren(nodeId);
  useEffect(() => {
    const close = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", close);
    return () => window.removeEventListener("keydown", close);
  }, [onClose]);
  const hrefOf = (item: ChildItem) =>
    view && item.workflow_id && hasRun(item) ? link.run(projectId, view.child_workflow, item.workflow_id) : null;

  return (
    <div className="dialog-backdrop children-backdrop" onClick={onClose}>
      <div
        className="dialog children-view"
        role="dialog"
        aria-label={`Children of ${label}`}
        data-testid="children-view"
        onClick={(event) => event.stopPropagation()}
      >
        <header className="children-head">
          <h2>
            Children of {label}
            {view && <span className="muted children-kind"> · {view.kind.replace("_", " ")} of {view.child_workflow}</span>}
          </h2>
          <div className="children-tools">
            {view && keepsChanging(view) && <span className="run-live">● live</span>}
            <button type="button" className="icon-button" title="Ask again" aria-label="Ask again" onClick={() => void reload()}>
              <RefreshCw size={14} />
            </button>
            <button type="button" className="icon-button" title="Close (Esc)" aria-label="Close" onClick={onClose}>
              <X size={16} />
            </button>
          </div>
        </header>
        {error && <p className="error-text">{error}</p>}
        {!view ? (
          !error && <p className="muted">Reading the run…</p>
        ) : (
          <>
            <div className="children-summary">
              <strong className="children-counter" data-testid="children-counter">
                {limitCounter(view)}
              </strong>
              {view.limit_from && (
                <span className="muted">
                  limit from <code>{view.limit_from}</code>
                </span>
              )}
              {countsInOrder(view).map(({ status, count }) => (
                <span key={status} className={`run-badge ${childTone(status)}`} data-testid="children-count" data-status={status}>
                  {count} {statusLabel(status)}
                </span>
              ))}
              {view.queue?.paused && <span className="run-badge run-waiting">paused</span>}
              {view.queue?.draining && <span className="run-badge run-ended">draining</span>}
            </div>
            {view.items.length === 0 ? (
              <p className="muted">No children yet.</p>
            ) : drawsGraph(view) ? (
              <div className="children-canvas">
                <Graph view={view} hrefOf={hrefOf} />
              </div>
            ) : (
              <div className="children-canvas">
                <Groups view={view} hrefOf={hrefOf} />
              </div>
            )}
            <footer className="children-foot muted">
              {view.truncated && <div>Showing {view.items.length} of {view.total} items.</div>}
              {view.has_dependencies && !view.dependencies_known && (
                <div>Some items' dependencies could not be worked out from the run's data.</div>
              )}
              {view.queue?.stats && (
                <div>
                  {Object.entries(view.queue.stats)
                    .filter(([, value]) => value !== null)
                    .map(([name, value]) => `${name.replace(/_/g, " ")} ${value}`)
                    .join(" · ")}
                </div>
              )}
              {view.notes.map((note) => (
                <div key={note}>{note}</div>
              ))}
            </footer>
          </>
        )}
      </div>
    </div>
  );
}
