import { createHash } from "node:crypto";
import type { MemberContext } from "@/lib/auth/member";
import { canonicalJson } from "@/lib/audit/chain";
import { isUniqueViolation } from "@/lib/db/errors";
import type { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { isObject, type Catalogue, type CatalogueOperation } from "./catalogue";
import { parseCatalogue } from "./parse-catalogue";
import { registryChanged } from "./registry-changed";
import type { ImportOperationsInput, PlannedOperation, RiskClass } from "./schemas";
import { auditToolChange, describeOperation, lockTool } from "./tool-audit";

type ExistingOperation = { id: string; name: string; description: string; argsSchema: unknown; riskClass: string; reversible: boolean };


export type ImportPlan = {
  format: Catalogue["format"];
  title?: string;
  add: PlannedOperation[];
  /** Existing operations whose description or schema the document changes. */
  update: (PlannedOperation & { changes: ("description" | "argsSchema")[] })[];
  unchanged: string[];
  /** Existing operations the document does not mention: kept as they are (an import never deletes). */
  kept: string[];
  warnings: Catalogue["warnings"];
  /** Digest of what applying would write; confirming with a stale one is refused. */
  fingerprint: string;
};

function argumentNames(schema: unknown): Pick<PlannedOperation, "arguments" | "required"> {
  const properties = isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : [];
  const required = isObject(schema) && Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : [];
  return { arguments: properties, required };
}

/**
 * What importing `catalogue` into a tool with `existing` operations would do, by name.
 * New operations are added with the guessed risk class. Existing ones get the document's
 * description and schema; their risk class and reversibility stay (they are the admin's
 * judgment, and a re-import must not downgrade a hand-set `money` to a guessed `write`).
 * Existing operations missing from the document are kept. Pure; the same inputs give
 * the same fingerprint.
 */
export function planImport(existing: ExistingOperation[], catalogue: Catalogue, toolExists = existing.length > 0): ImportPlan {
  const current = new Map(existing.map((op) => [op.name, op]));
  const seen = new Set<string>();
  const plan: Omit<ImportPlan, "fingerprint"> = {
    format: catalogue.format,
    ...(catalogue.title ? { title: catalogue.title } : {}),
    add: [],
    update: [],
    unchanged: [],
    kept: [],
    warnings: catalogue.warnings,
  };
  const writes: unknown[] = [];
  for (const op of catalogue.operations) {
    seen.add(op.name);
    const before = current.get(op.name);
    if (!before) {
      plan.add.push({ name: op.name, description: op.description, riskClass: op.riskClass, reversible: op.reversible, basis: op.basis, ...argumentNames(op.argsSchema) });
      writes.push(["add", op]);
      continue;
    }
    const changes: ("description" | "argsSchema")[] = [];
    if (before.description !== op.description) changes.push("description");
    if (canonicalJson(before.argsSchema) !== canonicalJson(op.argsSchema)) changes.push("argsSchema");
    if (changes.length === 0) {
      plan.unchanged.push(op.name);
      continue;
    }
    plan.update.push({
      name: op.name,
      description: op.description,
      riskClass: before.riskClass as RiskClass,
      reversible: before.reversible,
      basis: "kept",
      ...argumentNames(op.argsSchema),
      changes,
    });
    writes.push(["update", before.id, op.description, op.argsSchema]);
  }
  plan.kept = existing.filter((op) => !seen.has(op.name)).map((op) => op.name).sort();
  const fingerprint = createHash("sha256").update(canonicalJson({ toolExists, writes, unchanged: plan.unchanged, kept: plan.kept })).digest("hex");
  return { ...plan, fingerprint };
}

/**
 * Imports operations from an MCP `tools/list` response or an OpenAPI 3 document into a
 * tool (created when no tool has that name). Without `confirm`: the preview only. With
 * `confirm`: applies the same plan in one transaction (upsert by operation name, never
 * a delete), audited as one entry; refused with 409 if `fingerprint` no longer matches.
 * A malformed document is a 400 validation error, never a crash.
 */
export async function importOperations(input: { actor: MemberContext; request: ImportOperationsInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { request } = input;
  const catalogue = parseCatalogue({ document: request.document, format: request.format });
  const byName = new Map(catalogue.operations.map((op) => [op.name, op]));
  let wrote = false;
  let result;
  try {
    result = await withTenant({ tenantId }, async (tx) => {
      const found = await tx.tool.findFirst({ where: { tenantId, name: request.tool.name } });
      let tool = found && request.confirm ? await lockTool(tx, tenantId, found.id) : found;
      const existing = tool ? await tx.toolOperation.findMany({ where: { tenantId, toolId: tool.id }, orderBy: { name: "asc" } }) : [];
      const plan = planImport(existing, catalogue, Boolean(tool));
      const target = {
        id: tool?.id ?? null,
        name: request.tool.name,
        displayName: tool?.displayName ?? request.tool.displayName ?? catalogue.title ?? request.tool.name,
        exists: Boolean(tool),
      };
      if (!request.confirm) return { applied: false, tool: target, plan };
      if (request.fingerprint !== undefined && request.fingerprint !== plan.fingerprint) {
        throw new AppError("conflict", "The tool's operations changed since this preview: preview the import again.");
      }

      if (!tool) {
        const fields = { name: target.name, displayName: target.displayName, description: request.tool.description ?? "" };
        tool = await tx.tool.create({ data: { id: newId("tool"), tenantId, ...fields } });
        await auditToolChange(tx, { actor: input.actor, toolName: tool.name, action: "tool.registered", after: { ...fields, source: `${catalogue.format} import` }, requestId: input.requestId });
      }
      const toolId = tool.id;
      const added = plan.add.map((p) => {
        const op: CatalogueOperation = byName.get(p.name)!;
        return {
          id: newId("op"),
          tenantId,
          toolId,
          name: op.name,
          description: op.description,
          argsSchema: op.argsSchema as Prisma.InputJsonObject,
          riskClass: op.riskClass,
          reversible: op.reversible,
          httpMethod: op.http?.method ?? null,
          httpPath: op.http?.path ?? null,
        };
      });
      if (added.length) await tx.toolOperation.createMany({ data: added });
      const current = new Map(existing.map((op) => [op.name, op]));
      // The gateway's method and path come with the document; one set in the console is kept.
      for (const before of existing) {
        const http = byName.get(before.name)?.http;
        if (http && !before.httpMethod && !before.httpPath) await tx.toolOperation.update({ where: { id: before.id }, data: { httpMethod: http.method, httpPath: http.path } });
      }
      const updatedBefore: Record<string, unknown>[] = [];
      const updatedAfter: Record<string, unknown>[] = [];
      for (const p of plan.update) {
        const op = byName.get(p.name)!;
        const before = current.get(p.name)!;
        await tx.toolOperation.update({ where: { id: before.id }, data: { description: op.description, argsSchema: op.argsSchema as Prisma.InputJsonObject } });
        updatedBefore.push({ name: p.name, ...Object.fromEntries(p.changes.map((k) => [k, before[k]])) });
        updatedAfter.push({ name: p.name, ...Object.fromEntries(p.changes.map((k) => [k, op[k]])) });
      }
      wrote = !found || added.length > 0 || plan.update.length > 0;
      if (added.length || plan.update.length) {
        await auditToolChange(tx, {
          actor: input.actor,
          toolName: tool.name,
          action: "tool.operations_imported",
          before: updatedBefore.length ? { updated: updatedBefore } : undefined,
          after: {
            format: catalogue.format,
            ...(catalogue.title ? { title: catalogue.title } : {}),
            added: added.map(describeOperation),
            updated: updatedAfter,
            unchanged: plan.unchanged.length,
            skipped: catalogue.warnings.filter((w) => w.skipped).length,
          },
          requestId: input.requestId,
        });
      }
      return { applied: true, tool: { ...target, id: tool.id, displayName: tool.displayName, exists: true }, plan };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", "The tool's operations changed during the import: preview it again.");
    throw error;
  }
  if (wrote) await registryChanged(tenantId);
  return result;
}
