import { beforeEach, expect, test, vi } from "vitest";

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/db/tenant", () => ({
  withTenant: async () => {
    loads.count++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { settings: { redaction: { paths: ["args.card.number"] } } };
  },
}));

const { forgetRedactionPaths, tenantRedactionPaths } = await import("./redaction-settings");

beforeEach(() => {
  forgetRedactionPaths();
  loads.count = 0;
});

test("concurrent requests for an expired entry share one load (the pool ran dry under load)", async () => {
  const results = await Promise.all(Array.from({ length: 50 }, () => tenantRedactionPaths("ten_1")));
  expect(loads.count).toBe(1);
  expect(new Set(results).size).toBe(1);
  expect(results[0]).toHaveLength(1);
  await tenantRedactionPaths("ten_1");
  expect(loads.count).toBe(1);
});
