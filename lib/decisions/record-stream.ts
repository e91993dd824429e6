/**
 * How answered decisions travel to the worker: a Redis Stream, not one BullMQ job each.
 * A job costs the worker two Lua calls (fetch, complete) and Redis 200–260 µs of CPU, and at
 * hundreds of decisions/s each decision was its own job: that capped the worker near 2,000
 * records/s per core (docs/PERFORMANCE.md, issue 15). An entry costs Redis a few µs, and the
 * worker reads hundreds per call.
 *
 * Durable like a queued job: the API answers only after XADD returned, an entry leaves the
 * stream only after its records committed (XACK + XDEL), and the entries of a worker that
 * died are claimed by another after DECISION_RECORDS_CLAIM_MS (XAUTOCLAIM). Writes are
 * idempotent (decisions by id, timeline events by key), so an entry written twice is stored
 * once. An entry Postgres keeps refusing is dead-lettered as a `decision.records` job of the
 * decisions queue, which Settings → Failed jobs re-drives through BullMQ.
 */
import os from "node:os";
import type { Redis } from "ioredis";
import { logger } from "@/lib/logger";
import { deadLetterJob, tenantOf } from "@/lib/queue/dead-letter-job";
import { isDataError } from "@/lib/queue/write-errors";
import { createRedis, redisKey } from "@/lib/redis";
import { decisionRecordsJob, type DecisionRecordsJob } from "./record-job";

const GROUP = "recorders";
/** Entries read per call, and the most one write takes. */
const READ_COUNT = 500;
/** A write waits this long for company once it has something (the agents had their answers). */
const LINGER_MS = 100;
/** A failed write is tried again after this long; after this many deliveries an entry is dead-lettered. */
const RETRY_MS = 1_000;
const MAX_DELIVERIES = 10;
/** The longest a stopping worker waits for the write in hand (what it leaves is claimed by the next worker). */
const STOP_WAIT_MS = 10_000;
/** How often pending entries are looked for (at most; sooner when claimIdleMs is shorter). */
const CLAIM_EVERY_MS = 5_000;

export const recordStreamKey = () => redisKey("decision-records");

let producer: Redis | null = null;

/** Appends record jobs (one entry each) in one round trip; resolves once Redis holds them. */
export async function appendDecisionRecords(jobs: DecisionRecordsJob[]): Promise<void> {
  producer ??= createRedis({ maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  const key = recordStreamKey();
  if (jobs.length === 1) {
    await producer.xadd(key, "*", "job", JSON.stringify(jobs[0]));
    return;
  }
  const results = await jobs.reduce((pipeline, job) => pipeline.xadd(key, "*", "job", JSON.stringify(job)), producer.pipeline()).exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw failed?.[0] ?? new Error("decision records were not appended");
}

export async function closeDecisionRecordProducer() {
  await producer?.quit().catch(() => {});
  producer = null;
}

type Entry = { id: string; raw: string; deliveries: number };

/**
 * The worker's side: reads entries in batches, writes each tenant's records with `write`,
 * then acknowledges and deletes them. Runs until `stop`.
 */
export class DecisionRecordConsumer {
  private readonly redis = createRedis({ maxRetriesPerRequest: null });
  private readonly name = `${os.hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly write: (job: DecisionRecordsJob) => Promise<void>,
    private readonly opts: { claimIdleMs: number },
  ) {}

  start() {
    this.running = this.loop();
  }

  async stop() {
    this.stopping = true;
    // The write in hand finishes; a read blocked on an unreachable Redis must not keep the process up.
    const finished = await Promise.race([this.running?.then(() => true), sleep(STOP_WAIT_MS).then(() => false)]);
    if (finished) {
      // A consumer with nothing pending is forgotten (each process start names a new one).
      const mine = (await this.redis.xpending(recordStreamKey(), GROUP, "-", "+", 1, this.name).catch(() => [null])) as unknown[];
      if (mine.length === 0) await this.redis.xgroup("DELCONSUMER", recordStreamKey(), GROUP, this.name).catch(() => {});
    }
    this.redis.disconnect();
  }

  private async ensureGroup(key: string) {
    await this.redis.xgroup("CREATE", key, GROUP, "0", "MKSTREAM").catch((error: Error) => {
      if (!error.message.includes("BUSYGROUP")) throw error;
    });
  }

  private async loop() {
    const key = recordStreamKey();
    await this.ensureGroup(key).catch((error) => logger.error("decision records: could not create the consumer group yet", { error }));
    let claimAt = 0;
    while (!this.stopping) {
      try {
        // Entries a dead worker (or a failed write of this one) left pending, now and then; else new ones.
        let entries: Entry[] = [];
        if (Date.now() >= claimAt) {
          entries = await this.claim(key);
          if (entries.length === 0) claimAt = Date.now() + Math.min(this.opts.claimIdleMs, CLAIM_EVERY_MS);
        }
        if (entries.length === 0) entries = await this.readNew(key);
        if (entries.length) await this.process(key, entries);
      } catch (error) {
        if (this.stopping) break;
        // NOGROUP: the stream is new, or was deleted (Redis flushed): the group starts again at its first entry.
        if ((error as Error).message?.includes("NOGROUP")) await this.ensureGroup(key).catch(() => {});
        else logger.error("decision records: reading the stream failed; retrying", { error });
        await sleep(RETRY_MS);
      }
    }
  }

  private async claim(key: string): Promise<Entry[]> {
    // Redis 7: [next cursor, claimed entries, ids of entries deleted meanwhile (dropped from the pending list)].
    const [, claimed] = (await this.redis.xautoclaim(key, GROUP, this.name, this.opts.claimIdleMs, "0-0", "COUNT", READ_COUNT)) as [string, [string, string[]][]];
    if (claimed.length === 0) return [];
    // Delivery counts, so an entry that keeps failing is dead-lettered instead of retried forever.
    const pending = (await this.redis.xpending(key, GROUP, claimed[0]![0], claimed.at(-1)![0], claimed.length)) as [string, string, number, number][];
    const deliveries = new Map(pending.map(([id, , , count]) => [id, count]));
    return claimed.map(([id, fields]) => ({ id, raw: fieldOf(fields), deliveries: deliveries.get(id) ?? 1 }));
  }

  /**
   * New entries: waits up to a second for the first, then LINGER_MS for company, and takes
   * what came meanwhile in one more read (reading entry by entry as they trickled in cost a
   * round trip per record at a few hundred decisions/s).
   */
  private async readNew(key: string): Promise<Entry[]> {
    const read = async (count: number, blockMs?: number) => {
      const result = (
        blockMs === undefined
          ? await this.redis.xreadgroup("GROUP", GROUP, this.name, "COUNT", count, "STREAMS", key, ">")
          : await this.redis.xreadgroup("GROUP", GROUP, this.name, "COUNT", count, "BLOCK", blockMs, "STREAMS", key, ">")
      ) as [string, [string, string[]][]][] | null;
      return (result?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, raw: fieldOf(fields), deliveries: 1 }));
    };
    const entries = await read(READ_COUNT, 1_000);
    if (entries.length > 0 && entries.length < READ_COUNT && !this.stopping) {
      await sleep(LINGER_MS);
      entries.push(...(await read(READ_COUNT - entries.length)));
    }
    return entries;
  }

  /**
   * Writes the entries' records per tenant; acknowledges what committed. A tenant's write
   * that fails is retried entry by entry, so one bad entry holds back no other; an entry
   * that still fails stays pending (claimed again after claimIdleMs) until its data is
   * refused or it was delivered MAX_DELIVERIES times, and is then dead-lettered.
   */
  private async process(key: string, entries: Entry[]) {
    const done: string[] = [];
    const byTenant = new Map<string, { entries: Entry[]; jobs: DecisionRecordsJob[] }>();
    for (const entry of entries) {
      const parsed = parseEntry(entry.raw);
      if (!parsed.ok) {
        if (await this.deadLetter(entry, parsed.error)) done.push(entry.id);
        continue;
      }
      const group = byTenant.get(parsed.job.tenantId) ?? { entries: [], jobs: [] };
      group.entries.push(entry);
      group.jobs.push(parsed.job);
      byTenant.set(parsed.job.tenantId, group);
    }
    for (const { entries: group, jobs } of byTenant.values()) {
      try {
        await this.write(merge(jobs));
        done.push(...group.map((e) => e.id));
      } catch (error) {
        logger.warn("decision records: write failed; retrying its entries one by one, and what still fails stays pending", { entries: group.length, error });
        for (const [i, entry] of group.entries()) {
          try {
            if (group.length > 1) await this.write(jobs[i]!);
            else throw error;
            done.push(entry.id);
          } catch (entryError) {
            if ((isDataError(entryError) || entry.deliveries >= MAX_DELIVERIES) && (await this.deadLetter(entry, entryError))) done.push(entry.id);
          }
        }
      }
    }
    if (done.length) await this.redis.pipeline().xack(key, GROUP, ...done).xdel(key, ...done).exec();
    if (done.length < entries.length) await sleep(RETRY_MS); // Postgres is likely down: do not spin
  }

  /** Keeps a failed entry in dead_letter_jobs; false if even that failed (it stays pending). */
  private async deadLetter(entry: Entry, error: unknown): Promise<boolean> {
    let data: unknown = entry.raw;
    try {
      data = JSON.parse(entry.raw);
    } catch {
      // kept as the text it was
    }
    const tenantId = tenantOf(data);
    if (!tenantId) {
      logger.error("decision records: dropping an entry that names no tenant", { id: entry.id, error });
      return true;
    }
    try {
      const id = await deadLetterJob({ tenantId, queue: "decisions", jobName: "decision.records", jobId: entry.id, data, error, attempts: entry.deliveries });
      logger.warn("decision records dead-lettered", { entry: entry.id, tenantId, deadLetterId: id, error });
      return true;
    } catch (deadLetterError) {
      logger.error("could not dead-letter decision records; they stay pending", { entry: entry.id, error: deadLetterError });
      return false;
    }
  }
}

function fieldOf(fields: string[]): string {
  return fields[fields.indexOf("job") + 1] ?? "";
}

function parseEntry(raw: string): { ok: true; job: DecisionRecordsJob } | { ok: false; error: unknown } {
  try {
    return { ok: true, job: decisionRecordsJob.parse(JSON.parse(raw)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** One tenant's jobs as one (one transaction). */
function merge(jobs: DecisionRecordsJob[]): DecisionRecordsJob {
  if (jobs.length === 1) return jobs[0]!;
  return { tenantId: jobs[0]!.tenantId, records: jobs.flatMap((j) => j.records), gatewayEvents: jobs.flatMap((j) => j.gatewayEvents) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
