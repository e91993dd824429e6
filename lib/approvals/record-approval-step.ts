import type { Tx } from "@/lib/db/client";
import { recordServerEvents } from "@/lib/runs/record-server-events";

/**
 * One step of an approval (decided, expired, escalated) in its run's timeline, attested by
 * the server and written once: the event's key is the approval id and the step.
 */
export async function recordApprovalStep(
  tx: Tx,
  tenantId: string,
  approval: { id: string; agentId: string; runExternalId: string },
  step: { key: "decided" | "escalated"; type: "approval.decided" | "approval.escalated"; ts: Date; payload: Record<string, unknown> },
) {
  await recordServerEvents(tx, {
    tenantId,
    events: [
      {
        agentId: approval.agentId,
        runExternalId: approval.runExternalId,
        key: `${approval.id}:${step.key}`,
        type: step.type,
        ts: step.ts,
        payload: { approval_id: approval.id, ...step.payload },
      },
    ],
  });
}
