import { describe, expect, it } from "vitest";
import { TenantBatcher } from "./tenant-batcher";

type Job = { tenant: string; n: number };

describe("TenantBatcher", () => {
  it("writes jobs arriving together in one write per tenant, and settles each job after its write", async () => {
    const writes: [string, number[]][] = [];
    const batcher = new TenantBatcher<Job>({ name: "t", maxSize: 100, maxWaitMs: 5, sizeOf: () => 1, tenantOf: (j) => j.tenant, write: async (t, jobs) => void writes.push([t, jobs.map((j) => j.n)]) });
    await Promise.all([batcher.add({ tenant: "a", n: 1 }), batcher.add({ tenant: "b", n: 2 }), batcher.add({ tenant: "a", n: 3 })]);
    expect(writes).toEqual([["a", [1, 3]], ["b", [2]]]);
  });

  it("flushes at maxSize without waiting, and splits a failed batch so one bad job fails alone", async () => {
    const writes: number[][] = [];
    const batcher = new TenantBatcher<Job>({
      name: "t",
      maxSize: 3,
      maxWaitMs: 60_000,
      sizeOf: () => 1,
      tenantOf: (j) => j.tenant,
      write: async (_t, jobs) => {
        writes.push(jobs.map((j) => j.n));
        if (jobs.some((j) => j.n === 2)) throw new Error("bad job");
      },
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add({ tenant: "a", n })));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(writes).toEqual([[1, 2, 3], [1, 2], [1], [2], [3]]);
  });

  it("isolates one bad job among many in a logarithmic number of writes, and stores all the others", async () => {
    const writes: number[][] = [];
    const stored: number[] = [];
    const batcher = new TenantBatcher<Job>({
      name: "t",
      maxSize: 256,
      maxWaitMs: 60_000,
      sizeOf: () => 1,
      tenantOf: (j) => j.tenant,
      write: async (_t, jobs) => {
        writes.push(jobs.map((j) => j.n));
        if (jobs.some((j) => j.n === 137)) throw new Error("bad job");
        stored.push(...jobs.map((j) => j.n));
      },
    });
    const results = await Promise.allSettled(Array.from({ length: 256 }, (_, n) => batcher.add({ tenant: "a", n })));
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect((results[137] as PromiseRejectedResult).reason).toEqual(new Error("bad job"));
    expect(stored.sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, n) => n).filter((n) => n !== 137));
    // 1 combined write + 2 per level of halving (8 levels for 256 jobs); one by one was 257.
    expect(writes.length).toBeLessThanOrEqual(1 + 2 * 8);
  });
});
