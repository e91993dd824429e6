import { AppError } from "@/lib/errors";
import { checkArgsSchema, DIALECT_URI } from "./args-schema";
import { RISK_CLASSES, TOOL_LIMITS, operationName, type RiskClass } from "./schemas";
import { wellFormed } from "@/lib/json/storable";

/** What a parsed catalogue (MCP `tools/list` or OpenAPI) offers to import. */
export type CatalogueOperation = {
  name: string;
  description: string;
  argsSchema: Record<string, unknown>;
  riskClass: RiskClass;
  reversible: boolean;
  /** Why this risk class was guessed, e.g. "readOnlyHint", "GET", "no annotations". */
  basis: string;
  /** OpenAPI only: how the gateway calls it, kept at import (e.g. POST /v1/refunds/{charge_id}). */
  http?: { method: string; path: string };
};

/** Something the import could not take as is; `skipped` when an operation (or path) was left out. */
export type CatalogueWarning = { operation?: string; message: string; skipped?: true };

export type Catalogue = {
  format: "mcp" | "openapi";
  /** OpenAPI `info.title` (for a tool name suggestion), when there is one. */
  title?: string;
  operations: CatalogueOperation[];
  warnings: CatalogueWarning[];
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

export const isRiskClass = (value: unknown): value is RiskClass => typeof value === "string" && (RISK_CLASSES as readonly string[]).includes(value);

/** A malformed document: 400 validation_failed with the place and the problem. */
export function invalidDocument(message: string, path = "document"): AppError {
  return new AppError("validation_failed", message, [{ path, message }]);
}

export function truncate(text: string, max: number = TOOL_LIMITS.description): string {
  const trimmed = text.trim();
  // toWellFormed: a cut through an emoji (a surrogate pair) would leave half of it, which Postgres refuses.
  return trimmed.length <= max ? trimmed : `${wellFormed(trimmed.slice(0, max - 1)).trimEnd()}…`;
}

/**
 * Collects operations for a catalogue: checks the name, drops duplicates, checks that
 * the schema compiles (with ajv), and records a warning for everything skipped.
 */
export class CatalogueBuilder {
  readonly operations: CatalogueOperation[] = [];
  readonly warnings: CatalogueWarning[] = [];
  private readonly names = new Set<string>();

  warn(message: string, operation?: string) {
    this.warnings.push(operation === undefined ? { message } : { operation, message });
  }

  /** A warning for something left out of the import. */
  skip(message: string, operation?: string) {
    this.warnings.push({ ...(operation === undefined ? {} : { operation }), message, skipped: true });
  }

  add(op: CatalogueOperation, where: string) {
    const name = operationName.safeParse(op.name);
    if (!name.success) return this.skip(`${where}: skipped, the name ${JSON.stringify(op.name)} is not usable (${name.error.issues[0]?.message}).`);
    if (this.names.has(name.data)) return this.skip(`${where}: skipped, a second operation named ${name.data}.`, name.data);
    let argsSchema = op.argsSchema;
    let check = checkArgsSchema(argsSchema);
    if (!check.ok && argsSchema.$schema === undefined) {
      // Schemas without $schema are read as 2020-12; many MCP servers still write
      // draft-07 (tuple `items: [...]`, `dependencies`) without saying so.
      const asDraft7 = { $schema: DIALECT_URI["draft-07"], ...argsSchema };
      if (checkArgsSchema(asDraft7).ok) {
        argsSchema = asDraft7;
        check = { ok: true, dialect: "draft-07" };
      }
    }
    if (!check.ok) return this.skip(`${name.data}: skipped, its argument schema does not compile: ${check.errors.join("; ")}`, name.data);
    if (this.operations.length >= TOOL_LIMITS.importOperations) {
      throw invalidDocument(`The document has more than ${TOOL_LIMITS.importOperations} operations; import at most ${TOOL_LIMITS.importOperations} at a time.`);
    }
    this.names.add(name.data);
    this.operations.push({ ...op, name: name.data, argsSchema, description: truncate(op.description) });
  }
}
