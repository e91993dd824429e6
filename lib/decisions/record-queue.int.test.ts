/**
 * Group commit of decision records (issue 15): what arrives while a write to the record
 * stream is under way goes in the next write, one entry per tenant; a failed write fails
 * exactly the decisions it carried, and the next ones are queued again.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createRedis } from "@/lib/redis";
import { queueDecisionRecord } from "./record-queue";
import { closeDecisionRecordProducer, recordStreamKey } from "./record-stream";
import type { DecisionRecord } from "./schemas";
import { decisionRecord } from "@/lib/testing/decision-record";

// A stream of this file's own: no other file's worker reads (and deletes) these entries.
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX}-record-queue`;

const redis = createRedis();
afterAll(async () => {
  await redis.del(recordStreamKey());
  redis.disconnect();
  await closeDecisionRecordProducer();
});

const record = (tenantId: string) => decisionRecord({ tenantId });

/** The stream's entries since `after`, as (tenant, record ids). */
async function entriesAfter(after: string) {
  const entries = await redis.xrange(recordStreamKey(), after === "-" ? "-" : `(${after}`, "+");
  return entries.map(([, fields]) => {
    const job = JSON.parse(fields[1]!) as { tenantId: string; records: DecisionRecord[] };
    return { tenantId: job.tenantId, ids: job.records.map((r) => r.id) };
  });
}
const lastId = async () => (await redis.xrevrange(recordStreamKey(), "+", "-", "COUNT", 1))[0]?.[0] ?? "-";

describe("queueDecisionRecord", () => {
  it("sends the first record at once and the ones answered meanwhile together, one entry per tenant", async () => {
    const after = await lastId();
    const [a1, a2, a3, b1] = [record("ten_a"), record("ten_a"), record("ten_a"), record("ten_b")];
    await Promise.all([a1, a2, a3, b1].map((r) => queueDecisionRecord(r)));
    expect(await entriesAfter(after)).toEqual([
      { tenantId: "ten_a", ids: [a1.id] },
      { tenantId: "ten_a", ids: [a2.id, a3.id] },
      { tenantId: "ten_b", ids: [b1.id] },
    ]);
  });

  it("fails exactly the decisions of a write Redis refused, and queues later ones", async () => {
    const after = await lastId();
    const write = vi.spyOn(Redis.prototype, "xadd").mockRejectedValueOnce(new Error("Connection is closed."));
    try {
      const [first, second] = [record("ten_a"), record("ten_a")];
      const outcomes = await Promise.allSettled([queueDecisionRecord(first), queueDecisionRecord(second)]);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "fulfilled"]);
      expect(await entriesAfter(after)).toEqual([{ tenantId: "ten_a", ids: [second.id] }]);
    } finally {
      write.mockRestore();
    }
  });
});
