import { beforeEach, describe, expect, it, vi } from "vitest";

const reads = vi.hoisted(() => ({ count: 0, fail: false, paths: ["args.card"] as unknown }));
vi.mock("@/lib/db/tenant", () => ({
  withTenant: async () => {
    reads.count++;
    await new Promise((r) => setTimeout(r, 5));
    if (reads.fail) throw new Error("pool timeout");
    return { settings: { redaction: { paths: reads.paths } } };
  },
}));
vi.mock("@/lib/agents/auth-state", async () => ({ authState: (await import("@/lib/testing/fake-auth-state")).fakeAuthState }));

const { forgetRedactionPaths, tenantRedactionPaths } = await import("./redaction-settings");

describe("tenantRedactionPaths", () => {
  let tenant = 0;
  const tenantId = () => `ten_${tenant}`;
  beforeEach(() => {
    tenant++;
    reads.count = 0;
    reads.fail = false;
    reads.paths = ["args.card"];
  });

  it("reads the settings once for many concurrent callers (no transaction per request when the entry expires)", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => tenantRedactionPaths(tenantId())));
    expect(reads.count).toBe(1);
    expect(results.every((paths) => paths.length === 1)).toBe(true);
  });

  it("does not cache a failed read", async () => {
    reads.fail = true;
    await expect(tenantRedactionPaths(tenantId())).rejects.toThrow("pool timeout");
    reads.fail = false;
    await expect(tenantRedactionPaths(tenantId())).resolves.toHaveLength(1);
    expect(reads.count).toBe(2);
  });

  it("applies a change at once after its invalidation, and ignores malformed settings", async () => {
    expect(await tenantRedactionPaths(tenantId())).toHaveLength(1);
    reads.paths = ["args.card", "output.email"];
    expect(await tenantRedactionPaths(tenantId())).toHaveLength(1); // cached
    await forgetRedactionPaths(tenantId());
    expect(await tenantRedactionPaths(tenantId())).toHaveLength(2);
    reads.paths = "not a list";
    await forgetRedactionPaths(tenantId());
    expect(await tenantRedactionPaths(tenantId())).toEqual([]);
  });
});
