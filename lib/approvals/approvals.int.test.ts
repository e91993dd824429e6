import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { createUser } from "@/lib/testing/factories";
import { createPolicyTenant } from "@/lib/testing/policy";
import { getApprovalStatus } from "./get-approval-status";
import { voteOnApproval } from "./vote-on-approval";

async function setup(required = 2) {
  const ctx = await createPolicyTenant();
  const members: MemberContext[] = [];
  for (let i = 0; i < 3; i++) {
    const user = await createUser();
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.create({ data: { tenantId: ctx.tenant.id, userId: user.id, role: "approver" } }));
    members.push({ user: { id: user.id, email: user.email, name: user.name }, role: "approver", tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } });
  }
  const approvalId = `apr_test_${Math.random().toString(36).slice(2, 10)}`;
  await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
    tx.approval.create({
      data: { id: approvalId, tenantId: ctx.tenant.id, agentId: ctx.agent.id, runExternalId: "run_a", decisionId: "dec_a", actionHash: "h", action: { tool: "stripe", operation: "refunds.create", args: { amount_cents: 20_000 } }, requiredApprovals: required, expiresAt: new Date(Date.now() + 3600_000) },
    }),
  );
  return { ...ctx, members, approvalId };
}

const codeOf = async (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

describe("approvals", () => {
  it("needs two distinct approvers under the two-person rule; the same person twice is refused", async () => {
    const { members, approvalId } = await setup(2);
    expect(await voteOnApproval({ actor: members[0]!, approvalId, verdict: "approve" })).toMatchObject({ status: "pending", approvals: 1, required: 2 });
    expect(await codeOf(voteOnApproval({ actor: members[0]!, approvalId, verdict: "approve" }))).toBe("conflict");
    expect(await voteOnApproval({ actor: members[1]!, approvalId, verdict: "approve" })).toMatchObject({ status: "approved" });
    expect(await codeOf(voteOnApproval({ actor: members[2]!, approvalId, verdict: "deny" }))).toBe("conflict");
  });

  it("refuses the agent's owner (separation of duties) and lets one deny decide", async () => {
    const { owner, members, approvalId } = await setup(2);
    expect(await codeOf(voteOnApproval({ actor: owner, approvalId, verdict: "approve" }))).toBe("forbidden");
    expect(await voteOnApproval({ actor: members[0]!, approvalId, verdict: "deny", comment: "not this one" })).toMatchObject({ status: "denied" });
  });

  it("treats expiry as denied", async () => {
    const { tenant, agent, members, approvalId } = await setup(1);
    await withTenant({ tenantId: tenant.id }, (tx) => tx.approval.update({ where: { id: approvalId }, data: { expiresAt: new Date(Date.now() - 1000) } }));
    expect((await getApprovalStatus({ tenantId: tenant.id, agentId: agent.id, approvalId, waitSeconds: 0 }))?.status).toBe("expired");
    expect(await codeOf(voteOnApproval({ actor: members[0]!, approvalId, verdict: "approve" }))).toBe("conflict");
  });

  it("lets an agent read only its own approvals", async () => {
    const { tenant, approvalId } = await setup(1);
    expect(await getApprovalStatus({ tenantId: tenant.id, agentId: "agt_someone_else", approvalId, waitSeconds: 0 })).toBeNull();
  });

  it("wakes a long poll in another process within 500 ms of the decision", async () => {
    const { tenant, agent, members, approvalId } = await setup(1);
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/approval-waiter.ts", tenant.id, agent.id, approvalId, "20"], { env: process.env, stdio: "pipe" });
    const lines: { ready?: boolean; status?: string; at?: number }[] = [];
    createInterface({ input: child.stdout }).on("line", (l) => lines.push(JSON.parse(l)));
    try {
      await expect.poll(() => lines.some((l) => l.ready), { timeout: 15_000 }).toBe(true);
      await new Promise((r) => setTimeout(r, 300)); // the waiter is now holding the poll
      expect(lines.some((l) => l.status)).toBe(false);
      await voteOnApproval({ actor: members[0]!, approvalId, verdict: "approve" });
      const decidedAt = Date.now();
      await expect.poll(() => lines.find((l) => l.status), { timeout: 5_000, interval: 10 }).toBeTruthy();
      const woke = lines.find((l) => l.status)!;
      expect(woke.status).toBe("approved");
      expect(woke.at! - decidedAt).toBeLessThan(500);
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});
