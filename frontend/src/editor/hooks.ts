// Effects of an open workflow: live validation, the unsaved-changes warning, keyboard shortcuts.
import { useEffect } from "react";

import { api, ApiError } from "../api/client";
import { setLeaveGuard } from "../pages/router";
import type { Diagnostic } from "../api/types";
import type { Completions } from "./completions";
import type { ClipboardContent, EditorState, EditorStore } from "./store";
import { isDirty, projectDocument } from "./store";

const VALIDATE_DELAY_MS = 350;
const CLIPBOARD_KEY = "wfd.clipboard";

/** Calls the validate endpoint a moment after the document stops changing. */
export function useLiveValidation(store: EditorStore) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sequence = 0;
    const run = async () => {
      const mine = ++sequence;
      const state = store.getState();
      if (!state.projectWorkflowsLoaded) return;
      let diagnostics: Diagnostic[];
      // a document that does not load keeps the names of the last one that did
      let completions: Completions | null | undefined;
      try {
        const answer = await api.validate(projectDocument(state));
        diagnostics = answer.diagnostics;
        completions = answer.completions;
      } catch (error) {
        if (error instanceof ApiError && error.body.diagnostics) diagnostics = error.body.diagnostics;
        else return;
      }
      if (mine !== sequence) return;
      if (completions !== undefined) store.getState().setCompletions(completions);
      const workflowId = store.getState().workflowId;
      store
        .getState()
        .setDiagnostics(diagnostics.filter((d) => !d.workflow_id || d.workflow_id === workflowId));
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(), VALIDATE_DELAY_MS);
    };
    void run();
    const unsubscribe = store.subscribe((state, previous) => {
      if (
        state.tag !== previous.tag ||
        state.project !== previous.project ||
        state.projectWorkflows !== previous.projectWorkflows
      ) {
        schedule();
      }
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store]);
}

/** Leaving with unsaved changes asks first: closing or reloading the page (the browser's own
 * question), and moving to another page of the app. */
export function useUnsavedWarning(store: EditorStore) {
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!isDirty(store.getState())) return;
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    setLeaveGuard(
      () =>
        !isDirty(store.getState()) ||
        window.confirm("This workflow has unsaved changes. Leave without saving them?"),
    );
    return () => {
      window.removeEventListener("beforeunload", warn);
      setLeaveGuard(null);
    };
  }, [store]);
}

export function writeClipboard(content: ClipboardContent) {
  localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(content));
}

export function readClipboard(): ClipboardContent | null {
  try {
    const parsed = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) ?? "null") as ClipboardContent | null;
    return parsed && Array.isArray(parsed.nodes) && Array.isArray(parsed.edges) ? parsed : null;
  } catch {
    return null;
  }
}

export interface ShortcutHandlers {
  save(): void;
  find(): void;
  /** `?`: the list of these shortcuts (ShortcutsDialog). */
  showShortcuts(): void;
}

const EDITABLE =
  'input, textarea, select, [contenteditable]:not([contenteditable="false"]), [role="textbox"], [role="combobox"], [role="spinbutton"]';

/**
 * Whether a key went to something that takes typing: an input, a textarea, a select or
 * anything content-editable, in any panel. Such keys are the field's (Backspace deletes a
 * character, Ctrl+A selects its text, Ctrl+Z undoes its typing), never the canvas's.
 */
export function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  return target.closest(EDITABLE) !== null;
}

/**
 * Delete, Ctrl+A, Ctrl+C/X/V, Ctrl+Z, Ctrl+Shift+Z (and Ctrl+Y), Ctrl+S, Ctrl+F, `?`: the
 * editor's own keyboard shortcuts (React Flow's own delete key is off, see Canvas), all listed
 * in ShortcutsDialog. Ctrl+S and Ctrl+F work from anywhere, a field too; the others leave the
 * keys of an editable field to it.
 */
export function useShortcuts(store: EditorStore, handlers: ShortcutHandlers) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const state: EditorState = store.getState();
      if (mod && key === "s") {
        event.preventDefault();
        handlers.save();
        return;
      }
      if (mod && key === "f") {
        event.preventDefault();
        handlers.find();
        return;
      }
      // inside a field the keys belong to the field (its own undo, select all, copy...)
      if (isEditableTarget(event.target)) return;
      if (event.key === "?" && !mod && !event.altKey) {
        event.preventDefault();
        handlers.showShortcuts();
      } else if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        state.deleteSelection();
      } else if (mod && key === "z" && event.shiftKey) {
        event.preventDefault();
        state.redo();
      } else if (mod && key === "z") {
        event.preventDefault();
        state.undo();
      } else if (mod && key === "y") {
        event.preventDefault();
        state.redo();
      } else if (mod && key === "a") {
        event.preventDefault();
        state.selectAll();
      } else if (mod && (key === "c" || key === "x")) {
        // text selected on the page (generated code, a message) is copied as text
        if (window.getSelection()?.toString()) return;
        const content = state.copySelection();
        if (!content) return;
        event.preventDefault();
        writeClipboard(content);
        if (key === "x") state.deleteSelection();
        else state.notify(`Copied ${content.nodes.length} node${content.nodes.length === 1 ? "" : "s"}`);
      } else if (mod && key === "v") {
        const content = readClipboard();
        if (!content) return;
        event.preventDefault();
        state.paste(content);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store, handlers]);
}
