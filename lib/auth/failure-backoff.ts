/**
 * Slows guessing (secrets, passwords) without a lock anyone can trigger. Each rule counts
 * failures under one Redis key; past its free failures, each further failure doubles the
 * wait before that key may try again (2, 4, 8 … s, at most MAX_BACKOFF_SECONDS). While any
 * of a request's keys waits, the caller answers 429 before checking anything, so waiting
 * attempts are neither counted nor an oracle. Counts are forgotten MEMORY_SECONDS after the
 * last failure.
 */
import type { Redis } from "ioredis";
import { createRedis, redisKey } from "@/lib/redis";

export const MEMORY_SECONDS = 3600;
export const MAX_BACKOFF_SECONDS = 900;

/** One thing failures are counted for, e.g. ["pair", clientId, address], free of wait for `free` failures. */
export type BackoffRule = { key: string[]; free: number };

let redis: Redis | undefined;
const client = () => (redis ??= createRedis({ maxRetriesPerRequest: 2 }));

/** The wait after the nth failure of a key with `free` free failures: 0, then 2, 4, 8 … seconds. */
export function backoffSeconds(failures: number, free: number): number {
  const over = failures - free;
  return over <= 0 ? 0 : Math.min(2 ** over, MAX_BACKOFF_SECONDS);
}

const countKey = (scope: string, rule: BackoffRule) => redisKey(scope, "count", ...rule.key);
const waitKey = (scope: string, rule: BackoffRule) => redisKey(scope, "wait", ...rule.key);

/** Seconds until every rule lets the caller try again, or 0. */
export async function waitingFor(scope: string, rules: BackoffRule[]): Promise<number> {
  const pipeline = client().multi();
  for (const rule of rules) pipeline.pttl(waitKey(scope, rule));
  const replies = (await pipeline.exec()) ?? [];
  const longest = Math.max(
    0,
    ...replies.map(([error, ms]) => {
      if (error) throw error;
      return Number(ms);
    }),
  );
  return Math.ceil(longest / 1000);
}

/** Counts one failure under every rule and starts their waits; returns each rule's count, in order. */
export async function countFailure(scope: string, rules: BackoffRule[]): Promise<number[]> {
  const pipeline = client().multi();
  for (const rule of rules) pipeline.incr(countKey(scope, rule)).expire(countKey(scope, rule), MEMORY_SECONDS);
  const replies = (await pipeline.exec()) ?? [];
  const counts = rules.map((_, i) => Number(replies[i * 2]?.[1] ?? 0));
  const waits = client().multi();
  rules.forEach((rule, i) => {
    const wait = backoffSeconds(counts[i]!, rule.free);
    if (wait > 0) waits.set(waitKey(scope, rule), "1", "EX", wait);
  });
  await waits.exec();
  return counts;
}
