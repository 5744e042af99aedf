import { createContext, useContext } from "react";

import type { JsonSchema } from "../api/types";
import type { Catalogue } from "../document/catalogue";

/** What every page may read, loaded once: the node-type catalogue and the document's schema. */
export interface AppData {
  catalogue: Catalogue;
  documentSchema: JsonSchema;
}

export const AppDataContext = createContext<AppData | null>(null);

export function useAppData(): AppData {
  const data = useContext(AppDataContext);
  if (!data) throw new Error("useAppData outside the app");
  return data;
}
