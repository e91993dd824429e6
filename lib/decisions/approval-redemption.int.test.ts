/**
 * Redeeming an approval spends it only when the call is allowed: a hard limit or a Redis
 * outage found after the claim gives the approval back (issue 13, "An approval is spent
 * before the quota check").
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import type { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { deleteQuota, saveQuota } from "@/lib/quotas/manage-quotas";
import { QuotaMeter } from "@/lib/quotas/meter";
import { uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { actionHash } from "./action-hash";
import { decideAction } from "./decide-action";
import type { DecisionRequest } from "./schemas";

async function setup() {
  const ctx = await createPolicyTenant();
  await publishRules(ctx.owner, [rule({ tool: "slack", operations: ["chat.postMessage"] })]);
  const principal: AgentPrincipal = { agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: "t", credentialId: "c" };
  const request: DecisionRequest = { run_id: `run_${uniq()}`, tool: "slack", operation: "chat.postMessage", args: { channel: "#ops", text: "deploy" } };
  const approvalId = `apr_test_${uniq()}`;
  await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
    tx.approval.create({
      data: {
        id: approvalId,
        tenantId: ctx.tenant.id,
        agentId: ctx.agent.id,
        runExternalId: request.run_id,
        decisionId: `dec_${uniq()}`,
        actionHash: actionHash({ tool: request.tool, operation: request.operation, resource: null, args: request.args }),
        action: { tool: request.tool, operation: request.operation, args: request.args as Prisma.InputJsonObject },
        status: "approved",
        decidedAt: new Date(),
        expiresAt: new Date(Date.now() + 3600_000),
      },
    }),
  );
  const redeemedAt = async () => (await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findUniqueOrThrow({ where: { id: approvalId } }))).redeemedAt;
  return { ...ctx, principal, request: { ...request, approval_id: approvalId }, plain: request, redeemedAt };
}

describe("redeeming an approval", () => {
  it("keeps the approval unspent when a hard limit denies the call, and spends it once the call is allowed", async () => {
    const ctx = await setup();
    const quota = await saveQuota({ actor: ctx.owner, request: { scope: "tenant", metric: "writes", window: "day", limit: 1, onExceed: "deny" } });
    expect((await decideAction({ agent: ctx.principal, request: ctx.plain })).decision).toBe("allow"); // uses the limit up

    const denied = await decideAction({ agent: ctx.principal, request: ctx.request });
    expect(denied).toMatchObject({ decision: "deny", reasons: [{ code: "quota_exceeded" }] });
    expect(await ctx.redeemedAt()).toBeNull();

    await deleteQuota({ actor: ctx.owner, quotaId: quota.id });
    expect((await decideAction({ agent: ctx.principal, request: ctx.request })).decision).toBe("allow");
    expect(await ctx.redeemedAt()).toBeInstanceOf(Date);
    expect(await decideAction({ agent: ctx.principal, request: ctx.request })).toMatchObject({ decision: "deny", reasons: [{ code: "approval_already_used" }] });
  });

  it("keeps the approval unspent when Redis is unreachable (quota_unavailable)", async () => {
    const ctx = await setup();
    await saveQuota({ actor: ctx.owner, request: { scope: "tenant", metric: "tool_calls", window: "day", limit: 1000 } });
    // Nothing listens on port 1: every command fails.
    const unreachable = new Redis({ port: 1, host: "127.0.0.1", maxRetriesPerRequest: 0, commandTimeout: 300, retryStrategy: () => null });
    unreachable.on("error", () => {});
    const dead = new QuotaMeter(unreachable);
    try {
      expect(await decideAction({ agent: ctx.principal, request: ctx.request, meter: dead })).toMatchObject({ decision: "deny", reasons: [{ code: "quota_unavailable" }] });
    } finally {
      await dead.close();
    }
    expect(await ctx.redeemedAt()).toBeNull();
    expect((await decideAction({ agent: ctx.principal, request: ctx.request })).decision).toBe("allow");
  });
});
