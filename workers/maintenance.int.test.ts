import { QueueEvents, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { latestAuditVerifications } from "@/lib/audit/record-verification";
import { closeQueues, enqueue, queueConnection, queuePrefix } from "@/lib/queue/registry";
import { createTestTenant } from "@/lib/testing/factories";
import { processMaintenance } from "./maintenance";

afterAll(async () => {
  await closeQueues();
});

describe("maintenance queue", () => {
  it("refuses to enqueue a payload that does not match the registry", async () => {
    // @ts-expect-error deliberately wrong payload
    await expect(enqueue("maintenance", "audit.verify-all", { requestedAt: 42 })).rejects.toThrow();
  });

  it("verifies every tenant's audit chain through a real worker", async () => {
    const { tenant } = await createTestTenant();
    const worker = new Worker("maintenance", processMaintenance, { connection: queueConnection(), prefix: queuePrefix() });
    const events = new QueueEvents("maintenance", { connection: queueConnection(), prefix: queuePrefix() });
    try {
      await events.waitUntilReady();
      const job = await enqueue("maintenance", "audit.verify-all", { requestedAt: new Date().toISOString() });
      const result = (await job.waitUntilFinished(events, 15_000)) as { broken: number };
      expect(typeof result.broken).toBe("number"); // other test files break chains on purpose
      const [latest] = await latestAuditVerifications({ tenantId: tenant.id, take: 1 });
      expect(latest).toMatchObject({ ok: true, trigger: "schedule", checked: 1 });
    } finally {
      await worker.close();
      await events.close();
    }
  });
});
