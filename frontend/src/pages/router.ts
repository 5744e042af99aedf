// Hash routes, so that the server only ever serves index.html at `/`:
//   #/                                 the projects
//   #/projects/<id>                    a project's workflows
//   #/projects/<id>/workflows/<id>     the editor
import { useEffect, useState } from "react";

export type Route =
  | { page: "projects" }
  | { page: "project"; projectId: string }
  | { page: "editor"; projectId: string; workflowId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "projects" && parts[1]) {
    if (parts[2] === "workflows" && parts[3]) {
      return { page: "editor", projectId: parts[1], workflowId: parts[3] };
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
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** A slug the API accepts as an id, made from a name: "Order approval" -> "order-approval". */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/^[0-9-]+/, "");
  return slug.slice(0, 64).replace(/-+$/, "");
}
