/**
 * The first-run checklist ticks from real rows, one step at a time, and only from the
 * tenant's own rows; the approver gap follows separation of duties.
 */
import { describe, expect, it } from "vitest";
import type { MemberContext } from "@/lib/auth/member";
import { createConnection } from "@/lib/connections/create-connection";
import { updateConnection } from "@/lib/connections/update-connection";
import { withTenant } from "@/lib/db/tenant";
import { createTestAgent, createTestCredential, createTestTenant, createUser } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { findApproverGap } from "./find-approver-gap";
import { getOnboardingChecklist } from "./get-onboarding-checklist";

// The snippets name the configured origin (read once, on first use of the settings).
process.env.PUBLIC_URL = "https://gatehouse.onboarding.test";

const REFUND_SCHEMA = { type: "object", properties: { charge_id: { type: "string" }, amount_cents: { type: "integer" } }, required: ["charge_id", "amount_cents"] };

async function addTool(tenantId: string) {
  return withTenant({ tenantId }, (tx) =>
    tx.tool.create({
      data: { tenantId, name: "payments", displayName: "Payments", operations: { create: [{ name: "refunds.create", riskClass: "money", reversible: false, argsSchema: REFUND_SCHEMA }] } },
      include: { operations: true },
    }),
  );
}

async function giveUpstream(actor: MemberContext, tool: { id: string; operations: { id: string }[] }) {
  const connection = await createConnection({ actor, request: { name: `payments-${tool.id.slice(-6)}`, kind: "bearer", secret: "sk_test_onboarding", allowedHosts: ["payments.test"] } });
  await updateTool({ actor, toolId: tool.id, changes: { upstream: { kind: "http", baseUrl: "https://payments.test", connectionId: connection.id, timeoutMs: 2_000, maxResponseBytes: 4096 } } });
  await updateOperation({ actor, toolId: tool.id, operationId: tool.operations[0]!.id, changes: { http: { method: "POST", path: "/v1/refunds" } } });
  return connection;
}

const recordDecision = (tenantId: string, agentId: string, runId: string) =>
  withTenant({ tenantId }, (tx) =>
    tx.decision.create({ data: { tenantId, agentId, runExternalId: runId, tool: "payments", operation: "refunds.create", actionHash: "h", outcome: "allow" } }),
  );

describe("getOnboardingChecklist", () => {
  it("ticks each step as its rows appear, and only then", async () => {
    const { tenant, owner } = await createTestTenant();
    const tenantId = tenant.id;
    const doneOf = async () => (await getOnboardingChecklist({ tenantId })).done;

    const empty = await getOnboardingChecklist({ tenantId });
    expect(empty).toMatchObject({
      done: { agent: false, credential: false, tool: false, rule: false, call: false },
      complete: false,
      agent: null,
      example: null,
      lastCall: null,
      counts: { agents: 0, tools: 0, connections: 0, permitRules: 0 },
    });

    // 1. An agent. A decommissioned one does not count.
    await createTestAgent(tenantId, owner.user.id, { status: "decommissioned" });
    expect((await doneOf()).agent).toBe(false);
    const agent = await createTestAgent(tenantId, owner.user.id);
    expect(await getOnboardingChecklist({ tenantId })).toMatchObject({ done: { agent: true, credential: false }, agent: { id: agent.id, name: agent.name } });

    // 2. A live credential. A revoked or expired one does not count.
    const revoked = await createTestCredential(tenantId, agent.id);
    await withTenant({ tenantId }, (tx) => tx.agentCredential.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } }));
    const expired = await createTestCredential(tenantId, agent.id);
    await withTenant({ tenantId }, (tx) => tx.agentCredential.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } }));
    expect((await doneOf()).credential).toBe(false);
    await createTestCredential(tenantId, agent.id);
    expect((await doneOf()).credential).toBe(true);

    // 3. A tool the gateway executes: registered is not enough, nor is a disabled connection.
    const tool = await addTool(tenantId);
    expect(await getOnboardingChecklist({ tenantId })).toMatchObject({ done: { tool: false }, counts: { tools: 1, connections: 0 } });
    const connection = await giveUpstream(owner, tool);
    expect(await getOnboardingChecklist({ tenantId })).toMatchObject({ done: { tool: true }, enforcedTool: { name: "payments" }, counts: { connections: 1 } });
    await updateConnection({ actor: owner, connectionId: connection.id, changes: { status: "disabled" } });
    expect((await doneOf()).tool).toBe(false);
    await updateConnection({ actor: owner, connectionId: connection.id, changes: { status: "active" } });

    // 4. A published permit rule: a draft, a shadow rule or a forbid alone are not enough.
    await publishRules(owner, [rule({ tool: "payments", operations: ["*"], mode: "shadow" }), rule({ tool: "payments", operations: ["refunds.create"], effect: "forbid" })]);
    expect((await doneOf()).rule).toBe(false);
    await publishRules(owner, [rule({ tool: "payments", operations: ["refunds.create"] })]);
    await expect.poll(async () => (await getOnboardingChecklist({ tenantId })).example).toEqual({
      tool: "payments",
      operation: "refunds.create",
      mcpName: "payments__refunds_create",
      executes: true,
      inputSchema: REFUND_SCHEMA,
    });
    expect(await doneOf()).toEqual({ agent: true, credential: true, tool: true, rule: true, call: false });

    // 5. The first recorded call.
    await recordDecision(tenantId, agent.id, "run_first");
    const complete = await getOnboardingChecklist({ tenantId });
    expect(complete).toMatchObject({ complete: true, lastCall: { tool: "payments", operation: "refunds.create", outcome: "allow", runId: "run_first" }, counts: { agents: 1, permitRules: 1 } });

    // The snippets: the configured origin, the agent's client id, the example call through the gateway.
    expect(complete.baseUrl).toBe("https://gatehouse.onboarding.test");
    const curl = complete.snippets.find((s) => s.id === "curl")!.code;
    expect(curl).toContain(`client_id=${agent.id}`);
    expect(curl).toContain("https://gatehouse.onboarding.test/api/v1/gateway/payments/refunds.create");
    expect(complete.snippets.find((s) => s.id === "cursor")!.code).toContain("https://gatehouse.onboarding.test/api/v1/mcp");
  });

  it("names the agent that has a credential, for the snippets", async () => {
    const { tenant, owner } = await createTestTenant();
    await createTestAgent(tenant.id, owner.user.id);
    const second = await createTestAgent(tenant.id, owner.user.id);
    await createTestCredential(tenant.id, second.id);
    expect((await getOnboardingChecklist({ tenantId: tenant.id })).agent?.id).toBe(second.id);
  });

  it("reads only the tenant's own rows", async () => {
    const mine = await createTestTenant();
    // A neighbour with every step done.
    const other = await createPolicyTenant();
    const tool = await addTool(other.tenant.id);
    await giveUpstream(other.owner, tool);
    await publishRules(other.owner, [rule({ tool: "payments", operations: ["*"] })]);
    await recordDecision(other.tenant.id, other.agent.id, "run_other");
    expect((await getOnboardingChecklist({ tenantId: other.tenant.id })).complete).toBe(true);

    const checklist = await getOnboardingChecklist({ tenantId: mine.tenant.id });
    expect(checklist).toMatchObject({
      done: { agent: false, credential: false, tool: false, rule: false, call: false },
      agent: null,
      enforcedTool: null,
      lastCall: null,
      counts: { agents: 0, tools: 0, connections: 0, permitRules: 0 },
    });
    expect(JSON.stringify(checklist)).not.toContain(other.agent.id);
  });
});

describe("findApproverGap", () => {
  it("a single member cannot approve their own agent's requests; a second approver closes the gap", async () => {
    const { tenant, owner } = await createTestTenant();
    expect(await findApproverGap({ tenantId: tenant.id })).toEqual({ deciders: 1, blockedAgents: { count: 0, sample: [] } });
    const agent = await createTestAgent(tenant.id, owner.user.id);
    await createTestAgent(tenant.id, owner.user.id, { status: "suspended" });
    expect(await findApproverGap({ tenantId: tenant.id })).toEqual({ deciders: 1, blockedAgents: { count: 1, sample: [{ id: agent.id, name: agent.name }] } });

    // A viewer cannot decide; an approver can.
    const viewer = await createUser();
    await withTenant({ tenantId: tenant.id }, (tx) => tx.membership.create({ data: { tenantId: tenant.id, userId: viewer.id, role: "viewer" } }));
    expect((await findApproverGap({ tenantId: tenant.id })).blockedAgents.count).toBe(1);
    const approver = await createUser();
    await withTenant({ tenantId: tenant.id }, (tx) => tx.membership.create({ data: { tenantId: tenant.id, userId: approver.id, role: "approver" } }));
    expect(await findApproverGap({ tenantId: tenant.id })).toEqual({ deciders: 2, blockedAgents: { count: 0, sample: [] } });
  });

  it("an agent owned by someone who cannot decide is approvable by the one decider", async () => {
    const { tenant, members } = await createTestTenant(["viewer"]);
    await createTestAgent(tenant.id, members.viewer!.user.id);
    expect(await findApproverGap({ tenantId: tenant.id })).toEqual({ deciders: 1, blockedAgents: { count: 0, sample: [] } });
  });
});
