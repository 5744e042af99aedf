// What a new project or workflow starts from: empty, or a template (a sample project or a
// pattern), each shown as a card with its name, description and size.
import { FileText, LayoutTemplate, Workflow as WorkflowIcon } from "lucide-react";
import { Fragment, memo, type ReactNode, useEffect, useState } from "react";

import { api } from "../api/client";
import type { TemplatePublic } from "../api/gen/types.gen";
import "./TemplatePicker.css";

export type TemplateChoice = TemplatePublic | null;

const GROUP_TITLES: Record<TemplatePublic["kind"], string> = {
  project: "Sample projects",
  pattern: "Patterns",
};

type Props = {
  /** `pattern` offers only what can be added to a project as a workflow. */
  kinds: readonly TemplatePublic["kind"][];
  selected: TemplateChoice;
  onSelect: (choice: TemplateChoice) => void;
  /** Read by screen readers, e.g. "Start the new project from". */
  label: string;
};

export const TemplatePicker = memo(function TemplatePicker({ kinds, selected, onSelect, label }: Props) {
  const [templates, setTemplates] = useState<TemplatePublic[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api.listTemplates().then(
      (found) => current && setTemplates(found),
      (failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      current = false;
    };
  }, []);

  const groups = kinds.map((kind) => ({
    kind,
    templates: templates?.filter((template) => template.kind === kind) ?? [],
  }));
  return (
    <div className="template-picker" role="radiogroup" aria-label={label} data-testid="template-picker">
      <TemplateCard
        id=""
        title="Empty"
        description="A blank canvas."
        meta="0 nodes"
        icon={<FileText size={16} />}
        checked={selected === null}
        onClick={() => onSelect(null)}
      />
      {groups.map(
        ({ kind, templates: offered }) =>
          offered.length > 0 && (
            <Fragment key={kind}>
              {kinds.length > 1 && <div className="template-group">{GROUP_TITLES[kind]}</div>}
              {offered.map((template) => (
                <TemplateCard
                  key={template.id}
                  id={template.id}
                  title={template.name}
                  description={template.description}
                  meta={
                    `${template.node_count} node${template.node_count === 1 ? "" : "s"}` +
                    (template.workflows.length > 1 ? ` · ${template.workflows.length} workflows` : "")
                  }
                  icon={kind === "project" ? <LayoutTemplate size={16} /> : <WorkflowIcon size={16} />}
                  checked={selected?.id === template.id}
                  onClick={() => onSelect(template)}
                />
              ))}
            </Fragment>
          ),
      )}
      {templates === null && !error && <p className="muted">Loading templates…</p>}
      {error && <p className="error-text">Templates could not be read: {error}</p>}
    </div>
  );
});

function TemplateCard(props: {
  id: string;
  title: string;
  description: string;
  meta: string;
  icon: ReactNode;
  checked: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      role="radio"
      aria-checked={props.checked}
      className={`template-card${props.checked ? " selected" : ""}`}
      data-testid="template-card"
      data-template-id={props.id}
      title={props.description}
      onClick={props.onClick}
    >
      <span className="template-card-title">
        {props.icon} {props.title}
      </span>
      <span className="template-card-description">{props.description}</span>
      <span className="template-card-meta">{props.meta}</span>
    </button>
  );
}
