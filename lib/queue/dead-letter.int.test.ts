/**
 * The worker's last line of defence (issue 13 §2): a job whose write Postgres refuses is
 * isolated from the tenant's other jobs, dead-lettered after one attempt (not retried 200
 * times), visible to admins and re-drivable; the tenant's other jobs are stored promptly.
 */
import { createHash } from "node:crypto";
import { Worker, type Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import type { DecisionRecord } from "@/lib/decisions/schemas";
import type { EventBatchJob } from "@/lib/ingest/timeline-event";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { createTestAgent, createTestTenant, uniq } from "@/lib/testing/factories";
import { processDecisions } from "@/workers/decisions";
import { ingestBackoff, processIngest } from "@/workers/ingest";
import { listDeadLetters } from "./list-dead-letters";
import { redriveDeadLetter } from "./redrive-dead-letter";
import { QUEUES, closeQueues, getQueue, queueConnection, queuePrefix } from "./registry";

const workers: Worker[] = [];
const start = (queue: keyof typeof QUEUES, processor: (job: Job) => Promise<unknown>) =>
  workers.push(new Worker(QUEUES[queue].name, processor, { connection: queueConnection(), prefix: queuePrefix(), concurrency: 32, settings: { backoffStrategy: ingestBackoff } }));

beforeAll(() => {
  start("decisions", processDecisions);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await closeQueues();
});

const hash = (s: string) => createHash("sha256").update(s).digest("hex");
const batch = (tenantId: string, agentId: string, run: string, messages: string[]): EventBatchJob => ({
  tenantId,
  agentId,
  receivedAt: new Date().toISOString(),
  events: messages.map((message) => ({ key: `evt_${uniq()}`, run, type: "log", ts: new Date().toISOString(), payload: { level: "info", message }, hash: hash(message) })),
});
const eventCount = async (tenantId: string, run: string) => {
  try {
    return (await listRunEvents({ tenantId, externalId: run, limit: 1000 })).events.length;
  } catch {
    return 0; // the run does not exist yet
  }
};

describe("dead-lettering a job Postgres refuses", () => {
  it("isolates a poison ingest job, dead-letters it after one attempt, stores the tenant's other jobs promptly, and re-drives it sanitized", async () => {
    const { tenant, owner } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, owner.user.id);
    const good = `run_good_${uniq()}`;
    const poisonRun = `run_poison_${uniq()}`;
    // Queued before any ingest worker runs, so the poison job lands in one combined write with the others.
    const queue = getQueue("ingest");
    const jobs = await queue.addBulk([
      ...Array.from({ length: 10 }, (_, i) => ({ name: "events.write", data: batch(tenant.id, agent.id, good, [`good ${i}a`, `good ${i}b`]) })),
      { name: "events.write", data: batch(tenant.id, agent.id, poisonRun, ["fine", "bad\u0000byte"]) },
    ]);
    const poison = jobs.at(-1)!;
    const startedAt = Date.now();
    start("ingest", processIngest);

    await expect.poll(() => eventCount(tenant.id, good), { timeout: 5_000, interval: 50 }).toBe(20);
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    await expect.poll(() => listDeadLetters({ tenantId: tenant.id }), { timeout: 10_000, interval: 100 }).toEqual([
      expect.objectContaining({ queue: "ingest", jobName: "events.write", attempts: 1, redrivable: true, error: expect.stringContaining("22P05") }),
    ]);
    await expect.poll(async () => (await queue.getJob(poison.id!))?.finishedOn, { timeout: 5_000 }).toBeTruthy();
    const failed = await queue.getJob(poison.id!);
    expect(await failed!.getState()).toBe("failed");
    expect(failed!.attemptsMade).toBe(1);
    expect(await eventCount(tenant.id, poisonRun)).toBe(0);

    // While it sits in the dead-letter table, a new run of the tenant is stored at once.
    const later = `run_later_${uniq()}`;
    await queue.add("events.write", batch(tenant.id, agent.id, later, ["after"]));
    await expect.poll(() => eventCount(tenant.id, later), { timeout: 3_000, interval: 50 }).toBe(1);

    // Re-driven by an admin: stored with U+FFFD in place of the NUL, once; audited.
    const [row] = await listDeadLetters({ tenantId: tenant.id });
    await redriveDeadLetter({ actor: owner, id: row!.id });
    await expect.poll(() => eventCount(tenant.id, poisonRun), { timeout: 10_000, interval: 100 }).toBe(2);
    const stored = await listRunEvents({ tenantId: tenant.id, externalId: poisonRun, limit: 10 });
    expect(stored.events.map((e) => (e as { message?: string }).message).sort()).toEqual(["bad\uFFFDbyte", "fine"]);
    await expect(redriveDeadLetter({ actor: owner, id: row!.id })).rejects.toMatchObject({ code: "conflict" });
    expect((await listDeadLetters({ tenantId: tenant.id }))[0]).toMatchObject({ redrivable: false, redrivenAt: expect.any(String) });
    const audit = await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.findFirst({ where: { tenantId: tenant.id, action: "queue.job_redriven", targetId: row!.id } }));
    expect(audit?.actorId).toBe(owner.user.id);

    // Another tenant neither sees nor re-drives it.
    const other = await createTestTenant();
    expect(await listDeadLetters({ tenantId: other.tenant.id })).toEqual([]);
    await expect(redriveDeadLetter({ actor: other.owner, id: row!.id })).rejects.toMatchObject({ code: "not_found" });
  });

  it("dead-letters a decision record Postgres refuses after one attempt, and records the others", async () => {
    const { tenant, owner } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, owner.user.id);
    const record = (runExternalId: string): DecisionRecord => ({
      id: `dec_${uniq()}`, tenantId: tenant.id, agentId: agent.id, agentName: agent.name, runExternalId, tool: "t", operation: "o", resource: null,
      args: { note: runExternalId }, actionHash: hash(runExternalId), outcome: "allow", reasons: [], matchedRules: [], shadow: null, policyVersion: null,
      approvalId: null, quota: [], requestId: null, createdAt: new Date().toISOString(),
    });
    const queue = getQueue("decisions");
    const ok = record(`run_${uniq()}`);
    const [bad] = await queue.addBulk([{ name: "decision.record", data: record("run\u0000x") }, { name: "decision.record", data: ok }]);
    await expect.poll(() => withTenant({ tenantId: tenant.id }, (tx) => tx.decision.count({ where: { id: ok.id } })), { timeout: 5_000 }).toBe(1);
    await expect.poll(() => listDeadLetters({ tenantId: tenant.id }), { timeout: 10_000 }).toEqual([expect.objectContaining({ queue: "decisions", jobName: "decision.record", attempts: 1 })]);
    await expect.poll(async () => (await queue.getJob(bad!.id!))?.attemptsMade, { timeout: 5_000 }).toBe(1);
  });

  it("dead-letters a job whose payload fails its schema instead of retrying it", async () => {
    const { tenant } = await createTestTenant();
    const job = await getQueue("ingest").add("events.write", { tenantId: tenant.id, agentId: "agt_x", receivedAt: "yesterday", events: [] });
    await expect.poll(() => listDeadLetters({ tenantId: tenant.id }), { timeout: 10_000 }).toEqual([
      expect.objectContaining({ queue: "ingest", jobName: "events.write", attempts: 1, error: expect.stringContaining("receivedAt") }),
    ]);
    await expect.poll(async () => (await getQueue("ingest").getJob(job.id!))?.attemptsMade, { timeout: 5_000 }).toBe(1);
  });
});
