import { countersForCall, type CallSubject } from "./counters";
import { quotaMeter, type QuotaMeter } from "./meter";
import type { QuotaLimitState } from "./schemas";

/**
 * The limits that apply to one call and their use now, read without reserving (the
 * approval request page: "what approving this would spend"). `extended` marks the limits
 * an approval would extend once. Null when the counters cannot be read.
 */
export async function readQuotaState(input: {
  subject: CallSubject;
  call: { tool: string; operation: string; riskClass: string | undefined };
  extended?: string[];
  now?: Date;
  meter?: QuotaMeter;
}): Promise<QuotaLimitState[] | null> {
  const now = input.now ?? new Date();
  const counters = await countersForCall(input.subject, input.call, now);
  let values: number[];
  try {
    values = await (input.meter ?? quotaMeter()).read(counters.map((c) => c.key));
  } catch {
    return null;
  }
  return counters.map((c, i) => {
    const raw = values[i] ?? 0;
    // A run's clock counter holds its start (ms); what is limited is the time since.
    const used = c.quota.metric === "run_seconds" ? (raw ? (now.getTime() - raw) / 1000 : 0) : raw;
    return {
      id: c.quota.id,
      name: c.quota.name,
      metric: c.quota.metric,
      window: c.quota.window,
      limit: c.quota.limit,
      used: Math.round(used * 1e6) / 1e6,
      resetsAt: c.resetsAt?.toISOString() ?? null,
      onExceed: c.quota.onExceed,
      extended: input.extended?.includes(c.quota.id) ?? false,
    };
  });
}
