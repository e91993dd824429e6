import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { RedisNotDurableError, createRedis, ensureRedisDurable } from "./redis";

/** A stand-in for a managed Redis whose CONFIG command is disabled or read-only. */
function withConfig(redis: Redis, config: (...args: string[]) => Promise<unknown>) {
  return new Proxy(redis, { get: (target, prop) => (prop === "config" ? config : Reflect.get(target, prop)) });
}

describe("ensureRedisDurable", () => {
  it("accepts the real server once AOF is on", async () => {
    const redis = createRedis();
    try {
      await ensureRedisDurable(redis, { enable: true });
      expect(await ensureRedisDurable(redis, { enable: false })).toEqual({ changed: false });
      expect(((await redis.config("GET", "appendonly")) as string[])[1]).toBe("yes");
    } finally {
      redis.disconnect();
    }
  });

  it("refuses with a clear message when AOF is off and may not be turned on", async () => {
    const redis = createRedis();
    try {
      const off = withConfig(redis, async (op) => (op === "GET" ? ["appendonly", "no"] : Promise.reject(new Error("ERR CONFIG SET is disabled"))));
      await expect(ensureRedisDurable(off, { enable: true })).rejects.toThrow(RedisNotDurableError);
      await expect(ensureRedisDurable(off, { enable: false })).rejects.toThrow(/appendonly no/);
      const blind = withConfig(redis, async () => Promise.reject(new Error("ERR unknown command 'CONFIG'")));
      await expect(ensureRedisDurable(blind, { enable: true })).rejects.toThrow(/cannot tell whether it persists/);
    } finally {
      redis.disconnect();
    }
  });
});
