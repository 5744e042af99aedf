import { describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import type { PatchOperation } from "../api/gen/types.gen";
import type { Workflow, WorkflowPublic } from "../api/types";
import { editorStore, sampleWorkflow } from "../test/fixtures";
import { deltaOf, type DraftWriter, planSave, saveDraft, type SaveRequest } from "./delta";
import { type EditorStore, workflowDocument } from "./store";

function makeStore(workflow: Workflow = sampleWorkflow()): EditorStore {
  return editorStore(workflow, { revision: 3 });
}

function drag(store: EditorStore, id: string, position: { x: number; y: number }) {
  store.getState().beginGesture();
  store.getState().onNodesChange([{ type: "position", id, position, dragging: true }]);
  store.getState().endGesture([id]);
}

/** What the editor would save now, against the document it holds as saved. */
function request(store: EditorStore): SaveRequest {
  const state = store.getState();
  return { base: state.savedDocument, revision: state.revision, document: workflowDocument(state) };
}

/** The document as the server stores it: through JSON, a copy of its own. */
const stored = (document: Workflow): Workflow => JSON.parse(JSON.stringify(document)) as Workflow;

/** Applies add, remove and replace as RFC 6902 says, independently of the library that made
 * the patch: what the server does with it. */
function apply(document: Workflow, patch: PatchOperation[]): Workflow {
  const root: { doc: unknown } = { doc: stored(document) };
  for (const operation of patch) {
    const keys = operation.path
      .split("/")
      .slice(1)
      .map((key) => key.replaceAll("~1", "/").replaceAll("~0", "~"));
    let holder: Record<string, unknown> | unknown[] = root as Record<string, unknown>;
    let key: string = "doc";
    for (const next of keys) {
      holder = (holder as Record<string, unknown>)[key] as Record<string, unknown> | unknown[];
      key = next;
    }
    const value = JSON.parse(JSON.stringify(operation.value ?? null)) as unknown;
    if (Array.isArray(holder)) {
      const index = key === "-" ? holder.length : Number(key);
      if (operation.op === "add") holder.splice(index, 0, value);
      else if (operation.op === "remove") holder.splice(index, 1);
      else if (operation.op === "replace") holder[index] = value;
      else throw new Error(`unexpected operation ${operation.op}`);
    } else {
      if (operation.op === "remove") delete holder[key];
      else if (operation.op === "add" || operation.op === "replace") holder[key] = value;
      else throw new Error(`unexpected operation ${operation.op}`);
    }
  }
  return root.doc as Workflow;
}

const answer = (revision: number, document: Workflow): WorkflowPublic => ({
  project_id: "hello",
  id: document.id,
  revision,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  document: stored(document),
});

describe("save by delta: the operations", () => {
  it("sends nothing when the document is the one the server holds", () => {
    const store = makeStore();
    expect(planSave(request(store))).toEqual({ send: "nothing" });
    // an edit undone is no change either
    drag(store, "loud", { x: 300, y: 450 });
    store.getState().undo();
    expect(planSave(request(store))).toEqual({ send: "nothing" });
  });

  it("says a moved node's new position and nothing else", () => {
    const store = makeStore();
    drag(store, "loud", { x: 300, y: 470 });
    const index = store.getState().nodes.findIndex((node) => node.id === "loud");
    const plan = planSave(request(store));
    expect(plan.send).toBe("delta");
    if (plan.send !== "delta") return;
    expect(plan.revision).toBe(3);
    expect(plan.patch).toHaveLength(2);
    expect(plan.patch).toEqual(
      expect.arrayContaining([
        { op: "replace", path: `/nodes/${index}/position/x`, value: 300 },
        { op: "replace", path: `/nodes/${index}/position/y`, value: 470 },
      ]),
    );
  });

  it("says a renamed node's label in one operation", () => {
    const store = makeStore();
    store.getState().updateNode("compose", { label: "Write the greeting" }, "label");
    const index = store.getState().nodes.findIndex((node) => node.id === "compose");
    expect(deltaOf(store.getState().savedDocument, workflowDocument(store.getState()))).toEqual([
      { op: "replace", path: `/nodes/${index}/label`, value: "Write the greeting" },
    ]);
  });

  it("saves a collapse as the document's ui, and an expand back as removing it", () => {
    const store = makeStore();
    store.getState().setCollapsed(["work"], true);
    expect(planSave(request(store))).toEqual({
      send: "delta",
      revision: 3,
      patch: [{ op: "add", path: "/ui", value: { collapsed: ["work"] } }],
    });
    const collapsed = workflowDocument(store.getState());
    store.getState().markSaved({ revision: 4, tag: store.getState().tag, document: stored(collapsed) });
    store.getState().setCollapsed(["work"], false);
    const plan = planSave(request(store));
    expect(plan).toEqual({ send: "delta", revision: 4, patch: [{ op: "remove", path: "/ui" }] });
    // the document the server is left with is the one first loaded: no empty `ui` in it
    expect(apply(collapsed, plan.send === "delta" ? plan.patch : [])).toEqual(stored(sampleWorkflow()));
  });

  it("turns the saved document into the edited one, whatever the edits", () => {
    const store = makeStore();
    const base = store.getState().savedDocument;
    drag(store, "say", { x: 500, y: 640 });
    const added = store.getState().addNode("activity", { x: 900, y: 900 });
    store.getState().updateNode(added, { label: "Notify", config: { activity: "notify", "a/b~c": { "x~y": 1 } } });
    store.getState().connect({ source: "loud", sourceHandle: "false", target: added, targetHandle: "in" });
    store.getState().select(["start"]);
    store.getState().deleteSelection();
    store.getState().setMeta({ ...store.getState().meta, description: "Says hello" });
    const document = workflowDocument(store.getState());
    const patch = deltaOf(base, document);
    expect(new Set(patch.map((operation) => operation.op))).toEqual(new Set(["add", "remove", "replace"]));
    expect(apply(base, patch)).toEqual(stored(document));
    // a key holding "/" or "~" is escaped in the path
    expect(patch.some((operation) => operation.path.includes("a~1b~0c"))).toBe(true);
  });

  it("compares the next save with the server's answer to the last one", () => {
    const store = makeStore();
    drag(store, "loud", { x: 300, y: 470 });
    const first = request(store);
    const plan = planSave(first);
    if (plan.send !== "delta") throw new Error("expected a delta");
    const server = apply(sampleWorkflow(), plan.patch);
    store.getState().markSaved({ revision: 4, tag: store.getState().tag, document: server });
    expect(planSave(request(store))).toEqual({ send: "nothing" });

    store.getState().updateNode("say", { label: "Shout" }, "label");
    const next = planSave(request(store));
    expect(next.send === "delta" && next.revision).toBe(4);
    expect(next.send === "delta" && next.patch.map((operation) => operation.path)).toEqual([
      `/nodes/${store.getState().nodes.findIndex((node) => node.id === "say")}/label`,
    ]);
  });

  it("takes a document replaced from the server (reload, restore) as the base", () => {
    const store = makeStore();
    drag(store, "loud", { x: 300, y: 470 });
    const theirs = { ...sampleWorkflow(), description: "theirs" };
    store.getState().replaceWorkflow(theirs, 9, true);
    expect(store.getState().savedDocument).toEqual(theirs);
    expect(planSave(request(store))).toEqual({ send: "nothing" });
  });
});

describe("save by delta: when the whole document is sent", () => {
  it("sends the whole document when there is no base", () => {
    const store = makeStore();
    drag(store, "loud", { x: 300, y: 470 });
    expect(planSave({ ...request(store), base: null })).toEqual({ send: "whole", revision: 3 });
  });

  it("sends the whole document over the other revision when overwriting", () => {
    const store = makeStore();
    drag(store, "loud", { x: 300, y: 470 });
    expect(planSave({ ...request(store), overwriteRevision: 5 })).toEqual({ send: "whole", revision: 5 });
  });
});

/** A server for `saveDraft`: answers from the queue, the calls recorded. */
function writer(...answers: (WorkflowPublic | ApiError)[]) {
  const calls: { way: "change" | "replace"; revision: number; sent: PatchOperation[] | Workflow }[] = [];
  const next = (): Promise<WorkflowPublic> => {
    const found = answers.shift();
    if (!found) throw new Error("no more answers");
    return found instanceof ApiError ? Promise.reject(found) : Promise.resolve(found);
  };
  const server: DraftWriter = {
    change: (revision, patch) => {
      calls.push({ way: "change", revision, sent: patch });
      return next();
    },
    replace: (revision, document) => {
      calls.push({ way: "replace", revision, sent: document });
      return next();
    },
  };
  return { server, calls };
}

const refusedOperation = new ApiError(422, {
  detail: "operation 0 (replace '/nodes/9/label') cannot be applied",
  diagnostics: [
    {
      code: "E001",
      severity: "error",
      message: "operation 0 (replace '/nodes/9/label'): it does not apply here",
      workflow_id: null,
      node_id: null,
      edge_id: null,
      field: "patch.0",
    },
  ],
});

describe("save by delta: what is sent, and again", () => {
  function edited() {
    const store = makeStore();
    drag(store, "loud", { x: 300, y: 470 });
    return request(store);
  }

  it("sends the delta and answers the server's document", async () => {
    const saving = edited();
    const { server, calls } = writer(answer(4, saving.document));
    const saved = await saveDraft(server, saving);
    expect(saved?.revision).toBe(4);
    expect(calls.map((call) => [call.way, call.revision])).toEqual([["change", 3]]);
  });

  it("sends nothing when nothing changed", async () => {
    const { server, calls } = writer();
    expect(await saveDraft(server, request(makeStore()))).toBeNull();
    expect(calls).toEqual([]);
  });

  it("sends the whole document once when an operation is refused", async () => {
    const saving = edited();
    const { server, calls } = writer(refusedOperation, answer(4, saving.document));
    const saved = await saveDraft(server, saving);
    expect(saved?.revision).toBe(4);
    expect(calls.map((call) => [call.way, call.revision])).toEqual([
      ["change", 3],
      ["replace", 3],
    ]);
    expect(calls[1]?.sent).toEqual(saving.document);
  });

  it("reports what the whole save answers after a refused operation, without trying again", async () => {
    const saving = edited();
    const invalid = new ApiError(422, { detail: "the document is invalid", diagnostics: [] });
    const { server, calls } = writer(refusedOperation, invalid);
    await expect(saveDraft(server, saving)).rejects.toBe(invalid);
    expect(calls.map((call) => call.way)).toEqual(["change", "replace"]);
  });

  it("leaves a conflict to the dialog: nothing is sent whole", async () => {
    const conflict = new ApiError(409, { detail: "saved by someone else", current_revision: 4 });
    const { server, calls } = writer(conflict);
    await expect(saveDraft(server, edited())).rejects.toBe(conflict);
    expect(calls.map((call) => call.way)).toEqual(["change"]);
  });

  it("reports a change that leaves a node invalid as it is, without sending the whole", async () => {
    const invalid = new ApiError(422, {
      detail: "the change leaves the workflow invalid; see diagnostics",
      diagnostics: [{ ...refusedOperation.body.diagnostics![0]!, node_id: "loud", field: "label" }],
    });
    const { server, calls } = writer(invalid);
    await expect(saveDraft(server, edited())).rejects.toBe(invalid);
    expect(calls.map((call) => call.way)).toEqual(["change"]);
  });

  it("overwrites someone else's revision with the whole document", async () => {
    const saving = edited();
    const { server, calls } = writer(answer(6, saving.document));
    await saveDraft(server, { ...saving, overwriteRevision: 5 });
    expect(calls.map((call) => [call.way, call.revision])).toEqual([["replace", 5]]);
  });
});
