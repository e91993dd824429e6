import { db } from "@/lib/db/client";
import { createRedis } from "@/lib/redis";
import type { Redis } from "ioredis";

type Check = { ok: boolean; latency_ms?: number; error?: string };

async function timed(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split("\n")[0] };
  }
}

let redis: Redis | undefined;

export async function checkHealth() {
  redis ??= createRedis({ maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  const [postgres, redisCheck] = await Promise.all([
    timed(() => db().$queryRaw`SELECT 1`),
    timed(async () => {
      if (redis!.status === "wait" || redis!.status === "end") await redis!.connect();
      return redis!.ping();
    }),
  ]);
  return {
    status: postgres.ok && redisCheck.ok ? ("ok" as const) : ("degraded" as const),
    checks: { postgres, redis: redisCheck },
    time: new Date().toISOString(),
  };
}
