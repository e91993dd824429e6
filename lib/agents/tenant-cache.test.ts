import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeAuthState } from "@/lib/testing/fake-auth-state";

vi.mock("./auth-state", async () => ({ authState: (await import("@/lib/testing/fake-auth-state")).fakeAuthState }));

const { TenantCache } = await import("./tenant-cache");

const TTL = 30_000;

/** A cache whose loads are counted and finish only when `finish()` is called. */
function cacheWithManualLoads() {
  const loads: { tenantId: string; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  let version = 0;
  const cache = new TenantCache<string>({
    kinds: ["policy"],
    ttlMs: TTL,
    load: (tenantId) => new Promise<string>((resolve, reject) => loads.push({ tenantId, resolve, reject })),
  });
  const finish = async () => {
    const load = loads.shift();
    if (!load) throw new Error("no load in flight");
    load.resolve(`v${++version}`);
    await Promise.resolve();
  };
  return { cache, loads, finish };
}

describe("TenantCache", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    fakeAuthState.reset();
  });
  afterEach(() => vi.useRealTimers());

  it("shares one load among concurrent first requests", async () => {
    const { cache, loads, finish } = cacheWithManualLoads();
    const answers = Promise.all([cache.get("ten_1"), cache.get("ten_1"), cache.get("ten_1")]);
    expect(loads).toHaveLength(1);
    await finish();
    expect(await answers).toEqual(["v1", "v1", "v1"]);
  });

  it("reloads an entry in use in the background before it expires, so no request waits for the clock", async () => {
    const { cache, loads, finish } = cacheWithManualLoads();
    const first = cache.get("ten_1");
    await finish();
    await first;
    // Requests keep coming; past half the lifetime the refresher starts a reload.
    for (let t = 0; t < 20; t++) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await cache.get("ten_1")).toBe("v1");
    }
    expect(loads).toHaveLength(1);
    await finish();
    // The entry never expired: answers come from memory, now with the reloaded value.
    await vi.advanceTimersByTimeAsync(15_000);
    let waited = false;
    const answer = cache.get("ten_1").then((v) => ((waited = loads.length > 0), v));
    expect(await answer).toBe("v2");
    expect(waited).toBe(false);
  });

  it("makes a request wait once an entry is past its lifetime (a refresh that failed does not stretch it)", async () => {
    const { cache, loads, finish } = cacheWithManualLoads();
    const first = cache.get("ten_1");
    await finish();
    await first;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(loads).toHaveLength(1); // the background reload, which fails
    loads.shift()!.reject(new Error("postgres down"));
    await vi.advanceTimersByTimeAsync(11_000);
    const late = cache.get("ten_1");
    expect(loads).toHaveLength(1); // the request asked for a load and waits for it
    await finish();
    expect(await late).toBe("v2");
  });

  it("waits for a reload after an invalidation", async () => {
    const { cache, loads, finish } = cacheWithManualLoads();
    const first = cache.get("ten_1");
    await finish();
    await first;
    await cache.invalidate("ten_1");
    const after = cache.get("ten_1");
    expect(loads).toHaveLength(1);
    await finish();
    expect(await after).toBe("v2");
  });

  it("never answers a request after an invalidation with a load that began before it", async () => {
    const { cache, loads, finish } = cacheWithManualLoads();
    const first = cache.get("ten_1");
    await finish();
    await first;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(loads).toHaveLength(1); // a background reload is in flight
    await cache.invalidate("ten_1");
    const after = cache.get("ten_1");
    expect(loads).toHaveLength(2); // its own load, not the one in flight
    await finish(); // the old reload ends first (v2): not this request's answer, and not cached
    await finish();
    expect(await after).toBe("v3");
    expect(await cache.get("ten_1")).toBe("v3");
  });

  it("stops keeping fresh a tenant nobody asks for", async () => {
    const { cache, loads, finish } = cacheWithManualLoads();
    const first = cache.get("ten_1");
    await finish();
    await first;
    // Background reloads continue for a while after the last request, then stop.
    for (let i = 0; i < 60 && loads.length < 1; i++) await vi.advanceTimersByTimeAsync(TTL / 3);
    let reloads = 0;
    for (let i = 0; i < 200; i++) {
      await vi.advanceTimersByTimeAsync(TTL / 3);
      while (loads.length) {
        reloads++;
        await finish();
      }
    }
    expect(reloads).toBeGreaterThan(0);
    expect(reloads).toBeLessThan(40); // 10 minutes of refreshing at most, not 200 × 10 s
    const later = cache.get("ten_1");
    expect(loads).toHaveLength(1); // dropped: the next request loads
    await finish();
    await later;
  });
});
