import { z } from "zod";
import { authState } from "@/lib/agents/auth-state";
import { changeAgentStatus } from "@/lib/agents/change-agent-status";
import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { haltScope } from "./halt-scope";

export const engageInput = z.discriminatedUnion("scope", [
  z.object({ scope: z.literal("tenant"), reason: z.string().trim().min(3).max(500) }),
  z.object({ scope: z.literal("tool"), target: z.string().trim().min(1).max(100), reason: z.string().trim().min(3).max(500) }),
  z.object({ scope: z.literal("agent"), target: z.string().trim().min(1), reason: z.string().trim().min(3).max(500) }),
]);

/**
 * Stops a scope at once. Agent: suspends it. Tool: no agent may call it. Tenant: every
 * agent's tokens are refused. Each cancels the scope's pending approvals (and, for agent
 * and tenant, marks running runs terminated), is audited with who and why, and reaches
 * every process within a second.
 */
export async function engageKillSwitch(input: { actor: MemberContext; request: z.infer<typeof engageInput>; requestId?: string }) {
  const { actor, request } = input;
  if (request.scope === "agent") {
    return changeAgentStatus({ actor, agentId: request.target, status: "suspended", reason: request.reason, requestId: input.requestId });
  }
  const tenantId = actor.tenant.id;
  const target = request.scope === "tool" ? request.target : null;
  const result = await withTenant({ tenantId }, async (tx) => {
    if (target && !(await tx.tool.findFirst({ where: { tenantId, name: target } }))) throw new AppError("not_found", `No tool named ${target}.`);
    const active = await tx.killSwitch.findFirst({ where: { tenantId, scope: request.scope, target, liftedAt: null } });
    if (active) throw new AppError("conflict", "This kill switch is already on.");
    const killSwitch = await tx.killSwitch.create({ data: { tenantId, scope: request.scope, target, reason: request.reason, createdById: actor.user.id } });
    const halted = await haltScope(tx, { tenantId, ...(target && { tool: target }) });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(actor),
      action: "kill_switch.engaged",
      target: { type: request.scope, id: target ?? tenantId },
      after: { killSwitchId: killSwitch.id, reason: request.reason, ...halted },
      requestId: input.requestId,
    });
    return { killSwitch, ...halted };
  });
  await authState.publish({ kind: request.scope === "tenant" ? "tenant" : "policy", id: tenantId });
  return result;
}

export async function liftKillSwitch(input: { actor: MemberContext; killSwitchId: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const lifted = await withTenant({ tenantId }, async (tx) => {
    const ks = await tx.killSwitch.findFirst({ where: { id: input.killSwitchId, tenantId, liftedAt: null } });
    if (!ks) throw new AppError("not_found", "No active kill switch with that id.");
    const updated = await tx.killSwitch.update({ where: { id: ks.id }, data: { liftedAt: new Date(), liftedById: input.actor.user.id } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "kill_switch.lifted",
      target: { type: ks.scope, id: ks.target ?? tenantId },
      before: { killSwitchId: ks.id, reason: ks.reason, engagedAt: ks.createdAt },
      requestId: input.requestId,
    });
    return updated;
  });
  await authState.publish({ kind: lifted.scope === "tenant" ? "tenant" : "policy", id: tenantId });
  return lifted;
}

/** Kill switches that are on, with who turned them on: for banners and the console. */
export async function listActiveKillSwitches({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const rows = await tx.killSwitch.findMany({ where: { tenantId, liftedAt: null }, orderBy: { createdAt: "desc" } });
    const users = await tx.user.findMany({ where: { id: { in: rows.map((r) => r.createdById) } }, select: { id: true, email: true } });
    const email = new Map(users.map((u) => [u.id, u.email]));
    return rows.map((r) => ({ id: r.id, scope: r.scope, target: r.target, reason: r.reason, createdAt: r.createdAt.toISOString(), createdBy: email.get(r.createdById) ?? "unknown" }));
  });
}
