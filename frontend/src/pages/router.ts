// Hash routes, so that the server only ever serves index.html at `/`:
//   #/                                 the projects
//   #/projects/<id>                    a project's workflows
//   #/projects/<id>/workflows/<id>     the editor
//   #/projects/<id>/workflows/<id>?run=<workflow id>   the editor showing that run
import { useEffect, useState } from "react";

import { ProjectCreateSchema } from "../api/gen/schemas.gen";

export type Route =
  | { page: "projects" }
  | { page: "project"; projectId: string }
  | { page: "editor"; projectId: string; workflowId: string; run?: string };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "projects" && parts[1]) {
    if (parts[2] === "workflows" && parts[3]) {
      const run = new URLSearchParams(query).get("run");
      return { page: "editor", projectId: parts[1], workflowId: parts[3], ...(run ? { run } : {}) };
    }
    return { page: "project", projectId: parts[1] };
  }
  return { page: "projects" };
}

export const link = {
  projects: () => "#/",
  project: (projectId: string) => `#/projects/${encodeURIComponent(projectId)}`,
  workflow: (projectId: string, workflowId: string) =>
    `#/projects/${encodeURIComponent(projectId)}/workflows/${encodeURIComponent(workflowId)}`,
  run: (projectId: string, workflowId: string, runWorkflowId: string) =>
    `${link.workflow(projectId, workflowId)}?run=${encodeURIComponent(runWorkflowId)}`,
};

let leaveGuard: (() => boolean) | null = null;

/** While set, leaving the page's route asks the guard first (an editor with unsaved changes). */
export function setLeaveGuard(guard: (() => boolean) | null): void {
  leaveGuard = guard;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    let shown = window.location.hash;
    const update = () => {
      if (leaveGuard && !leaveGuard()) {
        // stay: put the address back without another hashchange
        window.history.replaceState(null, "", shown || "#/");
        return;
      }
      shown = window.location.hash;
      setRoute(parseRoute(shown));
    };
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** The ids of projects and workflows: the pattern and length the API's schema gives them (the
 * pydantic `Slug` of compiler/document.py, through the generated schemas). */
const SLUG = ProjectCreateSchema.properties.id;
export const SLUG_PATTERN = new RegExp(SLUG.pattern);

/** A slug the API accepts as an id, made from a name: "Order approval" -> "order-approval";
 * "" when the name gives none (no letter to start with). */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/^[0-9-]+/, "")
    .slice(0, SLUG.maxLength)
    .replace(/-+$/, "");
  return SLUG_PATTERN.test(slug) ? slug : "";
}
