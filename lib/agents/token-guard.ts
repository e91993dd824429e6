/**
 * Brute-force protection for the token endpoint: failures are counted per client id and
 * per source address in Redis over fixed 5-minute windows. Past the
 * limits the endpoint answers 429 before checking anything. The first burst of failures
 * for a known agent is written to its tenant's audit log.
 */
import { createRedis, redisKey } from "@/lib/redis";
import type { Redis } from "ioredis";

export const WINDOW_SECONDS = 300;
export const LIMITS = { perClient: 20, perAddress: 100, auditAfter: 5 } as const;

let redis: Redis | undefined;
const client = () => (redis ??= createRedis({ maxRetriesPerRequest: 2 }));

const keys = (clientId: string, address: string) => {
  const bucket = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
  return { client: redisKey("token-fail", "client", clientId, String(bucket)), address: redisKey("token-fail", "addr", address, String(bucket)) };
};

/** Seconds until the caller may try again, or 0 when not blocked. */
export async function blockedFor(clientId: string, address: string): Promise<number> {
  const k = keys(clientId, address);
  const [byClient, byAddress] = await client().mget(k.client, k.address);
  if (Number(byClient ?? 0) >= LIMITS.perClient || Number(byAddress ?? 0) >= LIMITS.perAddress) {
    return WINDOW_SECONDS - (Math.floor(Date.now() / 1000) % WINDOW_SECONDS);
  }
  return 0;
}

/** Counts one failure; returns the client's failure count in this window. */
export async function recordFailure(clientId: string, address: string): Promise<number> {
  const k = keys(clientId, address);
  const results = await client()
    .multi()
    .incr(k.client)
    .expire(k.client, WINDOW_SECONDS * 2)
    .incr(k.address)
    .expire(k.address, WINDOW_SECONDS * 2)
    .exec();
  return Number(results?.[0]?.[1] ?? 0);
}
