import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "@/lib/redis";
import { uniq } from "@/lib/testing/factories";
import { claimEventIds, closeDedupeRedis, eventIdHashes, knownEventIds } from "./dedupe";

const TTL = 3600;
const HOUR = TTL * 1000;

describe("event id dedupe in Redis", () => {
  const redis = createRedis();
  afterAll(async () => {
    redis.disconnect();
    await closeDedupeRedis();
  });

  it("remembers claimed ids for at least the TTL and forgets them after two periods", async () => {
    const agent = `agt_${uniq()}`;
    const start = Math.floor(Date.now() / HOUR) * HOUR + 10; // early in a period
    expect(await claimEventIds(agent, ["a", "b"], TTL, start)).toBe(0);
    expect(await claimEventIds(agent, ["b", "c"], TTL, start + 1)).toBe(1); // b raced

    // Late in the next period (almost two TTLs later): still known, and not claimable again.
    const next = start + 2 * HOUR - 20;
    expect([...(await knownEventIds(agent, ["a", "b", "c", "d"], TTL, next))].sort()).toEqual(["a", "b", "c"]);
    expect(await claimEventIds(agent, ["a", "d"], TTL, next)).toBe(1);

    // Two periods on, the first period's ids are forgotten; the second's are not.
    const later = start + 2 * HOUR;
    expect([...(await knownEventIds(agent, ["a", "b", "d"], TTL, later))]).toEqual(["d"]);
  });

  it("keeps each agent's ids apart and lets each period's hash expire when the next period ends", async () => {
    const [one, two] = [`agt_${uniq()}`, `agt_${uniq()}`];
    const now = Date.now();
    await claimEventIds(one, ["x"], TTL, now);
    expect((await knownEventIds(two, ["x"], TTL, now)).size).toBe(0);
    expect(await claimEventIds(two, ["x"], TTL, now)).toBe(0);

    const { current, expireAt } = eventIdHashes(one, TTL, now);
    expect(await redis.expiretime(current)).toBe(expireAt);
    expect(expireAt * 1000 - now).toBeGreaterThan(HOUR);
    expect(expireAt * 1000 - now).toBeLessThanOrEqual(2 * HOUR);
  });
});
