import { TenantBatcher } from "@/lib/queue/tenant-batcher";
import type { EventBatchJob } from "./timeline-event";
import { withTenantPg } from "./pg-writer";
import { writeEventBatch, type EventToWrite } from "./write-event-batch";

/**
 * The ingest worker's batcher: the events of many `events.write` jobs stored in one
 * transaction per tenant. Concurrent writes cannot deadlock: each takes its locks in one
 * order (keys, events, runs, statistics, each sorted).
 */
export function createEventBatcher(opts: { maxEvents: number; maxWaitMs: number; parallel?: number }) {
  return new TenantBatcher<EventBatchJob>({
    name: "ingest",
    maxSize: opts.maxEvents,
    maxWaitMs: opts.maxWaitMs,
    parallel: opts.parallel,
    sizeOf: (job) => job.events.length,
    tenantOf: (job) => job.tenantId,
    write: writeJobs,
  });
}

async function writeJobs(tenantId: string, jobs: EventBatchJob[]) {
  const events: EventToWrite[] = [];
  for (const job of jobs) for (const e of job.events) events.push({ ...e, agentId: job.agentId, receivedAt: job.receivedAt });
  await withTenantPg(tenantId, (sql) => writeEventBatch(sql, { tenantId, source: "agent", events }));
}
