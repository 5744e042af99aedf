// The form that makes a new project or workflow: its name, and what it starts from (empty, or a
// template chosen in the picker it opens below itself).
import { ChevronDown, Plus } from "lucide-react";
import { type FormEvent, useState } from "react";

import type { TemplatePublic } from "../api/gen/types.gen";
import { type TemplateChoice, TemplatePicker } from "./TemplatePicker";

interface Props {
  /** What it creates: "project" or "workflow". */
  what: string;
  /** A name to show as an example in the empty field. */
  example: string;
  /** The kinds of template it may start from. */
  kinds: readonly TemplatePublic["kind"][];
  name: string;
  onName(name: string): void;
  template: TemplateChoice;
  onTemplate(template: TemplateChoice): void;
  onSubmit(event: FormEvent): void;
}

export function CreateForm({ what, example, kinds, name, onName, template, onTemplate, onSubmit }: Props) {
  const [choosing, setChoosing] = useState(false);
  return (
    <>
      <form className="create-form" onSubmit={onSubmit}>
        <input
          type="text"
          placeholder={`New ${what} name, e.g. ${example}`}
          aria-label={`New ${what} name`}
          value={name}
          onChange={(event) => onName(event.target.value)}
        />
        <button
          type="button"
          className="button"
          aria-expanded={choosing}
          data-testid="start-from"
          onClick={() => setChoosing(!choosing)}
        >
          Start from: {template?.name ?? "Empty"} <ChevronDown size={14} />
        </button>
        <button type="submit" className="button primary" disabled={!name.trim()}>
          <Plus size={14} /> Create {what}
        </button>
      </form>
      {choosing && (
        <TemplatePicker
          kinds={kinds}
          label={`Start the new ${what} from`}
          selected={template}
          onSelect={(choice) => {
            onTemplate(choice);
            setChoosing(false);
            if (choice && !name.trim()) onName(choice.name);
          }}
        />
      )}
    </>
  );
}
