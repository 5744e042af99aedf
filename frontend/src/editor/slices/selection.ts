// What is selected and what the canvas shows: selecting, bringing a node or an edge into view,
// drilling into a container. None of these is an edit of the document.
import type { Slice } from "./context";
import { deselectEdges, isInside, openedContainer } from "./queries";

export const selectionSlice: Slice<"selectAll" | "select" | "focusNode" | "focusEdge" | "openContainer"> = ({
  set,
  get,
  place,
}) => ({
  selectAll() {
    // drilled into a container, what it holds: nothing hidden is selected (and deleted)
    const opened = openedContainer(get());
    const shown = opened ? new Set([opened.id]) : null;
    const all = place.byId();
    const wanted = (id: string) => !shown || isInside(id, shown, all);
    set({
      nodes: get().nodes.map((node) => (Boolean(node.selected) === wanted(node.id) ? node : { ...node, selected: wanted(node.id) })),
      edges: get().edges.map((edge) => {
        const take = wanted(edge.source) && wanted(edge.target);
        return Boolean(edge.selected) === take ? edge : { ...edge, selected: take };
      }),
    });
  },

  select(nodeIds) {
    const wanted = new Set(nodeIds);
    set({
      nodes: get().nodes.map((node) =>
        Boolean(node.selected) === wanted.has(node.id) ? node : { ...node, selected: wanted.has(node.id) },
      ),
      edges: deselectEdges(get().edges),
    });
  },

  focusNode(nodeId) {
    const nodes = place.byId();
    const around = new Set<string>();
    for (let parent = nodes.get(nodeId)?.parentId; parent && !around.has(parent); parent = nodes.get(parent)?.parentId) {
      around.add(parent);
    }
    const folded = [...around].filter((id) => get().collapsed.has(id));
    if (folded.length) get().setCollapsed(folded, false);
    // a node outside the container drilled into is shown in the whole workflow
    const opened = openedContainer(get());
    if (opened && nodeId !== opened.id && !around.has(opened.id)) set({ opened: null });
    get().select([nodeId]);
    set({ focus: { nodeId, seq: (get().focus?.seq ?? 0) + 1 } });
  },

  focusEdge(edgeId) {
    const edge = get().edges.find((e) => e.id === edgeId);
    if (!edge) return;
    const opened = openedContainer(get());
    if (opened) {
      const shown = new Set([opened.id]);
      const all = place.byId();
      if (!isInside(edge.source, shown, all) || !isInside(edge.target, shown, all)) set({ opened: null });
    }
    set({
      nodes: get().nodes.map((node) => (node.selected ? { ...node, selected: false } : node)),
      edges: get().edges.map((e) => ((e.id === edgeId) === Boolean(e.selected) ? e : { ...e, selected: e.id === edgeId })),
      focus: { nodeId: edge.source, seq: (get().focus?.seq ?? 0) + 1 },
    });
  },

  openContainer(id) {
    const nodes = place.byId();
    const container = id ? nodes.get(id) : undefined;
    if (id && container?.type !== "container") return;
    if (!container) {
      if (get().opened !== null) set({ opened: null });
      return;
    }
    const shown = new Set([container.id]);
    const keep = (nodeId: string) => nodeId === container.id || isInside(nodeId, shown, nodes);
    set({
      opened: container.id,
      nodes: get().nodes.map((node) => (node.selected && !keep(node.id) ? { ...node, selected: false } : node)),
      edges: get().edges.map((edge) =>
        edge.selected && !(keep(edge.source) && keep(edge.target)) ? { ...edge, selected: false } : edge,
      ),
    });
  },
});
