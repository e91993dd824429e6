import { UnrecoverableError, type Job, type Queue } from "bullmq";
import { runExport } from "@/lib/evidence/run-export";
import { sealAllDigests } from "@/lib/evidence/seal-digests";
import { logger } from "@/lib/logger";
import { enqueue, parsePayload } from "@/lib/queue/registry";

export async function processEvidence(job: Job) {
  switch (job.name) {
    case "evidence.export": {
      const { tenantId, exportId } = parsePayload("evidence", "evidence.export", job.data);
      const outcome = await runExport({ tenantId, exportId });
      logger.info("evidence export", { tenantId, exportId, outcome });
      return { outcome };
    }
    case "evidence.seal-digests": {
      parsePayload("evidence", "evidence.seal-digests", job.data);
      return sealAllDigests();
    }
    default:
      throw new UnrecoverableError(`Unknown evidence job ${job.name}`);
  }
}

/**
 * Digests every hour on the hour (UTC), like CloudTrail's digest files, and one when a
 * worker starts (so a fresh install shows its chain at once; extra digests are harmless).
 */
export async function scheduleEvidenceJobs(queue: Queue) {
  await enqueue("evidence", "evidence.seal-digests", { requestedAt: new Date().toISOString() });
  await queue.upsertJobScheduler(
    "evidence-digests-hourly",
    { pattern: "0 * * * *", tz: "UTC" },
    { name: "evidence.seal-digests", data: { requestedAt: new Date().toISOString() } },
  );
}
