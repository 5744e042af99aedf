// Which connections the editor accepts. Each refusal is a sentence the user sees; the same rules
// are checked again by the compiler, so a document edited elsewhere is still marked.
import type { Catalogue } from "./catalogue";
import { portOf } from "./catalogue";
import type { FlowEdge, FlowNode } from "./mapping";

export interface ProposedConnection {
  source: string;
  sourceHandle: string | null;
  target: string;
  targetHandle: string | null;
}

export function connectionRefusal(
  connection: ProposedConnection,
  nodes: ReadonlyMap<string, FlowNode>,
  edges: readonly FlowEdge[],
  catalogue: Catalogue,
): string | null {
  const source = nodes.get(connection.source);
  const target = nodes.get(connection.target);
  if (!source || !target) return "both ends of a connection must be nodes on this canvas";
  const name = (node: FlowNode) => `'${node.data.label || node.id}'`;
  if (source.id === target.id) return `${name(source)} cannot lead to itself`;
  const sourceKind = catalogue.kinds.get(source.data.kind);
  const targetKind = catalogue.kinds.get(target.data.kind);
  const handle = connection.sourceHandle ?? "out";
  const port = portOf(sourceKind, handle);
  if (!port) {
    return `${name(source)} has no port '${handle}'`;
  }
  if (targetKind && !targetKind.has_input) {
    return `a ${targetKind.label} starts a flow of its own and takes no incoming edge`;
  }
  if ((source.parentId ?? null) !== (target.parentId ?? null)) {
    return (
      "a connection stays inside one container: connect to the container itself, " +
      "or move both nodes into the same container"
    );
  }
  const leaving = edges.filter(
    (edge) => edge.source === source.id && (edge.sourceHandle ?? "out") === handle,
  );
  if (leaving.some((edge) => edge.target === target.id)) {
    return `${name(source)} already leads to ${name(target)} from '${handle}'`;
  }
  const taken = leaving[0];
  if (taken && !port.multiple) {
    const other = nodes.get(taken.target);
    return (
      `port '${handle}' of ${name(source)} already leads to ${other ? name(other) : `'${taken.target}'`}; ` +
      "a port leads to one node (use a Parallel to fan out)"
    );
  }
  return null;
}
