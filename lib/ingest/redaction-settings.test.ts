import { beforeEach, describe, expect, it, vi } from "vitest";

const reads = vi.hoisted(() => ({ count: 0, fail: false }));
vi.mock("@/lib/db/tenant", () => ({
  withTenant: async () => {
    reads.count++;
    await new Promise((r) => setTimeout(r, 5));
    if (reads.fail) throw new Error("pool timeout");
    return { settings: { redaction: { paths: ["args.card"] } } };
  },
}));

const { forgetRedactionPaths, tenantRedactionPaths } = await import("./redaction-settings");

describe("tenantRedactionPaths", () => {
  beforeEach(() => {
    forgetRedactionPaths();
    reads.count = 0;
    reads.fail = false;
  });

  it("reads the settings once for many concurrent callers (no transaction per request when the entry expires)", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => tenantRedactionPaths("ten_1")));
    expect(reads.count).toBe(1);
    expect(results.every((paths) => paths.length === 1)).toBe(true);
  });

  it("does not cache a failed read", async () => {
    reads.fail = true;
    await expect(tenantRedactionPaths("ten_1")).rejects.toThrow("pool timeout");
    reads.fail = false;
    await expect(tenantRedactionPaths("ten_1")).resolves.toHaveLength(1);
    expect(reads.count).toBe(2);
  });
});
