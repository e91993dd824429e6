import { describe, expect, it } from "vitest";
import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
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

  it("stores every field as answered, once even when a batch holds the same record twice", async () => {
    const { tenant, agent } = await createPolicyTenant();
    const r = { ...record(tenant.id, agent.id, 1), matchedRules: ["r1", "r2"], resource: { type: "charge", id: "ch_1" }, shadow: { outcome: "deny", matchedRules: ["s1"] }, approvalId: null };
    expect(await recordDecisions(tenant.id, [r, r])).toEqual({ recorded: 1, duplicates: 1 });
    const stored = await withTenant({ tenantId: tenant.id }, (tx) => tx.decision.findUniqueOrThrow({ where: { id: r.id } }));
    expect(stored).toMatchObject({
      agentId: r.agentId, runExternalId: r.runExternalId, tool: r.tool, operation: r.operation, resource: r.resource, args: r.args,
      actionHash: r.actionHash, outcome: r.outcome, reasons: r.reasons, matchedRules: ["r1", "r2"], shadow: r.shadow, policyVersion: 1,
      approvalId: null, createdAt: new Date(r.createdAt),
    });
    expect(await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.count({ where: { tenantId: tenant.id, targetId: r.id } }))).toBe(1);
  });

  it("keeps one unbroken chain while batches and single admin entries append concurrently", async () => {
    const { tenant, agent } = await createPolicyTenant();
    const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 40 }, (_, i) => record(tenant.id, agent.id, b * 40 + i)));
    await Promise.all([
      ...batches.map((batch) => recordDecisions(tenant.id, batch)),
      ...Array.from({ length: 10 }, (_, i) =>
        withTenant({ tenantId: tenant.id }, (tx) => appendAuditEntry(tx, { tenantId: tenant.id, actor: { type: "system", label: "test" }, action: "test.entry", target: { type: "t", id: String(i) } })),
      ),
    ]);
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true });
    expect(await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.count({ where: { tenantId: tenant.id, action: { startsWith: "decision." } } }))).toBe(240);
  });
});
