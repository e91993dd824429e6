import { afterAll, describe, expect, it, vi } from "vitest";
import { authState } from "@/lib/agents/auth-state";
import { db } from "@/lib/db/client";
import { createRedis, redisKey } from "@/lib/redis";
import { updateDataPolicy } from "@/lib/runs/update-data-policy";
import { createTestTenant } from "@/lib/testing/factories";
import { tenantRedactionPaths } from "./redaction-settings";

afterAll(async () => {
  await authState.close();
  await db().$disconnect();
});

describe("redaction paths held in memory", () => {
  it("apply a change in Settings at once here, and tell every other process over the invalidation channel", async () => {
    const { tenant, owner } = await createTestTenant();
    expect(await tenantRedactionPaths(tenant.id)).toEqual([]);
    await vi.waitFor(() => expect(authState.isLive).toBe(true), { timeout: 5000, interval: 5 });
    expect(await tenantRedactionPaths(tenant.id)).toEqual([]); // now cached

    // Another process's view of the channel.
    const listener = createRedis({ maxRetriesPerRequest: null });
    const heard: unknown[] = [];
    listener.on("message", (_channel, message: string) => heard.push(JSON.parse(message)));
    await listener.subscribe(redisKey("auth-invalidate"));
    try {
      await updateDataPolicy({ actor: owner, policy: { retention: { payloadDays: 90, metadataDays: 365 }, redaction: { paths: ["args.card.number"] } } });
      expect(await tenantRedactionPaths(tenant.id)).toHaveLength(1); // no lifetime to wait out
      await vi.waitFor(() => expect(heard).toContainEqual({ kind: "settings", id: tenant.id }), { timeout: 5000, interval: 5 });
    } finally {
      listener.disconnect();
    }
  });
});
