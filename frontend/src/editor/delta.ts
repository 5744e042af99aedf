// Saving the open workflow by delta: the JSON Patch (RFC 6902) that turns the document the server
// holds at the editor's revision (its base) into the editor's document, instead of the whole
// document. The whole document is still sent when there is no base to compare with, when the user
// overwrites someone else's revision (the base is of another), and once when the server cannot
// apply an operation of the delta.
import { compare } from "fast-json-patch";

import { ApiError } from "../api/client";
import type { PatchOperation } from "../api/gen/types.gen";
import type { Workflow, WorkflowPublic } from "../api/types";

/** The operations that turn `base` into `document`; none when they are the same. */
export function deltaOf(base: Workflow, document: Workflow): PatchOperation[] {
  // compare yields only add, remove and replace: no operation the server does not take
  return compare(base, document) as PatchOperation[];
}

/** What saving `document` sends: nothing, a delta against the base at `revision`, or the whole. */
export type SavePlan =
  | { send: "nothing" }
  | { send: "delta"; revision: number; patch: PatchOperation[] }
  | { send: "whole"; revision: number };

export interface SaveRequest {
  /** The document the server holds at `revision`, as the editor last knew it. */
  base: Workflow | null;
  revision: number;
  document: Workflow;
  /** Save over this revision (someone else's) instead of `revision`. */
  overwriteRevision?: number;
}

export function planSave({ base, revision, document, overwriteRevision }: SaveRequest): SavePlan {
  if (overwriteRevision !== undefined) return { send: "whole", revision: overwriteRevision };
  if (!base) return { send: "whole", revision };
  const patch = deltaOf(base, document);
  return patch.length ? { send: "delta", revision, patch } : { send: "nothing" };
}

/** Whether a refused delta is worth sending again whole: the server could not apply one of its
 * operations (422 naming `patch.<i>`). A conflict (409), or a document the change leaves invalid
 * (422 naming a node or a field), would be answered the same to the whole document. */
export function operationRefused(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 422 &&
    (error.body.diagnostics ?? []).some((diagnostic) => /^patch\.\d+$/.test(diagnostic.field ?? ""))
  );
}

/** The two ways the server takes a draft. */
export interface DraftWriter {
  change(revision: number, patch: PatchOperation[]): Promise<WorkflowPublic>;
  replace(revision: number, document: Workflow): Promise<WorkflowPublic>;
}

/** Saves by `planSave`, sending the whole document once when the delta's operations are refused;
 * the server's answer, or null when there was nothing to send. Other refusals are thrown. */
export async function saveDraft(writer: DraftWriter, request: SaveRequest): Promise<WorkflowPublic | null> {
  const plan = planSave(request);
  if (plan.send === "nothing") return null;
  if (plan.send === "whole") return writer.replace(plan.revision, request.document);
  try {
    return await writer.change(plan.revision, plan.patch);
  } catch (error) {
    if (!operationRefused(error)) throw error;
    return writer.replace(plan.revision, request.document);
  }
}
