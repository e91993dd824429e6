import { settleBudgetUse } from "@/lib/quotas/settle-usage";
import type { SpendField } from "@/lib/tools/schemas";
import type { GatewayEventJob } from "./schemas";

/** Larger than any single call should cost: a value past it is a mapping error, not spend. */
const MAX_SPEND_USD = 1_000_000_000;

/**
 * What a gateway call cost in USD, read from what the gateway saw (the call's arguments or
 * the upstream's answer) per the operation's spend field; null when it names none or the
 * value there is not a non-negative number (a number, or a string that is one).
 */
export function spendOf(field: SpendField | null, seen: { args: unknown; response: unknown }): number | null {
  if (!field) return null;
  let value: unknown = field.source === "args" ? seen.args : seen.response;
  for (const key of field.field.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  const amount = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(amount) || amount < 0) return null;
  const usd = field.unit === "cents" ? amount / 100 : amount;
  return usd > MAX_SPEND_USD ? null : Math.round(usd * 1e6) / 1e6;
}

/** Settles the spend of recorded gateway results against spend limits, once per call (decisions worker). */
export async function settleGatewaySpend(tenantId: string, jobs: GatewayEventJob[]): Promise<number> {
  let settled = 0;
  for (const job of jobs) {
    const spend = job.type === "gateway.result" ? job.payload.spend_usd : undefined;
    if (typeof spend !== "number" || spend <= 0) continue;
    const use = { tenantId, agentId: job.agentId, runId: job.runExternalId, marker: `gateway:${job.payload.decision_id}`, at: new Date(job.ts), amounts: { spend_usd: spend } };
    if (await settleBudgetUse(use)) settled++;
  }
  return settled;
}
