import type { Redis } from "ioredis";
import { logger } from "@/lib/logger";
import { createRedis, redisKey } from "@/lib/redis";

/**
 * The Redis half of duplicate counting (see ingestEvents): accepted event ids as fields of
 * one hash per agent per TTL-long period, hash-tagged per agent so an agent's hashes share
 * a Redis Cluster slot. An id is known while it is in the current or the previous period's
 * hash, so it is remembered for at least the TTL (and at most twice it). A hash field costs
 * Redis under half of what a key with its own expiry (SET NX EX) did, which was half of
 * Redis's CPU under sustained ingest.
 * The connection fails fast: no offline queue, one retry.
 */
const globalDedupe = globalThis as unknown as { ghDedupeRedis?: Redis & ClaimCommand };

/**
 * Claims every id (ARGV[2..]) in the current hash (KEYS[1]) unless the previous one
 * (KEYS[2]) has it, in one command: a pipeline of 250 commands cost the API process more
 * CPU than the rest of the request's Redis work together. The current hash expires when
 * the next period ends (ARGV[1]). Returns how many ids were already claimed.
 */
const CLAIM = `
local raced = 0
for i = 2, #ARGV do
  if redis.call("HEXISTS", KEYS[2], ARGV[i]) == 1 or redis.call("HSETNX", KEYS[1], ARGV[i], "1") == 0 then raced = raced + 1 end
end
redis.call("EXPIREAT", KEYS[1], ARGV[1])
return raced`;

type ClaimCommand = { gatehouseClaimEventIds(numKeys: number, ...args: (string | number)[]): Promise<number> };

let lastLogged = 0;
/** Connection errors are answered with 503 per request; log them at most every 10 s. */
export function logRedisError(error: unknown) {
  if (Date.now() - lastLogged < 10_000) return;
  lastLogged = Date.now();
  logger.warn("ingest: Redis connection error", { error });
}

function client(): Redis & ClaimCommand {
  if (!globalDedupe.ghDedupeRedis) {
    const redis = createRedis({ enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
    redis.on("error", logRedisError);
    redis.defineCommand("gatehouseClaimEventIds", { lua: CLAIM });
    globalDedupe.ghDedupeRedis = redis as Redis & ClaimCommand;
  }
  return globalDedupe.ghDedupeRedis;
}

/** The fail-fast Redis connection of the ingest path, once connected (throws after 2 s). */
export async function ready(): Promise<Redis & ClaimCommand> {
  const redis = client();
  if (redis.status === "ready") return redis;
  if (redis.status === "wait") await redis.connect().catch(() => {});
  if ((redis.status as string) !== "ready") {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Redis is not connected")), 2_000);
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return redis;
}

/** The hashes of an agent's ids for the current and the previous period, and when the current one expires (unix seconds). */
export function eventIdHashes(agentId: string, ttlSeconds: number, nowMs = Date.now()) {
  const period = Math.floor(nowMs / 1000 / ttlSeconds);
  return {
    current: redisKey("evh", `{${agentId}}`, String(period)),
    previous: redisKey("evh", `{${agentId}}`, String(period - 1)),
    expireAt: (period + 2) * ttlSeconds,
  };
}

/**
 * The ids among `eventIds` this agent already had accepted (within the TTL). Sent at once
 * when connected, so the round trip overlaps whatever the caller does until it awaits.
 */
export async function knownEventIds(agentId: string, eventIds: string[], ttlSeconds: number, nowMs = Date.now()): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const { current, previous } = eventIdHashes(agentId, ttlSeconds, nowMs);
  const lookUp = (redis: Redis) => redis.pipeline().hmget(current, ...eventIds).hmget(previous, ...eventIds).exec();
  const connected = client();
  type Reply = [Error | null, (string | null)[]];
  const replies = (await (connected.status === "ready" ? lookUp(connected) : ready().then(lookUp))) as [Reply, Reply];
  const [[currentError, inCurrent], [previousError, inPrevious]] = replies;
  if (currentError ?? previousError) throw currentError ?? previousError;
  return new Set(eventIds.filter((_, i) => inCurrent[i] !== null || inPrevious[i] !== null));
}

/** Marks ids as accepted; returns how many were already marked (a concurrent request won). */
export async function claimEventIds(agentId: string, eventIds: string[], ttlSeconds: number, nowMs = Date.now()): Promise<number> {
  if (eventIds.length === 0) return 0;
  const redis = await ready();
  const { current, previous, expireAt } = eventIdHashes(agentId, ttlSeconds, nowMs);
  return Number(await redis.gatehouseClaimEventIds(2, current, previous, expireAt, ...eventIds));
}

export async function closeDedupeRedis() {
  globalDedupe.ghDedupeRedis?.disconnect();
  globalDedupe.ghDedupeRedis = undefined;
}
