/**
 * Group commit of decision records (issue 15): what arrives while a write is under way goes
 * in the next write, one `decision.records` job per tenant; a failed write fails exactly the
 * decisions it carried, and the next ones are queued again.
 */
import { Queue, type Job } from "bullmq";
import { afterAll, describe, expect, it, vi } from "vitest";
import { newId } from "@/lib/ids";
import { closeQueues, getQueue } from "@/lib/queue/registry";
import { queueDecisionRecord } from "./record-queue";
import type { DecisionRecordsJob } from "./record-job";
import type { DecisionRecord } from "./schemas";

// The jobs name tenants that do not exist: take them out before another file's worker tries them.
const queued: string[] = [];
afterAll(async () => {
  await Promise.all(queued.map(async (id) => (await getQueue("decisions").getJob(id))?.remove()));
  await closeQueues();
});

const record = (tenantId: string): DecisionRecord => ({
  id: queued[queued.push(newId("dec")) - 1]!,
  tenantId,
  agentId: "agt_1",
  agentName: "bot",
  runExternalId: "run_1",
  tool: "stripe",
  operation: "refunds.create",
  resource: null,
  args: {},
  actionHash: "0".repeat(64),
  outcome: "allow",
  reasons: [],
  matchedRules: [],
  shadow: null,
  policyVersion: 1,
  approvalId: null,
  quota: [],
  requestId: null,
  createdAt: new Date().toISOString(),
});

describe("queueDecisionRecord", () => {
  it("sends the first record at once and the ones answered meanwhile together, one job per tenant", async () => {
    const add = vi.spyOn(Queue.prototype, "add");
    const addBulk = vi.spyOn(Queue.prototype, "addBulk");
    try {
      const [a1, a2, a3, b1] = [record("ten_a"), record("ten_a"), record("ten_a"), record("ten_b")];
      await Promise.all([a1, a2, a3, b1].map((r) => queueDecisionRecord(r)));
      const ids = (data: unknown) => (data as DecisionRecordsJob).records.map((r) => r.id);
      // The first goes alone, as a plain add (no MULTI); the three answered meanwhile go in one MULTI.
      expect(add.mock.calls.map(([name, data]) => ({ name, ids: ids(data) }))).toEqual([{ name: "decision.records", ids: [a1.id] }]);
      expect(addBulk.mock.calls.map(([jobs]) => jobs.map((job) => ({ name: job.name, ids: ids(job.data) })))).toEqual([
        [
          { name: "decision.records", ids: [a2.id, a3.id] },
          { name: "decision.records", ids: [b1.id] },
        ],
      ]);
      expect(add.mock.invocationCallOrder[0]).toBeLessThan(addBulk.mock.invocationCallOrder[0]!);
      const job = (await getQueue("decisions").getJob(a2.id)) as Job;
      expect(job.data).toEqual({ tenantId: "ten_a", records: [a2, a3], gatewayEvents: [] });
    } finally {
      add.mockRestore();
      addBulk.mockRestore();
    }
  });

  it("fails exactly the decisions of a write Redis refused, and queues later ones", async () => {
    const write = vi.spyOn(Queue.prototype, "add").mockRejectedValueOnce(new Error("Connection is closed."));
    try {
      const [first, second] = [record("ten_a"), record("ten_a")];
      const outcomes = await Promise.allSettled([queueDecisionRecord(first), queueDecisionRecord(second)]);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "fulfilled"]);
      expect(await getQueue("decisions").getJob(first.id)).toBeUndefined();
      expect(await getQueue("decisions").getJob(second.id)).toBeDefined();
    } finally {
      write.mockRestore();
    }
  });
});
