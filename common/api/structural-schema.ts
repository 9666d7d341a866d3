// Turns zod's JSON Schema (draft 2020-12) into the OpenAPI v3 "structural schema" subset that
// apiextensions.k8s.io/v1 accepts: every node typed, no additionalProperties:false, no
// propertyNames, int-or-string in the one form Kubernetes knows. Pure, so it is unit-tested.

/** An OpenAPI v3 schema node, as loose as a CRD's openAPIV3Schema. */
export type SchemaNode = { [key: string]: unknown };

// NB: z.int() emits the JavaScript safe-integer bounds; Kubernetes integers are int64, so they
// would only add noise (and wrong limits) to the CRD.
const SAFE_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

const isNode = (value: unknown): value is SchemaNode => typeof value === "object" && value !== null && !Array.isArray(value);

function dropUnstructuralKeywords(node: SchemaNode): SchemaNode {
  const { $schema: _schema, propertyNames: _names, ...rest } = node;
  if (rest["additionalProperties"] === false) delete rest["additionalProperties"];
  for (const bound of ["minimum", "maximum"]) {
    if (SAFE_BOUNDS.has(rest[bound] as number)) delete rest[bound];
  }
  // zod adds a long ECMAScript pattern to ISO date-times; `format: date-time` already says it.
  if (rest["format"] === "date-time") delete rest["pattern"];
  return rest;
}

/** `anyOf: [integer, string]` from zod becomes the `x-kubernetes-int-or-string` form. */
function intOrString(node: SchemaNode): SchemaNode {
  const branches = Array.isArray(node["anyOf"]) ? node["anyOf"].filter(isNode) : [];
  const stringBranch = branches.find((b) => b["type"] === "string") ?? {};
  const { anyOf: _anyOf, ...rest } = node;
  const limits = Object.fromEntries(["pattern", "maxLength"].filter((k) => stringBranch[k] !== undefined).map((k) => [k, stringBranch[k]]));
  return { ...rest, ...limits, anyOf: [{ type: "integer" }, { type: "string" }], "x-kubernetes-int-or-string": true };
}

function mapChildren(node: SchemaNode): SchemaNode {
  const out = { ...node };
  if (isNode(node["properties"])) {
    out["properties"] = Object.fromEntries(Object.entries(node["properties"]).map(([k, v]) => [k, toStructural(v as SchemaNode)]));
  }
  if (isNode(node["items"])) out["items"] = toStructural(node["items"]);
  if (isNode(node["additionalProperties"])) out["additionalProperties"] = toStructural(node["additionalProperties"]);
  return out;
}

/** Converts one zod JSON Schema node (and everything under it) to a structural schema node. */
export function toStructural(node: SchemaNode): SchemaNode {
  const cleaned = dropUnstructuralKeywords(node);
  if (cleaned["x-kubernetes-int-or-string"] === true) return intOrString(cleaned);
  return mapChildren(cleaned);
}

/** Where a node breaks the structural rules, as `path: problem` lines; empty when it is structural. */
export function structuralProblems(node: SchemaNode, path = ""): string[] {
  const here = path || "<root>";
  const problems: string[] = [];
  const intOrStr = node["x-kubernetes-int-or-string"] === true;
  if (!intOrStr && typeof node["type"] !== "string") problems.push(`${here}: has no type`);
  // NB: the root's metadata may not even carry a description (the API server documents it).
  const describable = path !== "metadata";
  if (describable && (typeof node["description"] !== "string" || node["description"] === "")) {
    problems.push(`${here}: has no description`);
  }
  if (node["additionalProperties"] === false) problems.push(`${here}: has additionalProperties: false`);
  if (node["additionalProperties"] !== undefined && node["properties"] !== undefined) {
    problems.push(`${here}: has both properties and additionalProperties`);
  }
  for (const banned of ["$schema", "$ref", "$defs", "propertyNames", "const", "oneOf", "allOf", "not"]) {
    if (node[banned] !== undefined) problems.push(`${here}: uses ${banned}`);
  }
  if (node["anyOf"] !== undefined && !intOrStr) problems.push(`${here}: uses anyOf`);
  if (node["type"] === "array" && node["x-kubernetes-list-type"] === undefined) problems.push(`${here}: has no x-kubernetes-list-type`);
  return [...problems, ...childProblems(node, path)];
}

function childProblems(node: SchemaNode, path: string): string[] {
  const props = isNode(node["properties"]) ? Object.entries(node["properties"]) : [];
  const fromProps = props.flatMap(([k, v]) => structuralProblems(v as SchemaNode, path ? `${path}.${k}` : k));
  const items = isNode(node["items"]) ? structuralChildProblems(node["items"], `${path}[]`) : [];
  const values = isNode(node["additionalProperties"]) ? structuralChildProblems(node["additionalProperties"], `${path}.*`) : [];
  return [...fromProps, ...items, ...values];
}

// Map values and list items need a type, not a description of their own (kubectl explain shows the parent's).
function structuralChildProblems(node: SchemaNode, path: string): string[] {
  return structuralProblems(node, path).filter((p) => !p.endsWith("has no description"));
}
