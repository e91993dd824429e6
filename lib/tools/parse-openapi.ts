import { DIALECT_URI } from "./args-schema";
import { CatalogueBuilder, invalidDocument, isObject, isRiskClass, type Catalogue, type CatalogueOperation, type Json, type JsonObject } from "./catalogue";

/**
 * An OpenAPI 3.0/3.1 document (JSON) → operations. Each operation's arguments become
 * one self-contained JSON Schema 2020-12 object:
 * - its path, query and header parameters (path-level ones too; cookies are skipped),
 *   each a property, required when the parameter is (path parameters always);
 * - its request body (JSON first, else form data): the body's properties join the
 *   parameters when the body is a plain object schema and no name collides, otherwise
 *   the whole body is one `body` property;
 * - `additionalProperties: false` unless the body says otherwise, so unknown arguments
 *   are refused;
 * - every `#/components/schemas/X` reference the operation reaches copied under `$defs`
 *   (so recursive schemas stay finite); other local references inlined.
 * OpenAPI 3.0 schema dialect is translated: `nullable`, boolean `exclusiveMinimum`/
 * `exclusiveMaximum`, `example`; `discriminator`, `xml`, `externalDocs` and `x-*` dropped.
 *
 * Name: `operationId`, else `METHOD /path`. Risk: `x-gatehouse-risk` when the document
 * says, else GET/HEAD/OPTIONS → read, DELETE → delete (irreversible), others → write;
 * `x-gatehouse-reversible` overrides reversibility.
 */

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const READ_METHODS = new Set(["get", "head", "options"]);
const SCHEMAS_PREFIX = "#/components/schemas/";
const SKIPPED_HEADERS = new Set(["accept", "content-type", "authorization"]); // OpenAPI: "these are ignored"
const PARAM_ORDER: Record<string, number> = { path: 0, query: 1, header: 2 };

const SCHEMA_KEYS = new Set(["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "additionalItems", "unevaluatedItems", "unevaluatedProperties", "contentSchema"]);
const SCHEMA_ARRAY_KEYS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SCHEMA_MAP_KEYS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const OPENAPI_ONLY_KEYS = new Set(["nullable", "discriminator", "xml", "externalDocs", "example"]);
const COMBINATORS = ["allOf", "anyOf", "oneOf", "not", "if", "$ref", "patternProperties", "dependentSchemas", "dependencies", "unevaluatedProperties"];

const own = (object: JsonObject, key: string): Json | undefined => (Object.hasOwn(object, key) ? object[key] : undefined);

/** The value a local JSON pointer (`#/a/b~1c`) names in `root`, or undefined. */
function resolvePointer(root: Json, ref: string): Json | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: Json | undefined = root;
  for (const raw of ref.slice(2).split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(node)) node = /^\d+$/.test(segment) ? node[Number(segment)] : undefined;
    else if (isObject(node)) node = own(node, segment);
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every `#/$defs/<name>` a converted schema refers to (first segment, unescaped). */
function defRefs(node: Json, into: Set<string>): Set<string> {
  const stack: Json[] = [node];
  while (stack.length) {
    const current = stack.pop()!;
    if (Array.isArray(current)) stack.push(...current);
    else if (isObject(current)) {
      for (const [key, value] of Object.entries(current)) {
        if (key === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")) {
          const first = value.slice("#/$defs/".length).split("/")[0]!;
          try {
            into.add(decodeURIComponent(first).replace(/~1/g, "/").replace(/~0/g, "~"));
          } catch {
            /* an undecodable pointer: ajv reports it when compiling */
          }
        } else stack.push(value);
      }
    }
  }
  return into;
}

type Context = { where: string; stack: string[]; operation?: string };

class OpenApiConverter {
  /** Converted `components.schemas` entries, each done once per document. */
  private readonly components = new Map<string, Json>();
  private readonly componentSchemas: JsonObject;

  constructor(
    private readonly document: JsonObject,
    private readonly out: CatalogueBuilder,
  ) {
    const components = own(document, "components");
    const schemas = isObject(components) ? own(components, "schemas") : undefined;
    this.componentSchemas = isObject(schemas) ? schemas : {};
  }

  private readonly warned = new Set<string>();
  private warn(message: string, operation?: string) {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.out.warn(message, operation);
  }

  /** Follows `$ref`s of OpenAPI objects (path items, parameters, request bodies). */
  deref(node: Json | undefined, ctx: Context): JsonObject | undefined {
    let current = node;
    for (let hops = 0; isObject(current) && typeof current.$ref === "string"; hops++) {
      const ref: string = current.$ref;
      const target = hops < 10 && ref.startsWith("#") ? resolvePointer(this.document, ref) : undefined;
      if (target === undefined) {
        this.warn(`${ctx.where}: ${ref.startsWith("#") ? "unresolvable" : "external"} $ref ${ref} skipped.`, ctx.operation);
        return undefined;
      }
      current = target;
    }
    return isObject(current) ? current : undefined;
  }

  private component(name: string): boolean {
    if (this.components.has(name)) return true;
    const raw = own(this.componentSchemas, name);
    if (raw === undefined) return false;
    this.components.set(name, {}); // placeholder: recursive schemas refer back to themselves
    this.components.set(name, this.schema(raw, { where: `components.schemas.${name}`, stack: [] }));
    return true;
  }

  private ref(ref: string, ctx: Context): Json {
    if (!ref.startsWith("#")) {
      this.warn(`${ctx.where}: external $ref ${ref} is not resolved; that part accepts any value.`, ctx.operation);
      return {};
    }
    if (ref.startsWith(SCHEMAS_PREFIX)) {
      const rest = ref.slice(SCHEMAS_PREFIX.length);
      let name: string | undefined;
      try {
        name = decodeURIComponent(rest.split("/")[0]!).replace(/~1/g, "/").replace(/~0/g, "~");
      } catch {
        name = undefined;
      }
      if (name !== undefined && this.component(name)) return { $ref: `#/$defs/${rest}` };
      this.warn(`${ctx.where}: $ref ${ref} names no schema; that part accepts any value.`, ctx.operation);
      return {};
    }
    if (ctx.stack.includes(ref)) {
      this.warn(`${ctx.where}: $ref ${ref} refers to itself outside components.schemas; the inner reference accepts any value.`, ctx.operation);
      return {};
    }
    const target = resolvePointer(this.document, ref);
    if (target === undefined) {
      this.warn(`${ctx.where}: $ref ${ref} is not resolvable; that part accepts any value.`, ctx.operation);
      return {};
    }
    return this.schema(target, { ...ctx, stack: [...ctx.stack, ref] });
  }

  /** One OpenAPI schema object → JSON Schema 2020-12. */
  schema(node: Json, ctx: Context): Json {
    if (!isObject(node)) return node; // booleans stay; anything else is left for ajv to refuse
    if (typeof node.$ref === "string" && Object.keys(node).every((k) => k === "$ref" || k === "description" || k === "summary" || k.startsWith("x-"))) {
      const resolved = this.ref(node.$ref, ctx);
      const description = own(node, "description");
      return typeof description === "string" && isObject(resolved) ? { ...resolved, description } : resolved;
    }
    const entries: [string, Json][] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-") || OPENAPI_ONLY_KEYS.has(key)) continue;
      if (key === "$ref") entries.push(...Object.entries(typeof value === "string" ? asObject(this.ref(value, ctx)) : {}));
      else if (SCHEMA_KEYS.has(key)) entries.push([key, Array.isArray(value) ? value.map((v) => this.schema(v, ctx)) : this.schema(value, ctx)]);
      else if (SCHEMA_ARRAY_KEYS.has(key)) entries.push([key, Array.isArray(value) ? value.map((v) => this.schema(v, ctx)) : value]);
      else if (SCHEMA_MAP_KEYS.has(key) || key === "dependencies") {
        entries.push([
          key,
          isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v : this.schema(v, ctx)])) : value,
        ]);
      } else entries.push([key, value]);
    }
    const example = own(node, "example");
    if (example !== undefined && own(node, "examples") === undefined) entries.push(["examples", [example]]);
    let result: JsonObject = Object.fromEntries(entries);
    // OpenAPI 3.0: boolean exclusiveMinimum/exclusiveMaximum qualify minimum/maximum.
    for (const [exclusive, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
      const flag = own(node, exclusive);
      if (typeof flag !== "boolean") continue;
      const { [exclusive]: _flag, [bound]: limit, ...rest } = result;
      result = flag && typeof limit === "number" ? { ...rest, [exclusive]: limit } : limit === undefined ? rest : { ...rest, [bound]: limit };
    }
    // OpenAPI 3.0 `nullable: true`: null is also accepted.
    if (own(node, "nullable") === true) {
      if (typeof result.type === "string") {
        result = { ...result, type: [result.type, "null"] };
        if (Array.isArray(result.enum) && !result.enum.includes(null)) result = { ...result, enum: [...result.enum, null] };
      } else if (result.type === undefined) result = { anyOf: [result, { type: "null" }] };
    }
    return result;
  }

  /** `$defs` for a converted schema: every component it reaches, transitively. */
  defsFor(schema: Json): JsonObject {
    const names = defRefs(schema, new Set());
    const queue = [...names];
    while (queue.length) {
      for (const next of defRefs(this.components.get(queue.pop()!) ?? {}, new Set())) {
        if (!names.has(next)) {
          names.add(next);
          queue.push(next);
        }
      }
    }
    return Object.fromEntries([...names].sort().filter((n) => this.components.has(n)).map((n) => [n, this.components.get(n)!]));
  }

  /** The converted component a body schema names, for flattening (`{"$ref": "#/$defs/X"}` → X). */
  target(schema: Json): Json {
    if (isObject(schema) && Object.keys(schema).length === 1 && typeof schema.$ref === "string" && /^#\/\$defs\/[^/]+$/.test(schema.$ref)) {
      try {
        const name = decodeURIComponent(schema.$ref.slice("#/$defs/".length)).replace(/~1/g, "/").replace(/~0/g, "~");
        return this.components.get(name) ?? schema;
      } catch {
        return schema;
      }
    }
    return schema;
  }
}

const asObject = (value: Json): JsonObject => (isObject(value) ? value : {});

function guessRisk(method: string, operation: JsonObject): Pick<CatalogueOperation, "riskClass" | "reversible" | "basis"> {
  const declared = own(operation, "x-gatehouse-risk");
  const riskClass = isRiskClass(declared) ? declared : READ_METHODS.has(method) ? "read" : method === "delete" ? "delete" : "write";
  const reversibleHint = own(operation, "x-gatehouse-reversible");
  return {
    riskClass,
    reversible: typeof reversibleHint === "boolean" ? reversibleHint : riskClass !== "delete",
    basis: isRiskClass(declared) ? "x-gatehouse-risk" : method.toUpperCase(),
  };
}

/** The media type to read a request body from: JSON first, then form data. */
function pickMedia(content: JsonObject): [string, JsonObject] | undefined {
  const types = Object.keys(content);
  const order = [
    (t: string) => /^application\/json\b/i.test(t),
    (t: string) => /^application\/[\w.-]+\+json\b/i.test(t),
    (t: string) => /^application\/x-www-form-urlencoded\b/i.test(t),
    (t: string) => /^multipart\/form-data\b/i.test(t),
  ];
  for (const match of order) {
    const type = types.find(match);
    const media = type === undefined ? undefined : own(content, type);
    if (type !== undefined && isObject(media)) return [type, media];
  }
  return undefined;
}

export function parseOpenApi(document: unknown): Catalogue {
  if (!isObject(document)) throw invalidDocument("Not an OpenAPI document: expected a JSON object.");
  if (typeof document.swagger === "string") {
    throw invalidDocument("Swagger 2.0 documents are not supported: convert it to OpenAPI 3 first (e.g. with swagger2openapi).", "document.swagger");
  }
  const version = own(document, "openapi");
  if (typeof version !== "string" || !/^3\.\d+/.test(version)) {
    throw invalidDocument('Not an OpenAPI 3 document: "openapi" must be a version such as "3.0.3" or "3.1.0".', "document.openapi");
  }
  const paths = own(document, "paths") ?? {};
  if (!isObject(paths)) throw invalidDocument('"paths" must be an object.', "document.paths");
  const info = own(document, "info");
  const title = isObject(info) && typeof info.title === "string" && info.title.trim() ? info.title.trim() : undefined;

  const out = new CatalogueBuilder();
  const converter = new OpenApiConverter(document, out);

  for (const [path, rawItem] of Object.entries(paths)) {
    const item = converter.deref(rawItem, { where: `paths.${path}`, stack: [] });
    if (!item) {
      out.skip(`paths.${path}: skipped, not a path item object.`);
      continue;
    }
    const shared = own(item, "parameters");
    for (const method of METHODS) {
      const operation = own(item, method);
      if (operation === undefined) continue;
      const fallbackName = `${method.toUpperCase()} ${path}`;
      if (!isObject(operation)) {
        out.skip(`${fallbackName}: skipped, not an operation object.`);
        continue;
      }
      const operationId = own(operation, "operationId");
      const name = typeof operationId === "string" && operationId.trim() ? operationId.trim() : fallbackName;
      const ctx: Context = { where: name, stack: [], operation: name };
      const warn = (message: string) => out.warn(`${name}: ${message}`, name);

      // Parameters: path-level first, overridden by operation-level ones with the same name and place.
      const byKey = new Map<string, JsonObject>();
      for (const list of [shared, own(operation, "parameters")]) {
        if (list === undefined) continue;
        if (!Array.isArray(list)) {
          warn("its parameters are not a list; ignored.");
          continue;
        }
        for (const raw of list) {
          const param = converter.deref(raw, ctx);
          if (!param || typeof param.name !== "string" || typeof param.in !== "string") {
            warn("a parameter without name or location was ignored.");
            continue;
          }
          byKey.set(`${param.in}\u0000${param.name}`, param);
        }
      }
      const params = [...byKey.values()].filter((p) => {
        const where = p.in as string;
        if (where === "cookie") {
          warn(`cookie parameter ${p.name as string} is not part of the arguments.`);
          return false;
        }
        if (where === "header" && SKIPPED_HEADERS.has((p.name as string).toLowerCase())) return false;
        if (!(where in PARAM_ORDER)) {
          warn(`parameter ${p.name as string} in ${where} ignored (not path, query or header).`);
          return false;
        }
        return true;
      });
      params.sort((a, b) => PARAM_ORDER[a.in as string]! - PARAM_ORDER[b.in as string]!);

      const properties = new Map<string, Json>();
      const required: string[] = [];
      for (const param of params) {
        const paramName = param.name as string;
        if (properties.has(paramName)) {
          warn(`parameter ${paramName} in ${param.in as string} has the name of another parameter; only the first is kept.`);
          continue;
        }
        let raw: Json | undefined = own(param, "schema");
        const content = own(param, "content");
        if (raw === undefined && isObject(content)) raw = Object.values(content).map((m) => (isObject(m) ? own(m, "schema") : undefined)).find((s) => s !== undefined);
        let schema = raw === undefined ? {} : converter.schema(raw, ctx);
        const description = own(param, "description");
        if (typeof description === "string" && description.trim() && isObject(schema) && schema.description === undefined) schema = { ...schema, description: description.trim() };
        properties.set(paramName, schema);
        if (param.in === "path" || param.required === true) required.push(paramName);
      }

      // Request body.
      let additionalProperties: Json = false;
      const body = own(operation, "requestBody") === undefined ? undefined : converter.deref(own(operation, "requestBody"), ctx);
      if (own(operation, "requestBody") !== undefined && !body) warn("its request body could not be read; the arguments cover the parameters only.");
      if (body) {
        const content = own(body, "content");
        const media = isObject(content) ? pickMedia(content) : undefined;
        const rawSchema = media ? own(media[1], "schema") : undefined;
        if (rawSchema === undefined) {
          const types = isObject(content) ? Object.keys(content).join(", ") : "";
          warn(`its request body${types ? ` (${types})` : ""} has no JSON or form schema; the arguments cover the parameters only.`);
        } else {
          const schema = converter.schema(rawSchema, ctx);
          const target = converter.target(schema);
          const targetProps = isObject(target) ? own(target, "properties") : undefined;
          const flat =
            isObject(target) &&
            isObject(targetProps) &&
            (target.type === undefined || target.type === "object") &&
            COMBINATORS.every((k) => !Object.hasOwn(target, k)) &&
            Object.keys(targetProps).every((k) => !properties.has(k));
          if (flat) {
            for (const [k, v] of Object.entries(targetProps)) properties.set(k, v);
            const bodyRequired = own(target, "required");
            if (Array.isArray(bodyRequired)) required.push(...bodyRequired.filter((r): r is string => typeof r === "string" && !required.includes(r)));
            const extra = own(target, "additionalProperties");
            if (extra !== undefined) additionalProperties = extra;
          } else {
            const key = properties.has("body") ? "requestBody" : "body";
            if (properties.has(key)) warn("its request body collides with parameters named body and requestBody; the body is not checked.");
            else {
              properties.set(key, schema);
              if (body.required === true) required.push(key);
            }
          }
        }
      }

      const argsSchema: JsonObject = {
        $schema: DIALECT_URI["2020-12"],
        type: "object",
        properties: Object.fromEntries(properties),
        ...(required.length ? { required } : {}),
        additionalProperties,
      };
      const defs = converter.defsFor(argsSchema);
      if (Object.keys(defs).length) argsSchema.$defs = defs;

      const summary = own(operation, "summary");
      const description = own(operation, "description");
      out.add(
        {
          name,
          description: typeof summary === "string" && summary.trim() ? summary : typeof description === "string" ? description : "",
          argsSchema,
          ...guessRisk(method, operation),
          // TRACE is imported for the record but never sent: it echoes the request, credential included.
          ...(method !== "trace" && { http: { method: method.toUpperCase(), path } }),
        },
        name,
      );
    }
  }
  return { format: "openapi", ...(title ? { title } : {}), operations: out.operations, warnings: out.warnings };
}
