import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { RiskClass, SideEffectFields, SpendField } from "./schemas";

/**
 * Audits a change to one tool or its operations, made by a member. The target is the
 * tool's name (as in the demo seed and the tool kill switch), so one filter shows a
 * tool's whole history; the action says what changed.
 */
export function auditToolChange(
  tx: Tx,
  input: { actor: MemberContext; toolName: string; action: string; before?: unknown; after?: unknown; requestId?: string },
) {
  return appendAuditEntry(tx, {
    tenantId: input.actor.tenant.id,
    actor: memberActor(input.actor),
    action: input.action,
    target: { type: "tool", id: input.toolName },
    before: input.before,
    after: input.after,
    requestId: input.requestId,
  });
}

/**
 * The tool, locked for this transaction: writers of one tool's operations (edits and
 * imports) take turns, so an import's preview-then-apply sees a stable set. 404 when the
 * tool is not in the tenant.
 */
export async function lockTool(tx: Tx, tenantId: string, toolId: string) {
  await tx.$executeRaw`SELECT 1 FROM tools WHERE "tenantId" = ${tenantId} AND id = ${toolId} FOR UPDATE`;
  const tool = await tx.tool.findFirst({ where: { tenantId, id: toolId } });
  if (!tool) throw new AppError("not_found", "Tool not found.");
  return tool;
}

/** An operation as the API and the audit log show it. */
export function describeOperation(op: {
  id: string;
  name: string;
  description: string;
  argsSchema: unknown;
  riskClass: RiskClass;
  reversible: boolean;
  httpMethod?: string | null;
  httpPath?: string | null;
  sideEffectFields?: unknown;
  spendField?: unknown;
}) {
  return {
    id: op.id,
    name: op.name,
    description: op.description,
    argsSchema: op.argsSchema,
    riskClass: op.riskClass,
    reversible: op.reversible,
    http: op.httpMethod && op.httpPath ? { method: op.httpMethod, path: op.httpPath } : null,
    sideEffectFields: (op.sideEffectFields ?? null) as SideEffectFields | null,
    spendField: (op.spendField ?? null) as SpendField | null,
  };
}
