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

describe("credential expiry job", () => {
  it("revokes credentials past their expiry and audits it", async () => {
    const { createTestAgent, createTestCredential } = await import("@/lib/testing/factories");
    const { withTenant } = await import("@/lib/db/tenant");
    const { tenant, owner } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, owner.user.id);
    const due = await createTestCredential(tenant.id, agent.id);
    const later = await createTestCredential(tenant.id, agent.id);
    await withTenant({ tenantId: tenant.id }, async (tx) => {
      await tx.agentCredential.update({ where: { id: due.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await tx.agentCredential.update({ where: { id: later.id }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    });
    const job = { name: "agents.expire-credentials", data: { requestedAt: new Date().toISOString() } } as Parameters<typeof processMaintenance>[0];
    expect(((await processMaintenance(job)) as { expired: number }).expired).toBeGreaterThanOrEqual(1);
    const [dueAfter, laterAfter, audit] = await withTenant({ tenantId: tenant.id }, (tx) =>
      Promise.all([
        tx.agentCredential.findUnique({ where: { id: due.id } }),
        tx.agentCredential.findUnique({ where: { id: later.id } }),
        tx.auditEntry.findFirst({ where: { tenantId: tenant.id, action: "agent.credential_expired" } }),
      ]),
    );
    expect(dueAfter).toMatchObject({ revokedReason: "expired" });
    expect(dueAfter!.revokedAt).not.toBeNull();
    expect(laterAfter!.revokedAt).toBeNull();
    expect(audit?.after).toMatchObject({ credentialId: due.id });
  });
});
