import { countersForCall, counterTag, type CallSubject } from "@/lib/quotas/counters";
import { quotaMeter } from "@/lib/quotas/meter";
import { logger } from "@/lib/logger";

/**
 * Call quotas settle from what the gateway saw: an allowed call reserved one unit of each
 * count limit; when the gateway never sent it (the upstream could not be reached, or its
 * host was refused), that unit is given back, once per decision. A call that was sent
 * stays counted whatever the upstream answered (a timeout may still have acted).
 */
export async function releaseUnsentCall(input: { subject: CallSubject; call: { tool: string; operation: string; riskClass: string | undefined }; decisionId: string; decidedAt: Date }) {
  try {
    const counters = (await countersForCall(input.subject, input.call, input.decidedAt)).filter((c) => c.quota.metric !== "tokens" && c.quota.metric !== "spend_usd" && c.quota.metric !== "run_seconds");
    if (counters.length === 0) return;
    await quotaMeter().settle(
      `${counterTag(input.subject.tenantId)}:released:${input.decisionId}`,
      counters.map((c) => ({ key: c.key, amount: -1, expireAtMs: c.expireAtMs })),
    );
  } catch (error) {
    // Counted but not sent errs on the safe side (a limit is reached early); never fail the answer for it.
    logger.warn("could not release an unsent gateway call's quota", { error, tenantId: input.subject.tenantId, decisionId: input.decisionId });
  }
}
