import type { GatewayEventJob } from "@/lib/gateway/schemas";
import type { DecisionRecordsJob } from "./record-job";
import { appendDecisionRecords } from "./record-stream";
import type { DecisionRecord } from "./schemas";

/** Records per stream entry: one worker write at most. */
const MAX_RECORDS_PER_JOB = 500;

type Waiting = { record: DecisionRecord; gatewayEvent: GatewayEventJob | null; resolve: () => void; reject: (error: unknown) => void };

let waiting: Waiting[] = [];
let queueing = false;

/**
 * Queues a decision record (and the gateway's record of the call it allows) durably on the
 * record stream (./record-stream.ts), and resolves once Redis holds it, so the decision may
 * then be answered. Group commit: a record that arrives while no write is under way goes at
 * once, alone; records that arrive during a write go together in the next one, one entry
 * per tenant. At low rates nothing waits; at high rates one entry carries many decisions.
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
      await appendDecisionRecords(jobsOf(batch));
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
  queueing = false;
}

/** One entry per tenant: the worker writes a tenant's records in one transaction. */
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
