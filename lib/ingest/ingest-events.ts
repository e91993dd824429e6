import { Queue, type ConnectionOptions } from "bullmq";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { QUEUES, queuePrefix } from "@/lib/queue/registry";
import { claimEventIds, knownEventIds, logRedisError } from "./dedupe";
import { prepareEvents } from "./prepare-events";
import { tenantRedactionPaths } from "./redaction-settings";
import type { EventsResponse } from "./schemas";
import type { EventBatchJob } from "./timeline-event";

const REDIS_TIMEOUT_MS = 2_000;

const globalIngest = globalThis as unknown as { ghIngestQueue?: Queue; ghIngestBacklog?: { count: number; at: number } };

/**
 * The producer side of the ingest queue. Its connection fails fast (no offline queue):
 * when Redis is unreachable the API answers 503 at once instead of holding requests
 * whose jobs might be added much later.
 */
export function ingestQueue(): Queue {
  if (!globalIngest.ghIngestQueue) {
    globalIngest.ghIngestQueue = new Queue(QUEUES.ingest.name, {
      connection: { url: env().REDIS_URL, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: REDIS_TIMEOUT_MS } as ConnectionOptions,
      prefix: queuePrefix(),
      defaultJobOptions: QUEUES.ingest.defaultJobOptions,
    });
    globalIngest.ghIngestQueue.on("error", logRedisError);
  }
  return globalIngest.ghIngestQueue;
}

export async function closeIngestQueue() {
  await globalIngest.ghIngestQueue?.close();
  globalIngest.ghIngestQueue = undefined;
}

export function within<T>(promise: Promise<T>, ms = REDIS_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

const unavailable = (error: unknown) => {
  logger.warn("ingest: queue unavailable", { error });
  return new AppError("dependency_unavailable", "The event queue is unavailable; nothing was accepted. Retry shortly.", undefined, 5);
};

/** Waiting batches, read at most every 250 ms per process (the check must not cost a round trip per request). */
async function backlog(): Promise<number> {
  const cached = globalIngest.ghIngestBacklog;
  if (cached && Date.now() - cached.at < 250) return cached.count;
  const count = await within(ingestQueue().getWaitingCount());
  globalIngest.ghIngestBacklog = { count, at: Date.now() };
  return count;
}

/**
 * POST /api/v1/events: validate each event, attribute it to the calling agent, redact,
 * queue the batch as one job (202 only once Redis acknowledged the job), then count
 * duplicates. Where duplicates are decided:
 *   - Postgres is the source of truth: run_event_keys' primary key (agent, source, id),
 *     written with ON CONFLICT DO NOTHING by the worker; an event is stored once however
 *     often it arrives.
 *   - Redis answers the 202's `duplicates` without waiting for the worker: ids already
 *     claimed are left out of the job; the rest are queued FIRST and claimed (HSETNX)
 *     only after the job is durable, so an id is never marked as seen unless its event
 *     was queued. Two racing requests with the same id both queue it; one claim wins,
 *     the other reports a duplicate, and Postgres stores it once.
 *   - Redis remembers ids for at least INGEST_DEDUPE_TTL_SECONDS (24 h). A retry after that
 *     is still stored once, but may be reported as accepted.
 */
export async function ingestEvents(input: { agent: AgentPrincipal; events: unknown[]; requestId?: string }): Promise<EventsResponse> {
  const { agent } = input;
  const now = new Date();
  // Which ids were accepted before is asked first, so Redis answers while the batch is
  // validated and redacted (ids of events that turn out invalid are asked about, and ignored).
  const rawIds = input.events.flatMap((e) => (typeof (e as { id?: unknown })?.id === "string" ? [(e as { id: string }).id] : []));
  const knownIds = within(knownEventIds(agent.agentId, rawIds, env().INGEST_DEDUPE_TTL_SECONDS));
  knownIds.catch(() => {}); // awaited below; until then a rejection must not count as unhandled
  const paths = await tenantRedactionPaths(agent.tenantId);
  const prepared = prepareEvents(input.events, { paths, now });
  let duplicates = prepared.duplicates;
  if (prepared.events.length === 0) return { accepted: 0, duplicates, rejected: prepared.rejected };

  let events = prepared.events;
  try {
    const known = await knownIds;
    if (known.size) {
      events = events.filter((e) => !known.has(e.key));
      duplicates += prepared.events.length - events.length;
    }
  } catch (error) {
    throw unavailable(error);
  }
  if (events.length === 0) return { accepted: 0, duplicates, rejected: prepared.rejected };

  let depth: number;
  try {
    depth = await backlog();
  } catch (error) {
    throw unavailable(error);
  }
  if (depth >= env().INGEST_MAX_BACKLOG) {
    throw new AppError("rate_limited", `Ingest is ${depth} batches behind; nothing was accepted. Retry after the delay.`, { backlog: depth }, 2);
  }

  // Not re-validated here (the queue registry's rule for producers): every field comes from
  // prepareEvents' validated output, typed as the job; re-checking cost ~5% of the request.
  // The worker still validates what it takes off the queue.
  const data: EventBatchJob = { tenantId: agent.tenantId, agentId: agent.agentId, receivedAt: now.toISOString(), requestId: input.requestId, events };
  try {
    await within(ingestQueue().add("events.write", data));
  } catch (error) {
    throw unavailable(error);
  }

  let accepted = events.length;
  try {
    const raced = await within(claimEventIds(agent.agentId, events.map((e) => e.key), env().INGEST_DEDUPE_TTL_SECONDS));
    accepted -= raced;
    duplicates += raced;
  } catch (error) {
    // The batch is queued (durable); only the duplicate count may be off.
    logger.warn("ingest: could not record event ids for duplicate counting", { requestId: input.requestId, error });
  }
  return { accepted, duplicates, rejected: prepared.rejected };
}
