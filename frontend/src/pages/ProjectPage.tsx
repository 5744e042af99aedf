// A project's workflows: open, create (an empty canvas or from a pattern), delete.
import { Trash2, Workflow as WorkflowIcon } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";

import { api } from "../api/client";
import type { ProjectPublic } from "../api/types";
import { CreateForm } from "../components/CreateForm";
import type { TemplateChoice } from "../components/TemplatePicker";
import { link, slugify } from "./router";

export function ProjectPage({ projectId }: { projectId: string }) {
  const [project, setProject] = useState<ProjectPublic | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [pattern, setPattern] = useState<TemplateChoice>(null);

  const refresh = useCallback(async () => {
    try {
      setProject(await api.readProject(projectId));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, [projectId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const id = slugify(name);
    if (!id) {
      setError("Give the workflow a name that starts with a letter.");
      return;
    }
    setError(null);
    try {
      if (pattern) {
        await api.addWorkflowFromTemplate(projectId, { template: pattern.id, workflow_id: id });
        window.location.hash = link.workflow(projectId, id);
        return;
      }
      await api.createWorkflow(projectId, {
        id,
        name: name.trim(),
        description: "",
        input: {},
        state: [],
        settings: {},
        nodes: [],
        edges: [],
      });
      window.location.hash = link.workflow(projectId, id);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  return (
    <main className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={link.projects()}>Projects</a>
        <span aria-hidden="true">/</span>
        <strong>{project?.name || projectId}</strong>
      </nav>
      <header className="page-header">
        <h1>{project?.name || projectId}</h1>
      </header>
      {project?.description && <p className="muted">{project.description}</p>}
      <CreateForm
        what="workflow"
        example="Order approval"
        kinds={["pattern"]}
        name={name}
        onName={setName}
        template={pattern}
        onTemplate={setPattern}
        onSubmit={(event) => void create(event)}
      />
      {error && <p className="error-text" role="alert">{error}</p>}
      {project && project.workflows.length === 0 && <p className="muted">No workflows yet.</p>}
      <ul className="card-list">
        {project?.workflows.map((workflow) => (
          <li key={workflow.id} className="card" data-testid="workflow-card">
            <a className="card-main" href={link.workflow(projectId, workflow.id)}>
              <WorkflowIcon size={18} />
              <div>
                <div className="card-title">{workflow.name || workflow.id}</div>
                <div className="card-meta">
                  {workflow.id} · {workflow.node_count} nodes · revision {workflow.revision} · {workflow.version_count}{" "}
                  version{workflow.version_count === 1 ? "" : "s"}
                </div>
              </div>
            </a>
            <div className="card-actions">
              <button
                type="button"
                className="icon-button danger"
                title="Delete"
                aria-label={`Delete ${workflow.name || workflow.id}`}
                onClick={() => {
                  if (window.confirm(`Delete the workflow ${workflow.name || workflow.id} and its versions?`)) {
                    void api.deleteWorkflow(projectId, workflow.id).then(refresh, (failure: unknown) => setError(String(failure)));
                  }
                }}
              >
                <Trash2 size={14} />
              </button>
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
