/** Seed helpers for evidence tests: events, decisions (with their timeline events), approvals. */
import { createHash, randomUUID } from "node:crypto";
import { recordDecisions } from "@/lib/decisions/record-decision";
import { withTenant } from "@/lib/db/tenant";
import { writeEventBatch, type EventToWrite } from "@/lib/ingest/write-event-batch";
import { newId } from "@/lib/ids";

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** `count` agent events in one run (tool calls with cost, a side effect, a log), stored like the ingest worker does. */
export async function seedEvents({ tenantId, agentId, run, count, receivedAt = new Date() }: { tenantId: string; agentId: string; run: string; count: number; receivedAt?: Date }) {
  const events: EventToWrite[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    events.push({
      agentId,
      receivedAt: receivedAt.toISOString(),
      key: `evt_${randomUUID()}`,
      run,
      type: kind === 0 ? "tool.call" : kind === 1 ? "side_effect" : "model.call",
      ts: new Date(receivedAt.getTime() - 1000 + i).toISOString(),
      payload:
        kind === 0
          ? { tool: "stripe", operation: "refunds.create", args: { amount_cents: 100 + i, note: `refund "${i}", with, commas\nand a newline` }, status: "ok" }
          : kind === 1
            ? { system: "stripe", object_type: "refund", object_id: `re_${i}` }
            : { model: "gpt-x", input_tokens: 10 * i },
      hash: hash(`event-${i}-${randomUUID()}`),
      redacted: kind === 0 ? ["args.card"] : undefined,
      isError: i % 7 === 0,
      inputTokens: kind === 2 ? 10 * i : undefined,
      outputTokens: kind === 2 ? 5 * i : undefined,
      costUsd: kind === 2 ? 0.000123 * i : undefined,
    });
  }
  await withTenant({ tenantId }, (tx) => writeEventBatch(tx, { tenantId, source: "agent", events }), { timeout: 60_000 });
  return events;
}

/** A decision recorded exactly as the decisions worker does (row + timeline event + audit entry). */
export async function seedDecision({ tenantId, agentId, run, outcome = "allow", policyVersion = null }: { tenantId: string; agentId: string; run: string; outcome?: "allow" | "deny" | "pending_approval"; policyVersion?: number | null }) {
  const id = newId("dec");
  await recordDecisions(tenantId, [{
    id, tenantId, agentId, agentName: "evidence-agent", runExternalId: run, tool: "stripe", operation: "refunds.create",
    resource: { type: "charge", id: "ch_1" }, args: { charge_id: "ch_1", amount_cents: 7500 }, actionHash: hash(id), outcome,
    reasons: [{ code: outcome === "allow" ? "allowed_by_rule" : "no_matching_allow_rule", message: "test" }], matchedRules: ["r1"],
    shadow: null, policyVersion, approvalId: null, quota: [], requestId: null, createdAt: new Date().toISOString(),
  }]);
  return id;
}

/** An approval with one vote by `userId`. */
export async function seedApproval({ tenantId, agentId, run, userId }: { tenantId: string; agentId: string; run: string; userId: string }) {
  const id = newId("apr");
  await withTenant({ tenantId }, async (tx) => {
    await tx.approval.create({
      data: { id, tenantId, agentId, runExternalId: run, decisionId: newId("dec"), actionHash: hash(id), action: { tool: "stripe", operation: "refunds.create" }, expiresAt: new Date(Date.now() + 3600_000), status: "approved", decidedAt: new Date() },
    });
    await tx.approvalVote.create({ data: { id: newId("vote"), tenantId, approvalId: id, userId, verdict: "approve", comment: "looks right, \"ok\"" } });
  });
  return id;
}
