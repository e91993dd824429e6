import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

/** A new Redis connection. BullMQ needs `maxRetriesPerRequest: null` on worker connections. */
export function createRedis(options: RedisOptions = {}): Redis {
  return new Redis(env().REDIS_URL, { maxRetriesPerRequest: 3, enableReadyCheck: true, ...options });
}

/** Prefix for every key Gatehouse writes, so test runs and deployments never collide. */
export function redisKey(...parts: string[]): string {
  return [env().REDIS_PREFIX, ...parts].join(":");
}

/**
 * Deletes every key of a private prefix (a test or bench run's), including BullMQ's
 * hash-tagged `{prefix…}` keys and prefixes derived from it (`prefix-durability`).
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  }
  return deleted;
}

export class RedisNotDurableError extends Error {}

/**
 * Queued work is acknowledged to agents, so Redis must persist it. With `enable`, turns
 * AOF on when it is off; refuses (throws) when the server cannot persist.
 */
export async function ensureRedisDurable(redis: Redis, opts: { enable: boolean }): Promise<{ changed: boolean }> {
  let appendonly: string | undefined;
  try {
    const reply = (await redis.config("GET", "appendonly")) as string[];
    appendonly = reply[1];
  } catch {
    throw new RedisNotDurableError(
      "Redis refused CONFIG GET, so Gatehouse cannot tell whether it persists queued work. " +
        "Use a Redis with appendonly yes (AOF) and allow CONFIG GET.",
    );
  }
  if (appendonly === "yes") return { changed: false };
  if (opts.enable) {
    try {
      await redis.config("SET", "appendonly", "yes");
      return { changed: true };
    } catch (error) {
      throw new RedisNotDurableError(
        `Redis has AOF off and refused to turn it on (${(error as Error).message}). ` +
          "Acknowledged agent events could be lost on restart; start Redis with --appendonly yes.",
      );
    }
  }
  throw new RedisNotDurableError(
    "Redis has AOF persistence off (appendonly no): acknowledged work could be lost on restart. " +
      "Start Redis with --appendonly yes, or run `npm run up`, which turns it on.",
  );
}
