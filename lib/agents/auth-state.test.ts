import { afterAll, expect, test, vi } from "vitest";

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/db/tenant", () => ({
  withTenant: async (_scope: unknown, fn: (tx: unknown) => Promise<unknown>) => {
    loads.count++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return fn({
      agent: { findUnique: async () => ({ tenantId: "ten_1", name: "bot", labels: [], status: "active", tokensValidAfter: null, credentials: [] }) },
      killSwitch: { count: async () => 0 },
    });
  },
}));

const { authState } = await import("./auth-state");
afterAll(() => authState.close());

test("concurrent requests for one agent share one load while nothing is cached (start, reconnect)", async () => {
  const states = await Promise.all(Array.from({ length: 50 }, () => authState.get("ten_1", "agt_1")));
  expect(loads.count).toBe(1);
  expect(new Set(states).size).toBe(1);
  expect(states[0]).toMatchObject({ tenantId: "ten_1", agentId: "agt_1", status: "active" });
});

test("a request after an invalidation does not share a load that began before it", async () => {
  loads.count = 0;
  const before = authState.get("ten_1", "agt_2");
  await authState.publish({ kind: "agent", id: "agt_2" });
  const after = authState.get("ten_1", "agt_2");
  await Promise.all([before, after]);
  expect(loads.count).toBe(2);
});

test("a tenant invalidation drops that tenant's loads in flight", async () => {
  loads.count = 0;
  const before = authState.get("ten_1", "agt_3");
  await authState.publish({ kind: "tenant", id: "ten_1" });
  const after = authState.get("ten_1", "agt_3");
  await Promise.all([before, after]);
  expect(loads.count).toBe(2);
});
