// The projects: create (empty or from a template), rename, delete, import a project document,
// export one.
import { Download, FolderOpen, Pencil, Trash2, Upload } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";

import { api, ApiError } from "../api/client";
import type { ProjectSummary } from "../api/types";
import { CreateForm } from "../components/CreateForm";
import type { TemplateChoice } from "../components/TemplatePicker";
import { link, slugify } from "./router";

export function ProjectsPage() {
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [template, setTemplate] = useState<TemplateChoice>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(async () => {
    try {
      setProjects(await api.listProjects());
    } catch (failure) {
      setError(String(failure instanceof Error ? failure.message : failure));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    const id = slugify(name);
    if (!id) {
      setError("Give the project a name that starts with a letter.");
      return;
    }
    if (template) {
      void act(async () => {
        await api.createProjectFromTemplate({ template: template.id, id, name: name.trim() });
        window.location.hash = link.project(id);
      });
      return;
    }
    void act(async () => {
      await api.createProject({ id, name: name.trim(), task_queue: id });
      setName("");
    });
  };

  const importFile = async (file: File) => {
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch {
      setError(`${file.name} is not JSON`);
      return;
    }
    await act(async () => {
      try {
        await api.importProject(document);
      } catch (failure) {
        if (failure instanceof ApiError && failure.isConflict) {
          if (window.confirm(`${failure.message}\n\nReplace the existing project?`)) {
            await api.importProject(document, true);
          }
          return;
        }
        if (failure instanceof ApiError && failure.body.diagnostics?.length) {
          throw new Error(`${failure.message}: ${failure.body.diagnostics.map((d) => d.message).join("; ")}`, {
            cause: failure,
          });
        }
        throw failure;
      }
    });
  };

  const exportProject = async (id: string) => {
    const document = await api.exportProjectCompact(id);
    const blob = new Blob([JSON.stringify(document, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const anchor = window.document.createElement("a");
    anchor.href = url;
    anchor.download = `${id}.json`;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <main className="page">
      <header className="page-header">
        <h1>Projects</h1>
        <div className="actions">
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            hidden
            data-testid="import-file"
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = "";
              if (file) void importFile(file);
            }}
          />
          <button type="button" className="button" onClick={() => fileInput.current?.click()}>
            <Upload size={14} /> Import
          </button>
        </div>
      </header>
      <CreateForm
        what="project"
        example="Package builds"
        kinds={["project", "pattern"]}
        name={name}
        onName={setName}
        template={template}
        onTemplate={setTemplate}
        onSubmit={create}
      />
      {error && <p className="error-text" role="alert">{error}</p>}
      {projects === null && <p className="muted">Loading…</p>}
      {projects?.length === 0 && <p className="muted">No projects yet. Create one, or import a project document.</p>}
      <ul className="card-list">
        {projects?.map((project) => (
          <li key={project.id} className="card" data-testid="project-card" data-project-id={project.id}>
            {renaming?.id === project.id ? (
              <form
                className="rename-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  void act(async () => {
                    await api.updateProject(project.id, project.revision, { name: renaming.name });
                    setRenaming(null);
                  });
                }}
              >
                <input
                  autoFocus
                  aria-label="Project name"
                  value={renaming.name}
                  onChange={(event) => setRenaming({ id: project.id, name: event.target.value })}
                  onKeyDown={(event) => event.key === "Escape" && setRenaming(null)}
                />
                <button type="submit" className="button primary small">
                  Rename
                </button>
              </form>
            ) : (
              <a className="card-main" href={link.project(project.id)}>
                <FolderOpen size={18} />
                <div>
                  <div className="card-title">{project.name || project.id}</div>
                  <div className="card-meta">
                    {project.id} · {project.workflow_count} workflow{project.workflow_count === 1 ? "" : "s"}
                    {project.description && ` · ${project.description}`}
                  </div>
                </div>
              </a>
            )}
            <div className="card-actions">
              <button type="button" className="icon-button" title="Rename" aria-label={`Rename ${project.name || project.id}`} onClick={() => setRenaming({ id: project.id, name: project.name })}>
                <Pencil size={14} />
              </button>
              <button type="button" className="icon-button" title="Export as JSON" aria-label={`Export ${project.name || project.id} as JSON`} onClick={() => void exportProject(project.id)}>
                <Download size={14} />
              </button>
              <button
                type="button"
                className="icon-button danger"
                title="Delete"
                aria-label={`Delete ${project.name || project.id}`}
                onClick={() => {
                  if (window.confirm(`Delete the project ${project.name || project.id} with all its workflows and versions?`)) {
                    void act(() => api.deleteProject(project.id));
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
