// Nodes named by their labels in what the deployments view shows: a link that brings the node
// into view when it is in the open workflow's graph, plain words otherwise.
import { memo, useMemo } from "react";

import { useEditor, useEditorStore } from "../editor/context";
import { labelOf, type NodeLabels, nodeLabels, sentenceParts, sentenceWorkflow } from "../run/names";

/** The labels of every workflow's nodes, the open one's as it is on the canvas. */
export function useNodeLabels(): NodeLabels {
  const workflowId = useEditor((state) => state.workflowId);
  const nodes = useEditor((state) => state.nodes);
  const workflows = useEditor((state) => state.projectWorkflows);
  return useMemo(
    () =>
      nodeLabels([
        ...workflows.filter((workflow) => workflow.id !== workflowId),
        { id: workflowId, nodes: nodes.map((node) => ({ id: node.id, label: node.data.label })) },
      ]),
    [workflowId, nodes, workflows],
  );
}

export const NodeName = memo(function NodeName({
  labels,
  workflowId,
  nodeId,
}: {
  labels: NodeLabels;
  workflowId: string;
  nodeId: string;
}) {
  const editor = useEditorStore();
  const open = useEditor((state) => state.workflowId === workflowId && state.nodes.some((node) => node.id === nodeId));
  const label = labelOf(labels, workflowId, nodeId);
  const title = `node ${nodeId} of workflow ${workflowId}`;
  if (!open) {
    return (
      <strong className="deployments-node" title={title} data-node-id={nodeId}>
        {label ?? nodeId}
      </strong>
    );
  }
  return (
    <button
      type="button"
      className="link-button deployments-node"
      title={`${title}: show it on the canvas`}
      data-node-id={nodeId}
      onClick={() => editor.getState().focusNode(nodeId)}
    >
      {label ?? nodeId}
    </button>
  );
});

/** A sentence of the server's, each node it names (`node "a"`) by its label; the nodes are of
 * `workflow`, or of the workflow the sentence begins with (`flow: ...`). */
export function NamedSentence({ sentence, labels, workflow }: { sentence: string; labels: NodeLabels; workflow?: string }) {
  const workflowId = workflow ?? sentenceWorkflow(sentence, labels.keys());
  return (
    <>
      {sentenceParts(sentence).map((part, index) =>
        "text" in part ? (
          <span key={index}>{part.text}</span>
        ) : workflowId && labelOf(labels, workflowId, part.nodeId) !== null ? (
          <NodeName key={index} labels={labels} workflowId={workflowId} nodeId={part.nodeId} />
        ) : (
          <code key={index}>{part.nodeId}</code>
        ),
      )}
    </>
  );
}
