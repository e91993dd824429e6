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

test.each([
  { invalidation: { kind: "agent", id: "agt_2" }, agentId: "agt_2" },
  { invalidation: { kind: "tenant", id: "ten_1" }, agentId: "agt_3" },
] as const)("a request after a $invalidation.kind invalidation does not share a load that began before it", async ({ invalidation, agentId }) => {
  loads.count = 0;
  const before = authState.get("ten_1", agentId);
  await authState.publish(invalidation);
  const after = authState.get("ten_1", agentId);
  await Promise.all([before, after]);
  expect(loads.count).toBe(2);
});
