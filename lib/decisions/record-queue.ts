import type { GatewayEventJob } from "@/lib/gateway/schemas";
import { enqueue, enqueueAll } from "@/lib/queue/registry";
import type { DecisionRecordsJob } from "./record-job";
import type { DecisionRecord } from "./schemas";

/** Records per `decision.records` job: big enough to amortize BullMQ, small enough to retry. */
const MAX_RECORDS_PER_JOB = 500;

type Waiting = { record: DecisionRecord; gatewayEvent: GatewayEventJob | null; resolve: () => void; reject: (error: unknown) => void };

let waiting: Waiting[] = [];
let queueing = false;

/**
 * Queues a decision record (and the gateway's record of the call it allows) durably, and
 * resolves once they are in Redis, so the decision may then be answered. Group commit:
 * a record that arrives while no write is under way goes at once, alone; records that
 * arrive during a write go together in the next one, as one `decision.records` job per
 * tenant. At low rates nothing waits longer than before; at high rates the worker (and
 * Redis) handle one job for many decisions instead of one each, which was most of the
 * worker's CPU per record (docs/PERFORMANCE.md, issue 15).
 */
export function queueDecisionRecord(record: DecisionRecord, gatewayEvent: GatewayEventJob | null = null): Promise<void> {
  return new Promise((resolve, reject) => {
    waiting.push({ record, gatewayEvent, resolve, reject });
    if (!queueing) void queueWaiting();
  });
}

async function queueWaiting() {
  queueing = true;
  while (waiting.length > 0) {
    const batch = waiting;
    waiting = [];
    try {
      const jobs = jobsOf(batch);
      // One job is a plain add: BullMQ's addBulk opens a MULTI whose setup alone cost
      // ~140 µs of the API's CPU per call (ioredis copies every Lua script onto each pipeline).
      if (jobs.length === 1) await enqueue("decisions", "decision.records", jobs[0]!, { jobId: jobs[0]!.records[0]!.id });
      else await enqueueAll("decisions", jobs.map((data) => ({ name: "decision.records" as const, data, opts: { jobId: data.records[0]!.id } })));
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
  queueing = false;
}

/**
 * One job per tenant (the worker writes a tenant's records in one transaction), named by its
 * first record's id, so a job queued twice (a retried write) runs once.
 */
function jobsOf(batch: Waiting[]): DecisionRecordsJob[] {
  const byTenant = new Map<string, Waiting[]>();
  for (const w of batch) {
    const same = byTenant.get(w.record.tenantId);
    if (same) same.push(w);
    else byTenant.set(w.record.tenantId, [w]);
  }
  const jobs: DecisionRecordsJob[] = [];
  for (const [tenantId, all] of byTenant) {
    for (let i = 0; i < all.length; i += MAX_RECORDS_PER_JOB) {
      const chunk = all.slice(i, i + MAX_RECORDS_PER_JOB);
      jobs.push({ tenantId, records: chunk.map((w) => w.record), gatewayEvents: chunk.flatMap((w) => (w.gatewayEvent ? [w.gatewayEvent] : [])) });
    }
  }
  return jobs;
}
