import type { Redis } from "ioredis";
import { logger } from "@/lib/logger";
import { createRedis, redisKey } from "@/lib/redis";

/**
 * The Redis half of duplicate counting (see ingestEvents): one key per accepted event id,
 * hash-tagged per agent so one agent's ids share a Redis Cluster slot (MGET works there).
 * The connection fails fast: no offline queue, one retry.
 */
const globalDedupe = globalThis as unknown as { ghDedupeRedis?: Redis & ClaimCommand };

/**
 * SET NX EX on every key, in one command: a batch of 250 ids as a pipeline of 250 SETs
 * cost the API process more CPU than the rest of the request's Redis work together.
 * Returns how many keys were already set.
 */
const CLAIM = `
local raced = 0
for i = 1, #KEYS do
  if not redis.call("SET", KEYS[i], "1", "EX", ARGV[1], "NX") then raced = raced + 1 end
end
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

export const eventIdKey = (agentId: string, eventId: string) => redisKey("evk", `{${agentId}}`, eventId);

/** The ids among `eventIds` this agent already had accepted (within the TTL). */
export async function knownEventIds(agentId: string, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const redis = await ready();
  const values = await redis.mget(eventIds.map((id) => eventIdKey(agentId, id)));
  return new Set(eventIds.filter((_, i) => values[i] !== null));
}

/** Marks ids as accepted; returns how many were already marked (a concurrent request won). */
export async function claimEventIds(agentId: string, eventIds: string[], ttlSeconds: number): Promise<number> {
  if (eventIds.length === 0) return 0;
  const redis = await ready();
  return Number(await redis.gatehouseClaimEventIds(eventIds.length, ...eventIds.map((id) => eventIdKey(agentId, id)), ttlSeconds));
}

export async function closeDedupeRedis() {
  globalDedupe.ghDedupeRedis?.disconnect();
  globalDedupe.ghDedupeRedis = undefined;
}
