import Ajv, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import draft6MetaSchema from "ajv/dist/refs/json-schema-draft-06.json";
import addFormats from "ajv-formats";
import { canonicalJson } from "@/lib/audit/chain";
import { BoundedMap } from "@/lib/bounded-map";
import { AppError } from "@/lib/errors";
import { linearPattern } from "./linear-pattern";
import { TOOL_LIMITS } from "./schemas";

/**
 * Operation argument schemas: which JSON Schema dialect each one speaks and whether it
 * compiles. The registry refuses (or, on import, skips) schemas that do not compile, so
 * whatever checks arguments against them later can count on `argsValidator` succeeding.
 *
 * Dialect: the schema's `$schema` when it names one ajv 8 knows (2020-12, 2019-09,
 * draft-07, draft-06); without `$schema`, JSON Schema 2020-12 (the dialect of OpenAPI
 * 3.1 and the MCP default). Unknown keywords and formats are ignored, as the JSON Schema
 * specification asks (ajv `strict: false`), so real catalogues load.
 */

export type Dialect = "2020-12" | "2019-09" | "draft-07" | "draft-06";

export const DIALECT_URI: Record<Dialect, string> = {
  "2020-12": "https://json-schema.org/draft/2020-12/schema",
  "2019-09": "https://json-schema.org/draft/2019-09/schema",
  "draft-07": "http://json-schema.org/draft-07/schema#",
  "draft-06": "http://json-schema.org/draft-06/schema#",
};

/** The dialect a `$schema` value names; `undefined` when absent; `null` when ajv cannot check it (e.g. draft-04). */
export function dialectOf(schema: Record<string, unknown>): Dialect | undefined | null {
  const declared = schema.$schema;
  if (declared === undefined) return undefined;
  if (typeof declared !== "string") return null;
  const uri = declared.trim().replace(/^https?:\/\//, "").replace(/#$/, "").replace(/\/$/, "");
  if (uri === "json-schema.org/draft/2020-12/schema") return "2020-12";
  if (uri === "json-schema.org/draft/2019-09/schema") return "2019-09";
  if (uri === "json-schema.org/draft-07/schema") return "draft-07";
  if (uri === "json-schema.org/draft-06/schema") return "draft-06";
  return null;
}

/** Every `pattern` and `patternProperties` key runs on RE2 (see linear-pattern.ts); ajv asks for the `u` flag, which is the meaning kept. */
const regExp = Object.assign((pattern: string) => linearPattern(pattern), { code: 'require("@/lib/tools/linear-pattern").linearPattern' });

const OPTIONS = { strict: false, logger: false, allErrors: true, validateFormats: true, code: { regExp } } as const;
const instances = new Map<Dialect, Ajv>();

function ajvFor(dialect: Dialect): Ajv {
  let ajv = instances.get(dialect);
  if (!ajv) {
    if (dialect === "2020-12") ajv = new Ajv2020(OPTIONS);
    else if (dialect === "2019-09") ajv = new Ajv2019(OPTIONS);
    else {
      ajv = new Ajv(OPTIONS);
      if (dialect === "draft-06") ajv.addMetaSchema(draft6MetaSchema);
    }
    addFormats(ajv);
    instances.set(dialect, ajv);
  }
  return ajv;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors ?? []) {
    const where = e.instancePath || "(root)";
    if (seen.has(where)) continue; // one message per place: meta-schema anyOfs repeat themselves
    seen.add(where);
    out.push(`${where}: ${e.message ?? "is invalid"}`);
    if (out.length === 5) break;
  }
  return out;
}

/** Nesting depth of a JSON value, without recursion (a hostile document cannot overflow the stack). */
export function jsonDepth(value: unknown, limit: number = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

export type SchemaCheck = { ok: true; dialect: Dialect } | { ok: false; errors: string[] };

function compile(schema: Record<string, unknown>, dialect: Dialect): ValidateFunction {
  const ajv = ajvFor(dialect);
  // `$schema` is dropped for ajv, which chose the dialect already: ajv only knows the
  // exact URIs of its meta-schemas (no https://…draft-07, no trailing-# variants).
  const { $schema: _ignored, ...body } = schema;
  const meta = ajv.validateSchema(body as AnySchemaObject);
  if (!meta) throw new SchemaError(formatErrors(ajv.errors));
  try {
    return ajv.compile(body);
  } finally {
    // ajv caches every compiled schema object (and its $id) forever: evict it.
    ajv.removeSchema(body);
  }
}

class SchemaError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join("; "));
  }
}

/**
 * Whether `schema` is a usable argument schema: a JSON object of bounded size and depth,
 * in a dialect ajv knows, that compiles (valid against its meta-schema, every `$ref`
 * resolvable inside it, every `pattern` a valid regular expression).
 */
export function checkArgsSchema(schema: unknown): SchemaCheck {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return { ok: false, errors: ["The schema must be a JSON object."] };
  const record = schema as Record<string, unknown>;
  if (jsonDepth(record, TOOL_LIMITS.depth) > TOOL_LIMITS.depth) return { ok: false, errors: [`The schema nests deeper than ${TOOL_LIMITS.depth} levels.`] };
  const size = Buffer.byteLength(canonicalJson(record));
  if (size > TOOL_LIMITS.argsSchemaBytes) return { ok: false, errors: [`The schema is ${Math.ceil(size / 1024)} KB; at most ${TOOL_LIMITS.argsSchemaBytes / 1024} KB.`] };
  const declared = dialectOf(record);
  if (declared === null) {
    return { ok: false, errors: [`Unsupported $schema ${JSON.stringify(record.$schema)}: use JSON Schema 2020-12, 2019-09, draft-07 or draft-06.`] };
  }
  const dialect = declared ?? "2020-12";
  try {
    compile(record, dialect);
    return { ok: true, dialect };
  } catch (error) {
    return { ok: false, errors: error instanceof SchemaError ? error.errors : [(error as Error).message] };
  }
}

/**
 * A validator for arguments against a registered operation's schema (which
 * `checkArgsSchema` accepted when it was stored). Errors are reported all at once (`allErrors`).
 * Compiling costs ~0.1–1 ms: callers go through `argsChecker`, which keeps the result.
 */
export function argsValidator(schema: Record<string, unknown>): ValidateFunction {
  return compile(schema, dialectOf(schema) ?? "2020-12");
}

/** An operation's compiled schema, or why it does not compile (a row stored before a check tightened). */
export type ArgsChecker = { validate: ValidateFunction; error: null } | { validate: null; error: string };

const checkers = new BoundedMap<string, ArgsChecker>(1_000);

/**
 * `argsValidator` kept by the schema's content, most recently used first, across policy
 * reloads: a tenant's policy is reloaded ahead of expiry every ~15 s, and compiling its 500
 * operations again each time stalled every request for up to a second.
 */
export function argsChecker(schema: unknown): ArgsChecker {
  const record = (schema ?? {}) as Record<string, unknown>;
  const key = canonicalJson(record);
  const kept = checkers.get(key);
  if (kept) return kept;
  let checker: ArgsChecker;
  try {
    checker = { validate: argsValidator(record), error: null };
  } catch (error) {
    checker = { validate: null, error: (error as Error).message };
  }
  checkers.set(key, checker);
  return checker;
}

/** `checkArgsSchema` for a service: 400 validation_failed at `argsSchema` with ajv's messages. */
export function assertArgsSchema(schema: unknown): void {
  const check = checkArgsSchema(schema);
  if (!check.ok) {
    throw new AppError(
      "validation_failed",
      `The argument schema does not compile: ${check.errors.join("; ")}`,
      check.errors.map((message) => ({ path: "argsSchema", message })),
    );
  }
}
