// Edits of the graph and of the workflow's and project's settings: every one an undo step.
import { applyEdgeChanges, applyNodeChanges, type XYPosition } from "@xyflow/react";

import { edgeLabel, outputHandles } from "../../document/catalogue";
import { absolutePosition, type FlowEdge, type FlowNode, nodeSize } from "../../document/mapping";
import { connectionRefusal, type ProposedConnection } from "../../document/rules";
import type { Slice } from "./context";
import { BELOW, freshId, newNodeSize } from "./placement";
import { deselectEdges, isInside, orderParentsFirst } from "./queries";

export const graphSlice: Slice<
  | "onNodesChange"
  | "onEdgesChange"
  | "connect"
  | "addNodeFromPort"
  | "addNode"
  | "addNodeInView"
  | "updateNode"
  | "setMeta"
  | "setProject"
  | "deleteSelection"
  | "endGesture"
  | "previewDrop"
  | "previewDropAt"
  | "applyLayout"
  | "setCollapsed"
> = ({ set, get, history, place }) => {
  /** Puts `node` (from `placeNode`) on the canvas, selected alone, with `edge` if given: one
   * undo step. */
  const commitNode = (node: FlowNode, edge?: FlowEdge): string => {
    const before = get().nodes;
    history.record();
    const nodes = before.map((n) => (n.selected ? { ...n, selected: false } : n));
    const edges = deselectEdges(get().edges);
    set({
      nodes: place.settle(orderParentsFirst([...nodes, node]), before),
      edges: edge ? [...edges, edge] : edges,
    });
    return node.id;
  };

  /** Adds a node of `kindName` at the free place nearest to `wanted` (its top-left corner on
   * the canvas), inside `parent` if given, selected alone. */
  const insertNode = (kindName: string, wanted: XYPosition, parent: FlowNode | undefined): string =>
    commitNode(place.placeNode(kindName, wanted, parent));

  /** The edge a connection the rules accept is drawn as, labelled with its port. */
  const edgeFor = (connection: ProposedConnection, source: FlowNode | undefined): FlowEdge => {
    const handle = connection.sourceHandle ?? "out";
    return {
      id: freshId("e", new Set(get().edges.map((edge) => edge.id))),
      type: "port",
      source: connection.source,
      sourceHandle: handle,
      target: connection.target,
      targetHandle: connection.targetHandle ?? "in",
      data: { label: edgeLabel(source && get().catalogue.kinds.get(source.data.kind), handle) },
    };
  };

  const showDropTargets = (ids: string[]) => {
    const shown = get().dropTargets;
    if (ids.length !== shown.length || ids.some((id, index) => id !== shown[index])) set({ dropTargets: ids });
  };

  /** Whether a gesture moved or resized anything since `before`. */
  const moved = (nodes: FlowNode[], before: readonly FlowNode[]): boolean =>
    nodes.length !== before.length ||
    nodes.some((node, index) => {
      const old = before[index];
      return (
        !old ||
        old.id !== node.id ||
        old.position.x !== node.position.x ||
        old.position.y !== node.position.y ||
        old.width !== node.width ||
        old.height !== node.height
      );
    });

  return {
    onNodesChange(changes) {
      // removals go through deleteSelection; sizes and positions are recorded as gestures
      const kept = changes.filter((change) => change.type !== "remove");
      if (kept.length) set({ nodes: applyNodeChanges(kept, get().nodes) });
    },

    onEdgesChange(changes) {
      const kept = changes.filter((change) => change.type !== "remove");
      if (kept.length) set({ edges: applyEdgeChanges(kept, get().edges) });
    },

    connect(connection) {
      const { catalogue, edges } = get();
      const nodes = place.byId();
      const refusal = connectionRefusal(connection, nodes, edges, catalogue);
      if (refusal) return refusal;
      const edge = edgeFor(connection, nodes.get(connection.source));
      history.record();
      set({ edges: [...get().edges, edge] });
      return null;
    },

    addNodeFromPort(sourceId, handle, kindName) {
      const { catalogue, edges } = get();
      const nodes = place.byId();
      const source = nodes.get(sourceId);
      if (!source) return { refusal: `'${sourceId}' is no longer on the canvas` };
      // below the port it leaves from, beside its source: in the same container, if any
      const at = absolutePosition(source, nodes);
      const sourceSize = nodeSize(source);
      const used = edges.filter((edge) => edge.source === sourceId).map((edge) => edge.sourceHandle ?? "out");
      const handles = outputHandles(catalogue.kinds.get(source.data.kind), source.data.config, used);
      const index = Math.max(0, handles.findIndex((h) => h.id === handle));
      const portX = at.x + ((index + 1) / (handles.length + 1)) * sourceSize.width;
      const size = newNodeSize(catalogue.kinds.get(kindName));
      const wanted = { x: portX - size.width / 2, y: at.y + sourceSize.height + BELOW };
      const node = place.placeNode(kindName, wanted, source.parentId ? nodes.get(source.parentId) : undefined);
      const connection = { source: sourceId, sourceHandle: handle, target: node.id, targetHandle: "in" };
      const refusal = connectionRefusal(connection, new Map([...nodes, [node.id, node]]), edges, catalogue);
      if (refusal) return { refusal };
      return { added: commitNode(node, edgeFor(connection, source)) };
    },

    addNode(kindName, center) {
      const size = newNodeSize(get().catalogue.kinds.get(kindName));
      const wanted = { x: center.x - size.width / 2, y: center.y - size.height / 2 };
      set({ dropTargets: [] });
      return insertNode(kindName, wanted, place.containerAt(center, new Set()));
    },

    addNodeInView(kindName, view) {
      const nodes = place.byId();
      const selected = get().nodes.filter((node) => node.selected);
      const anchor = selected.length === 1 ? selected[0] : undefined;
      if (anchor?.type === "container") return insertNode(kindName, place.belowChildren(anchor), anchor);
      const size = newNodeSize(get().catalogue.kinds.get(kindName));
      if (anchor) {
        const at = absolutePosition(anchor, nodes);
        const anchorSize = nodeSize(anchor);
        const wanted = { x: at.x + (anchorSize.width - size.width) / 2, y: at.y + anchorSize.height + BELOW };
        return insertNode(kindName, wanted, anchor.parentId ? nodes.get(anchor.parentId) : undefined);
      }
      const wanted = {
        x: view.x + (view.width - size.width) / 2,
        y: view.y + (view.height - size.height) / 2,
      };
      return insertNode(kindName, wanted, place.withinOpened(undefined));
    },

    updateNode(id, patch, key) {
      // one change of the store per keystroke: every subscriber (a node of the canvas each)
      // is asked once; only the nodes change, the edges stay the same array
      const nodes = get().nodes.map((node) => (node.id === id ? { ...node, data: { ...node.data, ...patch } } : node));
      set({ ...history.recorded(key ? `node:${id}:${key}` : undefined), nodes });
    },

    setMeta(meta, key) {
      set({ ...history.recorded(key ? `meta:${key}` : undefined), meta });
    },

    setProject(project, key) {
      history.record(key ? `project:${key}` : undefined);
      set({ project });
    },

    deleteSelection() {
      const { nodes, edges } = get();
      const doomed = new Set(nodes.filter((node) => node.selected).map((node) => node.id));
      // a container takes what it holds with it
      let grew = true;
      while (grew) {
        grew = false;
        for (const node of nodes) {
          if (node.parentId && doomed.has(node.parentId) && !doomed.has(node.id)) {
            doomed.add(node.id);
            grew = true;
          }
        }
      }
      const keptEdges = edges.filter(
        (edge) => !edge.selected && !doomed.has(edge.source) && !doomed.has(edge.target),
      );
      if (!doomed.size && keptEdges.length === edges.length) return;
      history.record();
      set({ nodes: nodes.filter((node) => !doomed.has(node.id)), edges: keptEdges });
      // the container focused on, deleted: the whole workflow is shown
      const opened = get().opened;
      if (opened && doomed.has(opened)) set({ opened: null });
    },

    endGesture(movedIds = [], options = {}) {
      const { coalesce, dropped = false } = options;
      const before = history.takeGesture();
      let nodes = get().nodes;
      const all = place.byId();
      let reparented = false;
      for (const node of place.leadingMoved(movedIds, all)) {
        const home = place.homeAfterMove(node, all, dropped);
        if (home?.id === node.parentId) continue;
        const at = absolutePosition(node, all);
        const origin = home ? absolutePosition(home, all) : { x: 0, y: 0 };
        const next: FlowNode = {
          ...node,
          position: { x: Math.round(at.x - origin.x), y: Math.round(at.y - origin.y) },
          parentId: home?.id,
        };
        if (!home) delete next.parentId;
        nodes = nodes.map((n) => (n.id === node.id ? next : n));
        reparented = true;
      }
      if (reparented) nodes = orderParentsFirst(nodes);
      nodes = place.settle(nodes, before?.nodes ?? nodes);
      if (get().dropTargets.length) set({ dropTargets: [] });
      if (!before) {
        set({ nodes });
        return;
      }
      if (!reparented && !moved(nodes, before.nodes)) return;
      set({ ...history.recorded(coalesce, before), nodes });
    },

    previewDrop(movedIds) {
      const all = place.byId();
      const targets = new Set<string>();
      for (const node of place.leadingMoved(movedIds, all)) {
        const home = place.homeAfterMove(node, all, true);
        if (home && home.id !== node.parentId) targets.add(home.id);
      }
      showDropTargets([...targets]);
    },

    previewDropAt(point) {
      const target = point ? place.containerAt(point, new Set()) : undefined;
      showDropTargets(target ? [target.id] : []);
    },

    applyLayout(layout, options) {
      if (!options?.asSaved) history.record();
      set({
        nodes: get().nodes.map((node) => {
          const placed = layout.get(node.id);
          if (!placed) return node;
          const next: FlowNode = { ...node, position: placed.position };
          if (placed.size && node.type === "container") {
            next.width = placed.size.width;
            next.height = placed.size.height;
          }
          return next;
        }),
      });
    },

    setCollapsed(ids, collapsed) {
      const nodes = place.byId();
      const next = new Set(get().collapsed);
      for (const id of ids) {
        if (nodes.get(id)?.type !== "container") continue;
        if (collapsed) next.add(id);
        else next.delete(id);
      }
      if (next.size === get().collapsed.size && [...next].every((id) => get().collapsed.has(id))) return;
      history.record();
      const inside = (node: FlowNode) => node.parentId !== undefined && isInside(node.id, next, nodes);
      set({
        collapsed: next,
        nodes: collapsed
          ? get().nodes.map((node) => (node.selected && inside(node) ? { ...node, selected: false } : node))
          : get().nodes,
      });
    },
  };
};
