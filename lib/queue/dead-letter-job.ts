import { UnrecoverableError, type Job } from "bullmq";
import { withTenant } from "@/lib/db/tenant";
import { newId } from "@/lib/ids";
import { logger } from "@/lib/logger";
import type { QueueKey } from "./registry";
import { describeWriteError, isDataError } from "./write-errors";

/**
 * What a queue processor does with a job whose write failed. Retried (rethrown) while
 * another attempt may pass; dead-lettered once it cannot: at once when the data itself is
 * refused (isDataError), else on its last attempt. A dead-lettered job is kept in Postgres
 * (dead_letter_jobs, visible and re-drivable in Settings → Failed jobs) and ends with
 * UnrecoverableError so BullMQ stops retrying it. If even the dead-letter write fails
 * (Postgres down), the original error is rethrown and the job retried as before.
 */
export async function retryOrDeadLetter(input: { queue: QueueKey; job: Job; tenantId: string; error: unknown }): Promise<never> {
  const { job, error } = input;
  const attempt = job.attemptsMade + 1;
  const permanent = isDataError(error);
  if (!permanent && attempt < (job.opts.attempts ?? 1)) throw error;
  let id: string;
  try {
    id = await deadLetterJob({ tenantId: input.tenantId, queue: input.queue, jobName: job.name, jobId: job.id ?? null, data: job.data, error, attempts: attempt });
  } catch (deadLetterError) {
    logger.error("could not dead-letter a failed job; it stays queued", { queue: input.queue, job: job.name, id: job.id, error: deadLetterError });
    throw error;
  }
  logger.warn("job dead-lettered", { queue: input.queue, job: job.name, id: job.id, tenantId: input.tenantId, deadLetterId: id, permanent, error });
  throw new UnrecoverableError(`Dead-lettered as ${id}: ${describeWriteError(error)}`);
}

/** The tenant a job's payload names, read without trusting its shape. */
export function tenantOf(data: unknown): string | null {
  const tenantId = (data as { tenantId?: unknown } | null)?.tenantId;
  return typeof tenantId === "string" && tenantId.length > 0 ? tenantId : null;
}

/** Stores a failed job's payload and error for an admin to see and re-drive; returns the row's id. */
export async function deadLetterJob(input: { tenantId: string; queue: QueueKey; jobName: string; jobId: string | null; data: unknown; error: unknown; attempts: number }): Promise<string> {
  const id = newId("dlq");
  let payload: string;
  try {
    // JSON text escapes what the jsonb write refused (NUL, lone surrogates): storable as text.
    payload = JSON.stringify(input.data);
  } catch {
    payload = "";
  }
  await withTenant({ tenantId: input.tenantId }, (tx) =>
    tx.deadLetterJob.create({
      data: {
        id,
        tenantId: input.tenantId,
        queue: input.queue,
        jobName: input.jobName,
        jobId: input.jobId,
        payload,
        payloadBytes: Buffer.byteLength(payload),
        error: describeWriteError(input.error),
        attempts: input.attempts,
      },
    }),
  );
  return id;
}
