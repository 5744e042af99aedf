// Shapes of the graph document (schema_version 1) and of the API's answers, under the names the
// editor uses. They are generated (./gen/, by scripts/gen_api_types) from the API's OpenAPI
// document, that is from the pydantic models of compiler/document.py, backend/models.py and
// node_types/base.py: change those, then regenerate. Answers hold every field, so the `…Output`
// forms, whose fields are all present, are the ones named here.
import type * as Api from "./gen/types.gen";

export type Position = Api.PositionOutput;
export type Size = Api.Size;
export type DocNode = Api.NodeOutput;
export type DocEdge = Api.EdgeOutput;
export type StateVar = Api.StateVarOutput;
export type WorkflowSettings = Api.WorkflowSettingsOutput;
export type Workflow = Api.WorkflowOutput;
/** Field name -> type reference: a workflow's, an activity's or a type's fields. */
export type Fields = Workflow["input"];
/** A workflow without its graph: the part the settings panel edits. */
export type WorkflowMeta = Omit<Workflow, "nodes" | "edges">;
export type TypeDef = Api.TypeDefOutput;
export type ActivityDef = Api.ActivityDefOutput;
/** A project document as it is read: the fields at their defaults may be left out (a request
 * body, an import file, an export). */
export type ProjectDocument = Api.Project;
/** A workflow document as it is read, the fields at their defaults possibly left out. */
export type WorkflowDocument = Api.WorkflowInput;
/** A project document without its id, schema version and workflows, every field present. */
export type ProjectSettings = Omit<Api.ProjectPublic, "id" | "revision" | "created_at" | "updated_at" | "workflows">;
/** The whole project document with every field present, as the editor builds it and as the
 * export answers without `compact` (the API's schema, which covers `compact` too, says only
 * that it is a document). */
export type Project = ProjectSettings & Required<Pick<Api.Project, "schema_version" | "id">> & { workflows: Workflow[] };

export type ProjectSummary = Api.ProjectSummary;
export type WorkflowSummary = Api.WorkflowSummary;
export type ProjectPublic = Api.ProjectPublic;
export type WorkflowPublic = Api.WorkflowPublic;
export type VersionSummary = Api.VersionSummary;
export type VersionPublic = Api.VersionPublic;

/** The names of what a diagnostic is about and its quick fix are what the compiler's check
 * adds; a diagnostic made elsewhere (a test's) may leave them out, and readers fall back to
 * the ids and the path. */
type DiagnosticExtras = "node_name" | "edge_name" | "field_name" | "fix";
export type Diagnostic = Omit<Api.DiagnosticPublic, DiagnosticExtras> & Partial<Pick<Api.DiagnosticPublic, DiagnosticExtras>>;
export type ValidateResult = Api.ValidatePublic;
export type SourceRange = Api.SourceRange;
export type CompileResult = Api.CompilePublic;

export type Port = Api.CataloguePort;
export type Role = Api.Role;

/** The JSON Schema keywords the config forms read (the catalogue's `config_schema`, the
 * document schema). The API types such a schema as an object of any keys; this says which
 * of them the forms understand. */
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

/** A node kind of the catalogue (`GET /api/node-types`), its config schema read as a JSON
 * Schema. */
export type NodeKind = Omit<Api.CatalogueEntry, "config_schema"> & { config_schema: JsonSchema };
