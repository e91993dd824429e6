import { z } from "zod";

/** The risk classes an operation can carry, lowest first (mirrors the `RiskClass` enum of prisma/schema.prisma). */
export const RISK_CLASSES = ["read", "write", "delete", "money", "deploy", "identity"] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const RISK_LABEL: Record<RiskClass, string> = {
  read: "Read",
  write: "Write",
  delete: "Delete data",
  money: "Move money",
  deploy: "Deploy code",
  identity: "Change identities",
};

/** One operation of a preview: what it is, and the top-level arguments its schema names. */
export type PlannedOperation = {
  name: string;
  description: string;
  riskClass: RiskClass;
  reversible: boolean;
  /** Why the risk class was guessed (new operations) or "kept" (existing ones keep theirs). */
  basis: string;
  arguments: string[];
  required: string[];
};

export const IMPORT_FORMATS = ["auto", "mcp", "openapi"] as const;

/** Limits of the registry, shared by the API and the console. */
export const TOOL_LIMITS = {
  description: 2000,
  /** Canonical JSON size of one operation's argument schema. */
  argsSchemaBytes: 256 * 1024,
  /** Operations one import may carry. */
  importOperations: 1000,
  /** JSON nesting depth of an imported document or a schema. */
  depth: 128,
} as const;

export const toolName = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "Use lower-case letters, digits, dots, dashes and underscores, e.g. github.");

/**
 * Operation names come from MCP tool names, OpenAPI operationIds or `METHOD /path`, so
 * they are lenient: printable, no control characters, no surrounding whitespace.
 */
export const operationName = z
  .string()
  .trim()
  .min(1, "Name the operation.")
  .max(200)
  .regex(/^[^\p{C}]+$/u, "Control characters are not allowed.");

const displayName = z.string().trim().min(1, "Give it a display name.").max(100);
const description = z.string().trim().max(TOOL_LIMITS.description);
export const riskClass = z.enum(RISK_CLASSES, "Choose a risk class.");

/** A JSON Schema for an operation's arguments: a JSON object (whether it compiles is checked by the service with ajv). */
export const argsSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  "The argument schema must be a JSON object, e.g. {\"type\": \"object\"}.",
);

export const createToolInput = z.object({
  name: toolName,
  displayName,
  description: description.default(""),
});

/** Where the gateway sends a tool's calls (lib/gateway); null removes the upstream. */
export const upstreamInput = z
  .object({
    kind: z.enum(["http", "mcp"]).default("http"),
    baseUrl: z.url({ protocol: /^https?$/ }).max(2000),
    connectionId: z.string().min(1).max(64),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    maxResponseBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
  })
  .nullable();

/** A PATCH: only the fields sent change. The name is fixed, since policies and kill switches name it. */
export const updateToolInput = z.object({ displayName, description, upstream: upstreamInput }).partial();

/** The methods the gateway sends upstream (never TRACE: it echoes the request, credential included). */
export const GATEWAY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** How the gateway calls an operation: path args fill {placeholders}, the rest go in the query (GET/DELETE/HEAD/OPTIONS) or JSON body. */
export const operationHttpInput = z
  .object({
    method: z.enum(GATEWAY_METHODS),
    path: z.string().trim().min(1).max(2000).regex(/^\/[^\s?#]*$/, "Start with / and leave out the query, e.g. /v1/refunds/{charge_id}."),
  })
  .nullable();

/** Which response fields name the side effect: a literal object_type, and the field names of its id and url. */
export const sideEffectFieldsInput = z
  .object({ object_type: z.string().trim().min(1).max(100), id: z.string().trim().min(1).max(200).optional(), url: z.string().trim().min(1).max(200).optional() })
  .nullable();

/**
 * Where a gateway call's cost is read, from what the gateway saw rather than what the agent
 * reports: an argument or a field of the upstream's answer (dotted path), in dollars or cents.
 */
export const spendFieldInput = z
  .object({
    source: z.enum(["args", "response"]),
    field: z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "A field name, or a dotted path such as data.amount."),
    unit: z.enum(["usd", "cents"]),
  })
  .nullable();

export type SpendField = NonNullable<z.infer<typeof spendFieldInput>>;
export type SideEffectFields = NonNullable<z.infer<typeof sideEffectFieldsInput>>;

/** Create or replace an operation by name. */
export const upsertOperationInput = z.object({
  name: operationName,
  description: description.default(""),
  argsSchema: argsSchema.default(() => ({ type: "object" })),
  riskClass,
  reversible: z.boolean(),
});

/** A PATCH of one operation: only the fields sent change. */
export const updateOperationInput = z
  .object({ description, argsSchema, riskClass, reversible: z.boolean(), http: operationHttpInput, sideEffectFields: sideEffectFieldsInput, spendField: spendFieldInput })
  .partial();

export const importOperationsInput = z.object({
  /** The tool to import into; created on confirm when no tool has this name yet. */
  tool: z.object({ name: toolName, displayName: displayName.optional(), description: description.optional() }),
  format: z.enum(IMPORT_FORMATS).default("auto"),
  /** The pasted text, or the parsed JSON document. */
  document: z.union([
    z.string().min(1, "Paste a JSON document."),
    z.custom<object>((value) => typeof value === "object" && value !== null, "Send a JSON document."),
  ]),
  /** false: answer the preview only. true: apply it. */
  confirm: z.boolean().default(false),
  /** The preview's fingerprint: the import is refused if the registry changed since. */
  fingerprint: z.string().max(128).optional(),
});

export type CreateToolInput = z.infer<typeof createToolInput>;
export type UpdateToolInput = z.infer<typeof updateToolInput>;
export type UpsertOperationInput = z.infer<typeof upsertOperationInput>;
export type UpdateOperationInput = z.infer<typeof updateOperationInput>;
export type ImportOperationsInput = z.infer<typeof importOperationsInput>;
