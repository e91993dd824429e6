/**
 * Separation of duties survives owner reassignment (issue 13, item 10): whoever owned the
 * agent at request time, or at any time while the request was pending, cannot decide it.
 */
import { describe, expect, it } from "vitest";
import { updateAgent } from "@/lib/agents/update-agent";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { createUser, uniq } from "@/lib/testing/factories";
import { createPolicyTenant } from "@/lib/testing/policy";
import { getApprovalRequest } from "./get-approval-request";
import { listApprovalQueue } from "./list-approval-queue";
import { approvalQueueQuery } from "./schemas";
import { voteOnApproval } from "./vote-on-approval";

async function setup() {
  const ctx = await createPolicyTenant();
  const members: MemberContext[] = [];
  for (let i = 0; i < 2; i++) {
    const user = await createUser();
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.create({ data: { tenantId: ctx.tenant.id, userId: user.id, role: "approver" } }));
    members.push({ user: { id: user.id, email: user.email, name: user.name }, role: "approver", tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } });
  }
  const approvalId = `apr_test_${uniq()}`;
  await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
    tx.approval.create({
      data: { id: approvalId, tenantId: ctx.tenant.id, agentId: ctx.agent.id, runExternalId: "run_a", decisionId: "dec_a", actionHash: "h", action: { tool: "stripe", operation: "refunds.create", args: { amount_cents: 20_000 } }, requiredApprovals: 1, expiresAt: new Date(Date.now() + 3600_000) },
    }),
  );
  const reassign = (ownerId: string) => updateAgent({ actor: ctx.owner, agentId: ctx.agent.id, changes: { ownerId } });
  return { ...ctx, members, approvalId, reassign };
}

const codeOf = async (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

describe("separation of duties", () => {
  it("refuses the owner at request time after the agent was reassigned away", async () => {
    const { owner, members, approvalId, reassign, tenant } = await setup();
    await reassign(members[1]!.user.id);
    expect(await codeOf(voteOnApproval({ actor: owner, approvalId, verdict: "approve" }))).toBe("forbidden");
    const page = await getApprovalRequest({ tenantId: tenant.id, approvalId, viewer: { userId: owner.user.id, role: "owner" } });
    expect(page.viewer).toMatchObject({ ownsAgent: true, blocked: "owner" });
  });

  it("refuses someone who owned the agent while the request was pending, after it was reassigned back", async () => {
    const { owner, members, approvalId, reassign } = await setup();
    await reassign(members[0]!.user.id);
    await reassign(owner.user.id);
    expect(await codeOf(voteOnApproval({ actor: members[0]!, approvalId, verdict: "approve" }))).toBe("forbidden");
    // The queue does not offer them the vote either; it does to someone who never owned it.
    const queueFor = async (m: MemberContext) =>
      (await listApprovalQueue({ tenantId: m.tenant.id, viewer: { userId: m.user.id, role: m.role }, query: approvalQueueQuery.parse({}) })).items.find((i) => i.id === approvalId)!.viewer;
    expect(await queueFor(members[0]!)).toMatchObject({ ownsAgent: true, blocked: "owner" });
    expect(await queueFor(members[1]!)).toMatchObject({ ownsAgent: false, blocked: null });
    // Someone who never owned it still decides.
    expect(await voteOnApproval({ actor: members[1]!, approvalId, verdict: "approve" })).toMatchObject({ status: "approved" });
  });
});
