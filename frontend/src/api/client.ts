// The one place that talks HTTP. Every call returns the parsed answer or throws ApiError.
import { authorizationHeader, authorizedFetch } from "./auth";
import type {
  PatchOperation,
  ProjectCreate,
  ProjectFromTemplate,
  ProjectUpdate,
  TemplatePublic,
  WorkflowFromTemplate,
  WorkflowRevision,
} from "./gen/types.gen";
import type {
  CompileResult,
  Diagnostic,
  NodeKind,
  Project,
  ProjectDocument,
  ProjectPublic,
  ProjectSummary,
  ValidateResult,
  VersionPublic,
  VersionSummary,
  WorkflowDocument,
  WorkflowPublic,
} from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly body: { detail?: string; current_revision?: number; diagnostics?: Diagnostic[] };

  constructor(status: number, body: ApiError["body"]) {
    super(body.detail ?? `the server answered ${status}`);
    this.status = status;
    this.body = body;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }
}

/** Headers every request carries: the API token once the user has given it (see auth.ts). */
export function apiHeaders(): Record<string, string> {
  return authorizationHeader();
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await authorizedFetch(`/api${path}`, {
    method,
    headers: body === undefined ? apiHeaders() : { ...apiHeaders(), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let parsed: ApiError["body"];
    try {
      parsed = (await response.json()) as ApiError["body"];
    } catch {
      parsed = { detail: response.statusText };
    }
    throw new ApiError(response.status, parsed);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const project = (id: string) => `/projects/${encodeURIComponent(id)}`;
const workflow = (projectId: string, id: string) =>
  `${project(projectId)}/workflows/${encodeURIComponent(id)}`;

export const api = {
  nodeTypes: () => request<NodeKind[]>("GET", "/node-types"),

  listProjects: () => request<ProjectSummary[]>("GET", "/projects"),
  createProject: (data: ProjectCreate) =>
    request<ProjectPublic>("POST", "/projects", data),
  readProject: (id: string) => request<ProjectPublic>("GET", project(id)),
  updateProject: (id: string, revision: number, changes: Omit<ProjectUpdate, "revision">) =>
    request<ProjectPublic>("PATCH", project(id), { revision, ...changes }),
  deleteProject: (id: string) => request<void>("DELETE", project(id)),
  exportProject: (id: string) => request<Project>("GET", `${project(id)}/export`),
  /** The fields at their defaults left out, as a file to import again. */
  exportProjectCompact: (id: string) => request<ProjectDocument>("GET", `${project(id)}/export?compact=true`),
  importProject: (document: unknown, overwrite = false) =>
    request<ProjectPublic>("POST", `/import${overwrite ? "?overwrite=true" : ""}`, document),

  createWorkflow: (projectId: string, document: WorkflowDocument) =>
    request<WorkflowPublic>("POST", `${project(projectId)}/workflows`, { document }),
  readWorkflow: (projectId: string, id: string) =>
    request<WorkflowPublic>("GET", workflow(projectId, id)),
  /** The draft's revision and write time, without its document: cheap enough to poll. */
  readWorkflowRevision: (projectId: string, id: string) =>
    request<WorkflowRevision>("GET", `${workflow(projectId, id)}/revision`),
  saveWorkflow: (projectId: string, id: string, revision: number, document: WorkflowDocument) =>
    request<WorkflowPublic>("PUT", workflow(projectId, id), { revision, document }),
  /** Changes the draft at `revision` by a JSON Patch (RFC 6902) computed against it. */
  changeWorkflow: (projectId: string, id: string, revision: number, patch: PatchOperation[]) =>
    request<WorkflowPublic>("PATCH", workflow(projectId, id), { revision, patch }),
  deleteWorkflow: (projectId: string, id: string) =>
    request<void>("DELETE", workflow(projectId, id)),

  listVersions: (projectId: string, id: string) =>
    request<VersionSummary[]>("GET", `${workflow(projectId, id)}/versions`),
  createVersion: (projectId: string, id: string, message: string, revision: number) =>
    request<VersionPublic>("POST", `${workflow(projectId, id)}/versions`, { message, revision }),
  readVersion: (projectId: string, id: string, number: number) =>
    request<VersionPublic>("GET", `${workflow(projectId, id)}/versions/${number}`),
  restoreVersion: (projectId: string, id: string, number: number, revision: number) =>
    request<WorkflowPublic>("POST", `${workflow(projectId, id)}/versions/${number}/restore`, {
      revision,
    }),

  listTemplates: () => request<TemplatePublic[]>("GET", "/templates"),
  createProjectFromTemplate: (data: ProjectFromTemplate) =>
    request<ProjectPublic>("POST", "/projects-from-template", data),
  /** Adds the pattern's workflow, with the workflows, activities and types it needs. */
  addWorkflowFromTemplate: (projectId: string, data: WorkflowFromTemplate) =>
    request<ProjectPublic>("POST", `${project(projectId)}/workflows-from-template`, data),

  validate: (document: ProjectDocument) => request<ValidateResult>("POST", "/validate", document),
  compile: (document: ProjectDocument) => request<CompileResult>("POST", "/compile", document),
  async compileZip(document: ProjectDocument): Promise<Blob> {
    const response = await authorizedFetch("/api/compile?format=zip", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(document),
    });
    if (!response.ok) throw new ApiError(response.status, await response.json());
    return response.blob();
  },
};
