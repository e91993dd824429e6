import { redisKey } from "@/lib/redis";
import { quotaCache } from "./load-quotas";
import type { QuotaLimit } from "./schemas";
import { counterExpiry, windowBucket } from "./windows";

/** Who a call is counted for, and what it is. */
export type CallSubject = { tenantId: string; agentId: string; labels: string[]; runId: string };

/** Does this limit cover this agent? A group limit is one counter shared by the group. */
export function limitCoversAgent(q: QuotaLimit, agent: { agentId: string; labels: string[] }): boolean {
  if (q.scope === "tenant") return true;
  if (q.scope === "agent") return q.scopeRef === null || q.scopeRef === agent.agentId;
  return q.scopeRef !== null && agent.labels.includes(q.scopeRef);
}

/** Does this limit count (or gate) this call? `riskClass` "read" calls are reads; the rest are writes. */
export function limitCoversCall(q: QuotaLimit, call: { tool: string; operation: string; riskClass: string | undefined }): boolean {
  switch (q.metric) {
    case "reads":
      return call.riskClass === "read";
    case "writes":
      return call.riskClass !== "read";
    case "operation_calls":
      return q.tool === call.tool && (q.operation === call.operation || q.operation === "*");
    default:
      return true;
  }
}

/**
 * The Redis key of a limit's counter for a subject and moment. Keys of one tenant share a
 * hash tag, so a script touching several of them stays on one Redis Cluster slot.
 */
export function counterFor(q: QuotaLimit, subject: CallSubject, now: Date): { key: string; resetsAt: Date | null; expireAtMs: number } {
  const { bucket, resetsAt } = windowBucket(q.window, now, subject.runId);
  const who = q.scope === "agent" && q.scopeRef === null ? subject.agentId : "all";
  return { key: `${counterTag(subject.tenantId)}:${q.id}:${who}:${bucket}`, resetsAt, expireAtMs: counterExpiry(resetsAt, now) };
}

export function counterTag(tenantId: string): string {
  return `{${redisKey("quota", tenantId)}}`;
}

/** The tenant's limits that apply to this call, each with its counter at `now`. */
export async function countersForCall(subject: CallSubject, call: { tool: string; operation: string; riskClass: string | undefined }, now: Date) {
  const limits = (await quotaCache.get(subject.tenantId)).filter((q) => limitCoversAgent(q, subject) && limitCoversCall(q, call));
  return limits.map((q) => ({ quota: q, ...counterFor(q, subject, now) }));
}
