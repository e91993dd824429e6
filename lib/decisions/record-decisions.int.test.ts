import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { withTenant } from "@/lib/db/tenant";
import { newId } from "@/lib/ids";
import { createPolicyTenant } from "@/lib/testing/policy";
import { recordDecisions } from "./record-decision";
import type { DecisionRecord } from "./schemas";

const record = (tenantId: string, agentId: string, i: number): DecisionRecord => ({
  id: newId("dec"),
  tenantId,
  agentId,
  agentName: "bot",
  runExternalId: `run_${i % 3}`,
  tool: "stripe",
  operation: "charges.retrieve",
  resource: null,
  args: { charge_id: `ch_${i}` },
  actionHash: "0".repeat(64),
  outcome: i % 2 ? "allow" : "deny",
  reasons: [{ code: i % 2 ? "allowed_by_rule" : "no_matching_allow_rule", message: "m" }],
  matchedRules: [],
  shadow: null,
  policyVersion: 1,
  approvalId: null,
  quota: i === 0 ? [{ name: "calls_per_day", limit: 10, remaining: 9, resets_at: null }] : [],
  requestId: null,
  createdAt: new Date(Date.now() + i).toISOString(),
});

describe("recordDecisions (the decisions worker's batch write)", () => {
  it("writes a batch once: rows, timeline entries and audit entries in answer order, the chain intact; a retried batch adds nothing", async () => {
    const { tenant, agent } = await createPolicyTenant();
    const records = Array.from({ length: 150 }, (_, i) => record(tenant.id, agent.id, i));
    expect(await recordDecisions(tenant.id, [...records].reverse())).toEqual({ recorded: 150, duplicates: 0 });
    expect(await recordDecisions(tenant.id, records.slice(0, 10))).toEqual({ recorded: 0, duplicates: 10 });

    const { decisions, audit, timeline } = await withTenant({ tenantId: tenant.id }, async (tx) => ({
      decisions: await tx.decision.count({ where: { tenantId: tenant.id } }),
      audit: await tx.auditEntry.findMany({ where: { tenantId: tenant.id, action: { startsWith: "decision." } }, orderBy: { seq: "asc" }, select: { targetId: true } }),
      timeline: await tx.runEvent.findMany({ where: { tenantId: tenant.id, type: "decision" }, select: { eventKey: true, payload: true } }),
    }));
    expect(decisions).toBe(150);
    expect(audit.map((a) => a.targetId)).toEqual(records.map((r) => r.id));
    expect(timeline).toHaveLength(150);
    expect(timeline.find((t) => t.eventKey === records[0]!.id)?.payload).toMatchObject({ quota: [{ name: "calls_per_day" }] });
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true });
  });
});
