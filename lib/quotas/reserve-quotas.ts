/**
 * The quota step of the decision pipeline (identity → kill switches → schema → policy →
 * quotas). Every limit that applies to the call is checked, and for a call about to be
 * allowed reserved, in one atomic Redis round trip (lib/quotas/meter.ts). When Redis cannot
 * answer, the step reports `unavailable` and the decision fails closed: no call goes
 * through unmetered.
 */
import { logger } from "@/lib/logger";
import type { Reason } from "@/lib/policy/engine";
import { alertOnCrossing } from "./alert-on-crossing";
import { countersForCall, type CallSubject } from "./counters";
import { quotaMeter, type CounterMode, type QuotaMeter } from "./meter";
import type { QuotaLimit, QuotaState } from "./schemas";

export type QuotaOutcome =
  | { kind: "within"; quota: QuotaState[] }
  | { kind: "exceeded"; quota: QuotaState[]; exceeded: { limit: QuotaLimit; used: number; resetsAt: Date | null }[] }
  | { kind: "unavailable"; quota: QuotaState[] };

const MODE: Record<QuotaLimit["metric"], CounterMode> = {
  tool_calls: "count",
  writes: "count",
  reads: "count",
  operation_calls: "count",
  tokens: "budget",
  spend_usd: "budget",
  run_seconds: "clock",
};

export async function reserveQuotas(input: {
  subject: CallSubject;
  call: { tool: string; operation: string; riskClass: string | undefined };
  /** Reserve (the call is about to be allowed) or only look (it waits for a human first). */
  commit: boolean;
  /** Limits a redeemed approval extends once (pause-and-ask): counted, not refused. */
  extend?: string[];
  now: Date;
  meter?: QuotaMeter;
}): Promise<QuotaOutcome> {
  const counters = await countersForCall(input.subject, input.call, input.now);
  if (counters.length === 0) return { kind: "within", quota: [] };

  const checks = counters.map((c) => ({
    ...c,
    mode: MODE[c.quota.metric],
    amount: 1,
    limit: c.quota.limit,
    forced: input.extend?.includes(c.quota.id) ?? false,
  }));
  const meter = input.meter ?? quotaMeter();
  let counted;
  try {
    counted = await meter.check(checks, { now: input.now, commit: input.commit });
  } catch (error) {
    logger.error("quota counters unreachable: failing closed", { error, tenantId: input.subject.tenantId });
    return { kind: "unavailable", quota: [] };
  }

  const quota: QuotaState[] = counted.map((c) => ({
    name: c.quota.name,
    limit: c.quota.limit,
    remaining: round(Math.max(0, c.quota.limit - c.used)),
    resets_at: c.resetsAt?.toISOString() ?? null,
  }));
  const exceeded = counted.filter((c) => c.refused).map((c) => ({ limit: c.quota, used: c.used, resetsAt: c.resetsAt }));
  if (exceeded.length > 0) return { kind: "exceeded", quota, exceeded };
  if (input.commit) {
    for (const c of counted) {
      if (c.mode !== "count") continue;
      void alertOnCrossing({ meter, tenantId: input.subject.tenantId, limit: c.quota, key: c.key, before: c.used - c.amount, after: c.used, expireAtMs: c.expireAtMs });
    }
  }
  return { kind: "within", quota };
}

/** The reasons a decision gives for limits it hit. */
export function quotaReasons(exceeded: Extract<QuotaOutcome, { kind: "exceeded" }>["exceeded"]): Reason[] {
  return exceeded.map(({ limit, used, resetsAt }) => ({
    code: "quota_exceeded",
    message:
      limit.metric === "run_seconds"
        ? `Limit ${limit.name} reached: the run has used ${Math.floor(used)} of ${limit.limit} seconds.`
        : `Limit ${limit.name} reached: ${round(used)} of ${limit.limit} used${resetsAt ? `, resets ${resetsAt.toISOString()}` : " in this run"}.` +
          (limit.onExceed === "approval" ? " A human can grant a one-off extension." : ""),
    details: { quota: limit.name, quota_id: limit.id, limit: limit.limit, used: round(used), on_exceed: limit.onExceed, resets_at: resetsAt?.toISOString() ?? null },
  }));
}

export const QUOTA_UNAVAILABLE: Reason = {
  code: "quota_unavailable",
  message: "Quota counters are unreachable, so the call cannot be metered; denied until they are back.",
};

const round = (n: number) => Math.round(n * 1e6) / 1e6;
