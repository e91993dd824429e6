/**
 * The one registry of queues, their jobs and payload schemas. Producers validate with
 * `enqueue`; workers validate again before processing (never trust a payload's shape).
 */
import { Queue, type ConnectionOptions, type JobsOptions, type WorkerOptions } from "bullmq";
import { z } from "zod";
import { env } from "@/lib/env";
import { eventBatchJob } from "@/lib/ingest/timeline-event";
import { decisionRecordsJob } from "@/lib/decisions/record-job";
import { decisionRecord } from "@/lib/decisions/schemas";
import { gatewayEventJob } from "@/lib/gateway/schemas";

/** Besides these queues, answered decisions travel on one Redis Stream: lib/decisions/record-stream.ts. */
export const QUEUES = {
  decisions: {
    name: "decisions",
    jobs: {
      // Decision records re-driven from Settings → Failed jobs. Answered decisions travel on
      // a Redis Stream instead (lib/decisions/record-stream.ts: a job each cost too much).
      "decision.records": decisionRecordsJob,
      // One decision, as versions before the stream queued it (drained on upgrade).
      "decision.record": decisionRecord,
      // One attested gateway call or result, as versions before the stream queued it.
      "gateway.event": gatewayEventJob,
    },
    defaultJobOptions: { attempts: 10, backoff: { type: "exponential", delay: 1_000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    worker: { concurrency: 16 },
  },
  maintenance: {
    name: "maintenance",
    jobs: {
      // Re-computes every tenant's audit chain and records the result (Audit page).
      "audit.verify-all": z.object({ requestedAt: z.iso.datetime() }),
      // Marks credentials whose expiry (or rotation overlap) has passed as revoked.
      "agents.expire-credentials": z.object({ requestedAt: z.iso.datetime() }),
      // Every minute: expires pending approvals past their expiry, escalates unanswered ones,
      // re-dispatches notification deliveries whose dispatch was lost.
      "approvals.sweep": z.object({ requestedAt: z.iso.datetime() }),
    },
    defaultJobOptions: { attempts: 3, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: 100, removeOnFail: 500 },
  },
  ingest: {
    name: "ingest",
    jobs: {
      // One accepted POST /api/v1/events batch (validated, redacted); the worker stores it once.
      "events.write": eventBatchJob,
      // Creates the coming days' run_events partitions.
      "runs.ensure-partitions": z.object({ requestedAt: z.iso.datetime() }),
      // Enforces each tenant's retention (payloads N days, metadata M days; drops old days).
      "runs.retention": z.object({ requestedAt: z.iso.datetime() }),
    },
    // Acknowledged events must never be dropped: retry for hours (capped backoff, see
    // workers/ingest.ts), survive many worker crashes, and keep what still fails. A job whose
    // data Postgres refuses is not retried: it goes to dead_letter_jobs (lib/queue/dead-letter-job.ts).
    defaultJobOptions: { attempts: 200, backoff: { type: "capped" }, removeOnComplete: true, removeOnFail: false },
    worker: { concurrency: 64, lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 1_000 },
  },
  notifications: {
    name: "notifications",
    jobs: {
      // One webhook delivery (notification_deliveries row): signed POST, 5 s timeout.
      "notification.deliver": z.object({ tenantId: z.string().min(1), deliveryId: z.string().min(1) }),
    },
    // 6 attempts, 2 s, 4 s, 8 s, 16 s, 32 s apart; every attempt is recorded on the row.
    defaultJobOptions: { attempts: 6, backoff: { type: "exponential", delay: 2_000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    worker: { concurrency: 8 },
  },
  evidence: {
    name: "evidence",
    jobs: {
      // One evidence export (lib/evidence/run-export.ts): streams, signs and packs a bundle.
      "evidence.export": z.object({ tenantId: z.string().min(1), exportId: z.string().min(1) }),
      // Seals every tenant's next signed digest over its run events and decisions (hourly).
      "evidence.seal-digests": z.object({ requestedAt: z.iso.datetime() }),
    },
    // An export that failed is reported on the export (the user asks again); a second attempt
    // only covers a worker that died mid-export (the job stalls and is handed out again).
    defaultJobOptions: { attempts: 2, backoff: { type: "fixed", delay: 5_000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    worker: { concurrency: 2, lockDuration: 60_000 },
  },
} as const satisfies Record<string, QueueDefinition>;

/** Worker options a queue overrides (concurrency, locks); workers/index.ts applies them. */
export type QueueDefinition = {
  name: string;
  jobs: Record<string, z.ZodType>;
  defaultJobOptions: JobsOptions;
  worker?: Partial<Pick<WorkerOptions, "concurrency" | "lockDuration" | "stalledInterval" | "maxStalledCount">>;
};

export type QueueKey = keyof typeof QUEUES;
export type JobName<Q extends QueueKey> = keyof (typeof QUEUES)[Q]["jobs"] & string;
export type JobPayload<Q extends QueueKey, J extends JobName<Q>> = z.infer<(typeof QUEUES)[Q]["jobs"][J]>;

export function queueConnection(): ConnectionOptions {
  return { url: env().REDIS_URL, maxRetriesPerRequest: null } as ConnectionOptions;
}

/** BullMQ key prefix: hash-tagged so a queue's keys share one Redis Cluster slot. */
export function queuePrefix(): string {
  return `{${env().REDIS_PREFIX}:bull}`;
}

const queues = new Map<QueueKey, Queue>();

export function getQueue(key: QueueKey): Queue {
  let queue = queues.get(key);
  if (!queue) {
    queue = new Queue(QUEUES[key].name, {
      connection: queueConnection(),
      prefix: queuePrefix(),
      defaultJobOptions: QUEUES[key].defaultJobOptions,
    });
    queues.set(key, queue);
  }
  return queue;
}

export function parsePayload<Q extends QueueKey, J extends JobName<Q>>(queue: Q, job: J, data: unknown): JobPayload<Q, J> {
  const schema = (QUEUES[queue].jobs as Record<string, z.ZodType>)[job];
  if (!schema) throw new Error(`Unknown job ${queue}/${job}`);
  return schema.parse(data) as JobPayload<Q, J>;
}

/** Validates and enqueues. `jobId` should be deterministic where a job must not run twice. */
export async function enqueue<Q extends QueueKey, J extends JobName<Q>>(
  queue: Q,
  job: J,
  payload: JobPayload<Q, J>,
  options: JobsOptions = {},
) {
  const data = parsePayload(queue, job, payload);
  return getQueue(queue).add(job, data, options);
}

export async function closeQueues() {
  await Promise.all([...queues.values()].map((q) => q.close()));
  queues.clear();
}
