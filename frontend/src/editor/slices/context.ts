// What the slices of the editor store share: the store's own set and get, its history and its
// placement rules. Each slice is a function of this context answering its part of the actions.
import type { StoreApi } from "zustand/vanilla";

import type { EditorState } from "../store";
import type { History } from "./history";
import type { Placement } from "./placement";

export interface SliceContext {
  set: StoreApi<EditorState>["setState"];
  get: () => EditorState;
  history: History;
  place: Placement;
}

/** The actions `K` of the store, made from the context. */
export type Slice<K extends keyof EditorState> = (context: SliceContext) => Pick<EditorState, K>;
