import { useEffect, useState } from "react";

import { api, request } from "./api/client";
import type { JsonSchema } from "./api/types";
import { makeCatalogue } from "./document/catalogue";
import { type AppData, AppDataContext } from "./pages/appData";
import { EditorPage } from "./pages/EditorPage";
import { ProjectPage } from "./pages/ProjectPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { prefetchEditorData } from "./pages/editorData";
import { parseRoute, useRoute } from "./pages/router";

const fetchSchema = () => request<JsonSchema>("GET", "/schema");

export function App() {
  const route = useRoute();
  const [data, setData] = useState<AppData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const first = parseRoute(window.location.hash);
    if (first.page === "editor") prefetchEditorData(first.projectId, first.workflowId);
    Promise.all([api.nodeTypes(), fetchSchema()])
      .then(([kinds, documentSchema]) => setData({ catalogue: makeCatalogue(kinds), documentSchema }))
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);

  if (error) return <div className="page error-text">The server could not be reached: {error}</div>;
  if (!data) return <div className="loading">Loading…</div>;
  return (
    <AppDataContext.Provider value={data}>
      {route.page === "projects" && <ProjectsPage />}
      {route.page === "project" && <ProjectPage projectId={route.projectId} />}
      {route.page === "editor" && (
        <EditorPage
          key={`${route.projectId}/${route.workflowId}/${route.run ?? ""}`}
          projectId={route.projectId}
          workflowId={route.workflowId}
          run={route.run}
        />
      )}
    </AppDataContext.Provider>
  );
}
