import type { GatewayEventJob } from "@/lib/gateway/schemas";
import { enqueueAll } from "@/lib/queue/registry";
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
      await enqueueAll("decisions", jobsOf(batch));
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
  queueing = false;
}

/** One job per tenant (the worker writes a tenant's records in one transaction), plus the gateway's call records. */
function jobsOf(batch: Waiting[]) {
  const byTenant = new Map<string, DecisionRecord[]>();
  for (const { record } of batch) {
    const records = byTenant.get(record.tenantId);
    if (records) records.push(record);
    else byTenant.set(record.tenantId, [record]);
  }
  const jobs: Parameters<typeof enqueueAll<"decisions">>[1] = [];
  for (const [tenantId, records] of byTenant) {
    for (let i = 0; i < records.length; i += MAX_RECORDS_PER_JOB) {
      const chunk = records.slice(i, i + MAX_RECORDS_PER_JOB);
      // The first record's id names the job: a job queued twice (a retried MULTI) runs once.
      jobs.push({ name: "decision.records", data: { tenantId, records: chunk }, opts: { jobId: chunk[0]!.id } });
    }
  }
  for (const { gatewayEvent } of batch) {
    if (gatewayEvent) jobs.push({ name: "gateway.event", data: gatewayEvent, opts: { jobId: gatewayEvent.key.replace(":", "-") } });
  }
  return jobs;
}
