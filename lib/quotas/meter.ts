/**
 * The counters behind quotas, in Redis. Checking every limit that applies to a call and
 * reserving against all of them is one Lua script, so it is atomic: concurrent calls can
 * never take a counter past its limit, and a call refused by one limit reserves nothing.
 */
import type { Redis } from "ioredis";
import { createRedis } from "@/lib/redis";

/**
 * How a counter is checked:
 *   count  — add `amount` on reserve; refused when use + amount would exceed the limit.
 *   budget — spend and tokens, known only after the call and settled from ingest:
 *            refused once use has reached the limit.
 *   clock  — wall-clock seconds since the counter's first use (the run's start).
 */
export type CounterMode = "count" | "budget" | "clock";

export type CounterCheck = {
  key: string;
  mode: CounterMode;
  amount: number;
  limit: number;
  expireAtMs: number;
  /** A one-off extension granted by a human (pause-and-ask): counted, never refused. */
  forced: boolean;
};

export type CounterReading = { used: number; refused: boolean };

// KEYS[i]: counter i. ARGV[1]: now (ms); ARGV[2]: "1" to reserve, "0" to only look;
// then five per counter: mode, amount, limit, expire_at_ms, forced.
// Returns { refused_any, used_1, refused_1, used_2, refused_2, ... } (numbers as strings:
// Lua would truncate floats).
const RESERVE = `
local now = tonumber(ARGV[1])
local commit = ARGV[2] == "1"
local used, refused, any = {}, {}, 0
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 5
  local mode, amount, limit, forced = ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), ARGV[b + 5] == "1"
  local current
  local over
  if mode == "clock" then
    redis.call("SET", KEYS[i], ARGV[1], "NX")
    redis.call("PEXPIREAT", KEYS[i], ARGV[b + 4])
    current = (now - tonumber(redis.call("GET", KEYS[i]))) / 1000
    over = current > limit
  else
    current = tonumber(redis.call("GET", KEYS[i]) or "0")
    if mode == "count" then over = current + amount > limit else over = current >= limit end
  end
  used[i] = current
  refused[i] = 0
  if over and not forced then refused[i] = 1; any = 1 end
end
if commit and any == 0 then
  for i = 1, #KEYS do
    local b = 2 + (i - 1) * 5
    if ARGV[b + 1] == "count" then
      used[i] = tonumber(redis.call("INCRBYFLOAT", KEYS[i], ARGV[b + 2]))
      redis.call("PEXPIREAT", KEYS[i], ARGV[b + 4])
    end
  end
end
local out = { tostring(any) }
for i = 1, #KEYS do
  out[#out + 1] = tostring(used[i])
  out[#out + 1] = tostring(refused[i])
end
return out
`;

// KEYS[1]: the settled-marker of one reported event; KEYS[2..]: counters.
// ARGV[1]: the marker's lifetime (ms); then two per counter: amount, expire_at_ms.
// Settles once per event however often it is delivered. Returns the new totals, or {} when already settled.
const SETTLE = `
if not redis.call("SET", KEYS[1], "1", "NX", "PX", ARGV[1]) then return {} end
local out = {}
for i = 2, #KEYS do
  local b = 2 + (i - 2) * 2
  out[#out + 1] = redis.call("INCRBYFLOAT", KEYS[i], ARGV[b])
  redis.call("PEXPIREAT", KEYS[i], ARGV[b + 1])
end
return out
`;

type MeterCommands = {
  gatehouseQuotaReserve(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
  gatehouseQuotaSettle(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
};

export class QuotaMeter {
  private readonly redis: Redis & MeterCommands;

  constructor(redis: Redis) {
    redis.defineCommand("gatehouseQuotaReserve", { lua: RESERVE });
    redis.defineCommand("gatehouseQuotaSettle", { lua: SETTLE });
    this.redis = redis as Redis & MeterCommands;
  }

  /** Checks every counter and, with `commit` and none refused, reserves against all of them. */
  async check<C extends CounterCheck>(counters: C[], opts: { now: Date; commit: boolean }): Promise<(C & CounterReading)[]> {
    if (counters.length === 0) return [];
    const args: (string | number)[] = [opts.now.getTime(), opts.commit ? "1" : "0"];
    for (const c of counters) args.push(c.mode, c.amount, c.limit, c.expireAtMs, c.forced ? "1" : "0");
    const reply = await this.redis.gatehouseQuotaReserve(counters.length, ...counters.map((c) => c.key), ...args);
    return counters.map((c, i) => ({ ...c, used: Number(reply[1 + i * 2]), refused: reply[2 + i * 2] === "1" }));
  }

  /** Adds reported usage once per `marker`; returns the new totals, or null when already settled. */
  async settle(marker: string, counters: { key: string; amount: number; expireAtMs: number }[]): Promise<number[] | null> {
    if (counters.length === 0) return [];
    const args: (string | number)[] = [SETTLED_MARKER_TTL_MS];
    for (const c of counters) args.push(c.amount, c.expireAtMs);
    const reply = await this.redis.gatehouseQuotaSettle(counters.length + 1, marker, ...counters.map((c) => c.key), ...args);
    return reply.length === 0 ? null : reply.map(Number);
  }

  /** Current use of counters (missing = 0), for the Usage page. */
  async read(keys: string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    return (await this.redis.mget(...keys)).map((v) => Number(v ?? 0));
  }

  /** True the first time for `key` (alerts fire once per counter and window). */
  async once(key: string, expireAtMs: number): Promise<boolean> {
    return (await this.redis.set(key, "1", "PXAT", expireAtMs, "NX")) === "OK";
  }

  async close() {
    this.redis.disconnect();
  }
}

/** Ingest redeliveries arrive within hours; two days covers the longest retry. */
const SETTLED_MARKER_TTL_MS = 2 * 86_400_000;

/**
 * Its own connection: commands time out quickly, so when Redis is unreachable the decision
 * API fails closed within a second instead of hanging (lib/quotas/reserve-quotas.ts).
 */
export function createQuotaMeter(): QuotaMeter {
  return new QuotaMeter(createRedis({ maxRetriesPerRequest: 1, commandTimeout: 1_000 }));
}

const globalMeter = globalThis as unknown as { gatehouseQuotaMeter?: QuotaMeter };
export function quotaMeter(): QuotaMeter {
  return (globalMeter.gatehouseQuotaMeter ??= createQuotaMeter());
}
