import { UnrecoverableError, type Job, type Queue } from "bullmq";
import { createEventBatcher } from "@/lib/ingest/event-batcher";
import { ensureRunEventPartitions } from "@/lib/ingest/ensure-partitions";
import { retryOrDeadLetter, tenantOf } from "@/lib/queue/dead-letter-job";
import { parsePayload } from "@/lib/queue/registry";
import { settleReportedUsage } from "@/lib/quotas/settle-usage";
import { applyRetention } from "@/lib/runs/apply-retention";

const batcher = createEventBatcher({ maxEvents: 5_000, maxWaitMs: 15, parallel: 2 });

/**
 * The ingest queue. `events.write` jobs are handed to one batcher per process, which
 * stores the events of many jobs in one transaction; a job completes only after its
 * events committed, so a crash leaves it active and BullMQ hands it out again (stalled
 * check), where the key table makes the second write a no-op.
 */
export async function processIngest(job: Job) {
  switch (job.name) {
    case "events.write": {
      let data;
      try {
        data = parsePayload("ingest", "events.write", job.data);
      } catch (error) {
        // Kept where an admin sees it, when it names its tenant; never retried 200 times.
        const tenantId = tenantOf(job.data);
        if (tenantId) return retryOrDeadLetter({ queue: "ingest", job, tenantId, error });
        throw new UnrecoverableError(`Malformed event batch: ${(error as Error).message}`);
      }
      try {
        await batcher.add(data);
      } catch (error) {
        return retryOrDeadLetter({ queue: "ingest", job, tenantId: data.tenantId, error });
      }
      // After the commit, so a settle that fails retries the job (a no-op write) and settles then.
      const usage = await settleReportedUsage(data);
      return { events: data.events.length, settled: usage.settled };
    }
    case "runs.ensure-partitions": {
      parsePayload("ingest", "runs.ensure-partitions", job.data);
      return { created: await ensureRunEventPartitions() };
    }
    case "runs.retention": {
      parsePayload("ingest", "runs.retention", job.data);
      const result = await applyRetention();
      return { droppedPartitions: result.droppedPartitions, tenants: result.tenants.filter((t) => t.eventsDeleted || t.payloadsRemoved || t.runsDeleted) };
    }
    default:
      throw new UnrecoverableError(`Unknown ingest job ${job.name}`);
  }
}

/** Retry delay for ingest jobs (`backoff: { type: "capped" }`): 0.5 s doubling, at most 30 s. */
export function ingestBackoff(attemptsMade: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

export async function scheduleIngestJobs(queue: Queue) {
  await ensureRunEventPartitions();
  await queue.upsertJobScheduler(
    "runs-ensure-partitions-hourly",
    { pattern: "7 * * * *", tz: "UTC" },
    { name: "runs.ensure-partitions", data: { requestedAt: new Date().toISOString() } },
  );
  await queue.upsertJobScheduler(
    "runs-retention-hourly",
    { pattern: "23 * * * *", tz: "UTC" },
    { name: "runs.retention", data: { requestedAt: new Date().toISOString() } },
  );
}
