// What the editor loads for a workflow, fetched once. The app starts the fetch as soon as it
// reads the route, alongside the catalogue, so that opening a workflow waits for one round trip.
import { api } from "../api/client";
import type { Project, ProjectPublic, WorkflowPublic } from "../api/types";

export interface EditorData {
  project: ProjectPublic;
  workflow: WorkflowPublic;
  /** The whole project, which the canvas does not wait for. */
  exported: Promise<Project>;
}

const pending = new Map<string, Promise<EditorData>>();

async function fetchEditorData(projectId: string, workflowId: string): Promise<EditorData> {
  const exported = api.exportProject(projectId);
  exported.catch(() => undefined);
  const [project, workflow] = await Promise.all([
    api.readProject(projectId),
    api.readWorkflow(projectId, workflowId),
  ]);
  return { project, workflow, exported };
}

export function prefetchEditorData(projectId: string, workflowId: string): void {
  const key = `${projectId}/${workflowId}`;
  if (!pending.has(key)) {
    const promise = fetchEditorData(projectId, workflowId);
    promise.catch(() => pending.delete(key));
    pending.set(key, promise);
  }
}

/** The prefetched data when there is some (each prefetch is used once), else a fresh fetch. */
export function takeEditorData(projectId: string, workflowId: string): Promise<EditorData> {
  const key = `${projectId}/${workflowId}`;
  const found = pending.get(key);
  pending.delete(key);
  return found ?? fetchEditorData(projectId, workflowId);
}
