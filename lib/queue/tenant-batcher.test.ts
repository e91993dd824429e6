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

  it("flushes at maxSize without waiting, and retries a failed batch job by job so one bad job fails alone", async () => {
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
    expect(writes).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
