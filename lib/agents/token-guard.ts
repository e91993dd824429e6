/**
 * Brute-force protection for the token endpoint. Failures are counted per (client id,
 * source address): past a few free failures each one doubles the wait before that pair may
 * try again, up to MAX_BACKOFF_SECONDS. A client id is not secret, so nothing is counted
 * per client alone: failures from one address never lock the real agent out from its own.
 * Each address also has a ceiling across all clients (spraying many client ids). While
 * blocked the endpoint answers 429 before checking anything. Counts are forgotten
 * MEMORY_SECONDS after the last failure.
 */
import { createRedis, redisKey } from "@/lib/redis";
import type { Redis } from "ioredis";

export const MEMORY_SECONDS = 3600;
export const MAX_BACKOFF_SECONDS = 900;
export const LIMITS = { freeFailures: 5, perAddress: 100, auditAfter: 5 } as const;

let redis: Redis | undefined;
const client = () => (redis ??= createRedis({ maxRetriesPerRequest: 2 }));

const keys = (clientId: string, address: string) => ({
  count: redisKey("token-fail", "pair", clientId, address),
  blocked: redisKey("token-fail", "pair-wait", clientId, address),
  address: redisKey("token-fail", "addr", address),
});

/** The wait after the nth failure of a (client, address) pair: 0, then 2, 4, 8 … seconds. */
export function backoffSeconds(failures: number): number {
  const over = failures - LIMITS.freeFailures;
  return over <= 0 ? 0 : Math.min(2 ** over, MAX_BACKOFF_SECONDS);
}

/** Seconds until this client may try again from this address, or 0 when not blocked. */
export async function blockedFor(clientId: string, address: string): Promise<number> {
  const k = keys(clientId, address);
  const replies = (await client().multi().pttl(k.blocked).get(k.address).ttl(k.address).exec()) ?? [];
  const [waitMs, byAddress, addressTtl] = replies.map(([error, value]) => {
    if (error) throw error;
    return Number(value ?? 0);
  });
  const pairWait = waitMs! > 0 ? Math.ceil(waitMs! / 1000) : 0;
  const addressWait = byAddress! >= LIMITS.perAddress ? Math.max(addressTtl!, 1) : 0;
  return Math.max(pairWait, addressWait);
}

/** Counts one failure and starts its backoff; returns the pair's failure count. */
export async function recordFailure(clientId: string, address: string): Promise<number> {
  const k = keys(clientId, address);
  const results = await client()
    .multi()
    .incr(k.count)
    .expire(k.count, MEMORY_SECONDS)
    .incr(k.address)
    .expire(k.address, MEMORY_SECONDS)
    .exec();
  const failures = Number(results?.[0]?.[1] ?? 0);
  const wait = backoffSeconds(failures);
  if (wait > 0) await client().set(k.blocked, "1", "EX", wait);
  return failures;
}
