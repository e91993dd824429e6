import { logger } from "@/lib/logger";
import type { EventBatchJob } from "./timeline-event";
import { withTenantPg } from "./pg-writer";
import { writeEventBatch, type EventToWrite } from "./write-event-batch";

type Pending = { job: EventBatchJob; resolve: (r: WriteResult) => void; reject: (e: unknown) => void };
export type WriteResult = { inserted: number; duplicates: number };

/**
 * Groups the ingest jobs a worker holds at once into large writes: jobs wait until
 * `maxEvents` events are pending or `maxWaitMs` passed, then one transaction per tenant
 * stores them all. Each job's promise settles only after its rows committed, so BullMQ
 * completes a job only once it is durable in Postgres. At most `parallel` writes run at
 * once (two: Postgres inserts one batch while this process prepares the next); jobs
 * arriving meanwhile form the next batch. Concurrent writes cannot deadlock: each takes
 * its locks in one order (keys, events, runs, statistics, each sorted). If a combined write fails, each job is
 * written alone so one bad job cannot hold the others back.
 */
export class EventBatcher {
  private pending: Pending[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing = 0;

  constructor(private readonly opts: { maxEvents: number; maxWaitMs: number; parallel?: number } = { maxEvents: 5000, maxWaitMs: 15 }) {}

  add(job: EventBatchJob): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      this.pendingEvents += job.events.length;
      if (this.pendingEvents >= this.opts.maxEvents) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.maxWaitMs);
    });
  }

  private kick() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing >= (this.opts.parallel ?? 1) || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingEvents = 0;
    this.writing++;
    void this.write(batch).finally(() => {
      this.writing--;
      if (this.pending.length) this.kick();
    });
  }

  private async write(batch: Pending[]) {
    const byTenant = new Map<string, Pending[]>();
    for (const p of batch) byTenant.set(p.job.tenantId, [...(byTenant.get(p.job.tenantId) ?? []), p]);
    for (const [tenantId, group] of byTenant) {
      try {
        await writeJobs(tenantId, group.map((p) => p.job));
        // Per-job counts are not tracked in a combined write; BullMQ only needs success.
        for (const p of group) p.resolve({ inserted: -1, duplicates: -1 });
      } catch (error) {
        if (group.length === 1) {
          group[0]!.reject(error);
          continue;
        }
        logger.warn("ingest: combined write failed, writing jobs one by one", { tenantId, jobs: group.length, error });
        for (const p of group) {
          try {
            p.resolve(await writeJobs(tenantId, [p.job]));
          } catch (single) {
            p.reject(single);
          }
        }
      }
    }
  }
}

async function writeJobs(tenantId: string, jobs: EventBatchJob[]): Promise<WriteResult> {
  const events: EventToWrite[] = [];
  for (const job of jobs) for (const e of job.events) events.push({ ...e, agentId: job.agentId, receivedAt: job.receivedAt });
  const result = await withTenantPg(tenantId, (sql) => writeEventBatch(sql, { tenantId, source: "agent", events }));
  return { inserted: result.inserted, duplicates: result.duplicates };
}
