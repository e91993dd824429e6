import { canonicalJson } from "@/lib/audit/chain";
import type { Tx } from "@/lib/db/client";
import { sha256 } from "@/lib/sha256";
import { writeEventBatch, type SqlExecutor } from "@/lib/ingest/write-event-batch";

/**
 * What the server itself attests in a run's timeline (source "server"): decisions and
 * approvals. Conventions the run summary and replay understand:
 *   - `decision`: key = decision id; payload { decision: "allow"|"deny"|"pending_approval",
 *     tool, operation, reasons, policy_version?, approval_id?, quota? } — a pending one
 *     counts as an approval request; `policy_version` becomes the run's policy version;
 *     `quota` (the decision answer's quota array) feeds replay's quota panel.
 *   - `approval.decided`: key = approval id + ":decided"; payload { approval_id, status,
 *     decided_by } — closes an open approval in replay; status "expired" when expiry decided it.
 *   - `approval.escalated`: key = approval id + ":escalated"; payload { approval_id,
 *     escalated_to, notified, waited_minutes } — an unanswered request notified its escalation group.
 */
export type ServerEvent = {
  agentId: string;
  runExternalId: string;
  key: string;
  type: "decision" | "approval.decided" | (string & {});
  ts: Date;
  payload: Record<string, unknown>;
};

/**
 * Writes server events inside the caller's transaction (withTenant for `tenantId`), so a
 * decision and its timeline entry commit together. Idempotent on (agent, "server", key);
 * agents can never write or shadow these keys (their events use source "agent").
 */
export async function recordServerEvents(tx: Tx | SqlExecutor, input: { tenantId: string; events: ServerEvent[] }) {
  const receivedAt = new Date().toISOString();
  return writeEventBatch(tx, {
    tenantId: input.tenantId,
    source: "server",
    events: input.events.map((e) => {
      const ts = e.ts.toISOString();
      return {
        agentId: e.agentId,
        receivedAt,
        key: e.key,
        run: e.runExternalId,
        type: e.type,
        ts,
        payload: e.payload,
        hash: sha256(canonicalJson({ id: e.key, run_id: e.runExternalId, type: e.type, ts, ...e.payload })),
      };
    }),
  });
}
