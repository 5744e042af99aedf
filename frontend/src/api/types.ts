// Shapes of the graph document (schema_version 1) and of the API's answers.
// They mirror compiler/document.py and backend/models.py; the server validates every write.

export type Fields = Record<string, string>;

export interface Position {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface DocNode {
  id: string;
  type: string;
  label: string;
  position: Position;
  size?: Size | null;
  parent_id?: string | null;
  config: Record<string, unknown>;
}

export interface DocEdge {
  id: string;
  source: string;
  source_handle: string;
  target: string;
  target_handle: string;
}

export interface StateVar {
  name: string;
  type: string;
  default?: unknown;
  description?: string;
}

export interface WorkflowSettings {
  id_template?: string | null;
  execution_timeout?: string | null;
}

export interface Workflow {
  id: string;
  name: string;
  description: string;
  input: Fields;
  /** Values for the input fields a start may leave out. */
  input_defaults?: Record<string, unknown>;
  output: string;
  state: StateVar[];
  settings: WorkflowSettings;
  nodes: DocNode[];
  edges: DocEdge[];
}

/** A workflow without its graph: the part the settings panel edits. */
export type WorkflowMeta = Omit<Workflow, "nodes" | "edges">;

export interface TypeDef {
  description?: string;
  fields: Fields;
}

export interface ActivityDef {
  name: string;
  description?: string;
  input: Fields;
  output: string;
  implementation: Record<string, unknown> & { kind: string };
  defaults?: Record<string, unknown>;
}

export interface ProjectSettings {
  name: string;
  description: string;
  task_queue: string;
  types: Record<string, TypeDef>;
  activities: ActivityDef[];
}

export interface Project extends ProjectSettings {
  schema_version: 1;
  id: string;
  workflows: Workflow[];
}

export interface ProjectSummary {
  id: string;
  name: string;
  description: string;
  revision: number;
  workflow_count: number;
  updated_at: string;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  revision: number;
  node_count: number;
  edge_count: number;
  version_count: number;
  updated_at: string;
}

export interface ProjectPublic extends ProjectSettings {
  id: string;
  revision: number;
  workflows: WorkflowSummary[];
}

export interface WorkflowPublic {
  project_id: string;
  id: string;
  revision: number;
  updated_at: string;
  document: Workflow;
}

export interface VersionSummary {
  number: number;
  message: string;
  revision: number;
  created_at: string;
}

export interface VersionPublic extends VersionSummary {
  document: Workflow;
}

export interface Diagnostic {
  code: string;
  message: string;
  severity: "error" | "warning";
  workflow_id?: string | null;
  node_id?: string | null;
  edge_id?: string | null;
  field?: string | null;
}

export interface ValidateResult {
  ok: boolean;
  diagnostics: Diagnostic[];
}

export interface SourceRange {
  file: string;
  start: number;
  end: number;
}

export interface CompileResult {
  package: string;
  files: Record<string, string>;
  sourcemap: Record<string, Record<string, SourceRange>>;
  diagnostics: Diagnostic[];
}

export interface Port {
  name: string;
  label: string;
  multiple: boolean;
  prefix: boolean;
}

export type Role = "entry" | "step" | "branch" | "parallel" | "join" | "terminal" | "container";

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  format?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
  const?: unknown;
  patternProperties?: Record<string, JsonSchema>;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
}

export interface NodeKind {
  kind: string;
  label: string;
  category: string;
  icon: string;
  color: string;
  description: string;
  role: Role;
  has_input: boolean;
  outputs: Port[];
  config_schema: JsonSchema;
  defaults: Record<string, unknown>;
}
