import { afterAll, describe, expect, it } from "vitest";
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

async function until(condition: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("redaction paths held in memory", () => {
  it("apply a change in Settings at once here, and tell every other process over the invalidation channel", async () => {
    const { tenant, owner } = await createTestTenant();
    expect(await tenantRedactionPaths(tenant.id)).toEqual([]);
    await until(() => authState.isLive, "the invalidation channel to come up");
    expect(await tenantRedactionPaths(tenant.id)).toEqual([]); // now cached

    // Another process's view of the channel.
    const listener = createRedis({ maxRetriesPerRequest: null });
    const heard: unknown[] = [];
    listener.on("message", (_channel, message: string) => heard.push(JSON.parse(message)));
    await listener.subscribe(redisKey("auth-invalidate"));
    try {
      await updateDataPolicy({ actor: owner, policy: { retention: { payloadDays: 90, metadataDays: 365 }, redaction: { paths: ["args.card.number"] } } });
      expect(await tenantRedactionPaths(tenant.id)).toHaveLength(1); // no lifetime to wait out
      await until(() => heard.some((m) => JSON.stringify(m) === JSON.stringify({ kind: "settings", id: tenant.id })), "the settings invalidation on the channel");
    } finally {
      listener.disconnect();
    }
  });
});
