/**
 * Secrets in an approval's action are redacted before it is stored (issue 13, item 8):
 * the request page, the vote's audit entry and the evidence bundle (which exports
 * approvals.action as stored) never carry them, the approver sees which fields were
 * redacted, and the hash still binds the original, so the agent redeems with its real args.
 */
import { describe, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import type { MemberContext } from "@/lib/auth/member";
import { decideAction } from "@/lib/decisions/decide-action";
import type { DecisionRequest } from "@/lib/decisions/schemas";
import { withTenant } from "@/lib/db/tenant";
import { createUser, uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { getApprovalRequest } from "./get-approval-request";
import { voteOnApproval } from "./vote-on-approval";

describe("an approval's stored action", () => {
  it("is redacted everywhere it is kept, lists what was redacted, and still binds the original arguments", async () => {
    const ctx = await createPolicyTenant();
    await publishRules(ctx.owner, [rule({ tool: "webhooks", operations: ["send"], approval: { tier: "always" } })]);
    const principal: AgentPrincipal = { agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: "t", credentialId: "c" };
    const stripeKey = `sk_live_${uniq()}${uniq()}${uniq()}`;
    const password = `pw-${uniq()}${uniq()}`;
    const bearer = `tok${uniq()}${uniq()}${uniq()}`;
    const request: DecisionRequest = {
      run_id: `run_${uniq()}`,
      tool: "webhooks",
      operation: "send",
      args: { url: "https://hooks.example.test/in", body: `charge with ${stripeKey} then login password=${password}` },
      context: { reason: "sync billing", authorization: `Bearer ${bearer}` },
    };
    const secrets = [stripeKey, password, bearer];
    const leaks = (value: unknown) => secrets.filter((s) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).includes(s));

    const asked = await decideAction({ agent: principal, request });
    expect(asked.decision).toBe("pending_approval");
    const approvalId = asked.approval!.id;

    const stored = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findUniqueOrThrow({ where: { id: approvalId } }));
    expect(leaks(stored.action)).toEqual([]);
    expect(stored.action).toMatchObject({ args: { url: "https://hooks.example.test/in" }, redacted: expect.arrayContaining(["args.body", "context.authorization"]) });

    const user = await createUser();
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.create({ data: { tenantId: ctx.tenant.id, userId: user.id, role: "approver" } }));
    const approver: MemberContext = { user: { id: user.id, email: user.email, name: user.name }, role: "approver", tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } };

    const page = await getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: user.id, role: "viewer" } });
    expect(leaks(page)).toEqual([]);
    expect(page.redacted.sort()).toEqual(["args.body", "context.authorization"]);
    expect(page.actionHash).toBe(stored.actionHash);

    await voteOnApproval({ actor: approver, approvalId, verdict: "approve" });
    const audit = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.auditEntry.findMany({ where: { tenantId: ctx.tenant.id, targetId: approvalId } }));
    expect(audit.length).toBeGreaterThan(0);
    expect(leaks(audit)).toEqual([]);

    // The hash is of the original action: the agent's call with its real arguments redeems it.
    expect(await decideAction({ agent: principal, request: { ...request, approval_id: approvalId } })).toMatchObject({ decision: "allow", reasons: [{ code: "approval_redeemed" }] });
  });
});
