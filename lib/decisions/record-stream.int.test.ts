/**
 * The decision record stream's consumer (issue 15): writes what it reads and removes it
 * from the stream; an entry Postgres refuses is dead-lettered (re-drivable through the
 * decisions queue) without holding back the others; entries a dead consumer left pending
 * are taken over.
 */
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { listDeadLetters } from "@/lib/queue/list-dead-letters";
import { redriveDeadLetter } from "@/lib/queue/redrive-dead-letter";
import { closeQueues } from "@/lib/queue/registry";
import { createRedis } from "@/lib/redis";
import { startDecisionsWorker } from "@/lib/testing/decisions-worker";
import { createTestAgent, createTestTenant, uniq } from "@/lib/testing/factories";
import { appendDecisionRecords, closeDecisionRecordProducer, recordStreamKey } from "./record-stream";
import { decisionRecord } from "@/lib/testing/decision-record";

// A stream (and queues) of this file's own, so only the consumers started here read it.
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX}-record-stream`;
process.env.DECISION_RECORDS_CLAIM_MS = "500";

const redis = createRedis();
afterAll(async () => {
  await redis.del(recordStreamKey());
  redis.disconnect();
  await closeDecisionRecordProducer();
  await closeQueues();
});

const hash = (s: string) => createHash("sha256").update(s).digest("hex");
const recordOf = (tenantId: string, agent: { id: string; name: string }, runExternalId: string) =>
  decisionRecord({ tenantId, agentId: agent.id, agentName: agent.name, runExternalId, args: { note: runExternalId }, actionHash: hash(runExternalId) });
const stored = (tenantId: string, ids: string[]) => withTenant({ tenantId }, (tx) => tx.decision.count({ where: { id: { in: ids } } }));

describe("the decision record stream", () => {
  it("records every entry once, dead-letters the one Postgres refuses without holding back the others, and empties the stream", async () => {
    const { tenant, owner } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, owner.user.id);
    const good = Array.from({ length: 5 }, () => recordOf(tenant.id, agent, `run_${uniq()}`));
    const bad = recordOf(tenant.id, agent, "run\u0000x");
    // Queued before a consumer runs, so the bad entry is read and written together with the good ones.
    await appendDecisionRecords([...good.slice(0, 2), bad, ...good.slice(2)].map((r) => ({ tenantId: tenant.id, records: [r], gatewayEvents: [] })));
    const worker = startDecisionsWorker();
    try {
      await expect.poll(() => stored(tenant.id, good.map((r) => r.id)), { timeout: 10_000 }).toBe(5);
      await expect.poll(() => listDeadLetters({ tenantId: tenant.id }), { timeout: 10_000 }).toEqual([
        expect.objectContaining({ queue: "decisions", jobName: "decision.records", redrivable: true, error: expect.stringContaining("22P05") }),
      ]);
      await expect.poll(() => redis.xlen(recordStreamKey()), { timeout: 5_000 }).toBe(0);

      // Re-driven by an admin through the decisions queue: stored (sanitized) once.
      const [row] = await listDeadLetters({ tenantId: tenant.id });
      await redriveDeadLetter({ actor: owner, id: row!.id });
      await expect.poll(() => stored(tenant.id, [bad.id]), { timeout: 10_000 }).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it("takes over what a consumer that died had read but not acknowledged", async () => {
    const { tenant, owner } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, owner.user.id);
    const record = recordOf(tenant.id, agent, `run_${uniq()}`);
    await appendDecisionRecords([{ tenantId: tenant.id, records: [record], gatewayEvents: [] }]);
    // A consumer reads it and dies before writing: the entry stays pending under its name.
    await redis.xgroup("CREATE", recordStreamKey(), "recorders", "0", "MKSTREAM").catch(() => {});
    const read = (await redis.xreadgroup("GROUP", "recorders", "dead-consumer", "COUNT", 100, "STREAMS", recordStreamKey(), ">")) as [string, unknown[]][];
    expect(read[0]![1]).toHaveLength(1);
    const worker = startDecisionsWorker();
    try {
      await expect.poll(() => stored(tenant.id, [record.id]), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => redis.xlen(recordStreamKey()), { timeout: 5_000 }).toBe(0);
    } finally {
      await worker.close();
    }
  });
});
