import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { prepareEvents } from "@/lib/ingest/prepare-events";
import { writeEventBatch } from "@/lib/ingest/write-event-batch";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import { createTestAgent, createTestTenant, uniq } from "@/lib/testing/factories";
import { OVER_RANGE_MS, getRunStats, histogramPercentile } from "./get-run-stats";

afterAll(async () => {
  await db().$disconnect();
});

describe("hourly run statistics", () => {
  it("computes percentiles from the latency histogram", () => {
    expect(histogramPercentile([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.5)).toBeNull();
    expect(histogramPercentile([10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.95)).toBe(10);
    expect(histogramPercentile([0, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0], 0.5)).toBe(100);
    expect(histogramPercentile([0, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0], 0.95)).toBe(250);
    expect(histogramPercentile([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 99], 0.5)).toBe(OVER_RANGE_MS);
  });

  it("are maintained by the writer from stored events (duplicates never count) and read per tenant and per agent", async () => {
    const { tenant, owner } = await createTestTenant();
    const a = await createTestAgent(tenant.id, owner.user.id);
    const b = await createTestAgent(tenant.id, owner.user.id);
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000); // last full hour
    const at = (s: number) => new Date(hour.getTime() + s * 1000).toISOString();
    const write = async (agentId: string, raw: object[]) => {
      const { events } = prepareEvents(raw, { paths: [], now: new Date() });
      return withTenant({ tenantId: tenant.id }, (tx) =>
        writeEventBatch(tx, { tenantId: tenant.id, source: "agent", events: events.map((e) => ({ ...e, agentId, receivedAt: new Date().toISOString() })) }),
      );
    };
    const r1 = `run_${uniq()}`;
    const r2 = `run_${uniq()}`;
    const batchA = [
      { id: "1", run_id: r1, type: "run.started", ts: at(0) },
      { id: "2", run_id: r1, type: "model.call", ts: at(1), input_tokens: 10, output_tokens: 5, cost_usd: 0.3 },
      { id: "3", run_id: r1, type: "tool.call", ts: at(2), tool: "t", operation: "o", status: "ok", latency_ms: 80 },
      { id: "4", run_id: r1, type: "tool.call", ts: at(3), tool: "t", operation: "o", status: "error", latency_ms: 400, attempt: 1 },
      { id: "5", run_id: r1, type: "tool.call", ts: at(4), tool: "t", operation: "o", status: "ok", latency_ms: 90, attempt: 2 },
      { id: "6", run_id: r1, type: "run.finished", ts: at(5), outcome: "succeeded" },
    ];
    await write(a.id, batchA);
    await write(a.id, batchA); // a retry of the whole batch: stored once, counted once
    await write(b.id, [
      { id: "1", run_id: r2, type: "run.started", ts: at(10) },
      { id: "2", run_id: r2, type: "model.call", ts: at(11), cost_usd: 0.1 },
      { id: "3", run_id: r2, type: "run.finished", ts: at(12), outcome: "failed" },
    ]);
    await withTenant({ tenantId: tenant.id }, (tx) =>
      recordServerEvents(tx, {
        tenantId: tenant.id,
        events: [
          { agentId: b.id, runExternalId: r2, key: "dec_q", type: "decision", ts: new Date(at(11)), payload: { decision: "deny", reasons: [{ code: "quota_exceeded" }] } },
          { agentId: b.id, runExternalId: r2, key: "dec_p", type: "decision", ts: new Date(at(11)), payload: { decision: "pending_approval" } },
        ],
      }),
    );

    const all = await getRunStats({ tenantId: tenant.id, days: 1 });
    expect(all.unit).toBe("hour");
    expect(all.points).toHaveLength(24);
    const point = all.points.find((p) => p.at === hour.toISOString())!;
    expect(point).toMatchObject({
      runsStarted: 2, runsFinished: 2, completionRate: 0.5, toolCalls: 3, toolFailureRate: 1 / 3, retries: 1,
      toolLatencyP50: 100, toolLatencyP95: 500, escalations: 1, quotaHits: 1, costPerSuccessfulRun: 0.3,
    });
    const onlyB = await getRunStats({ tenantId: tenant.id, agent: b.id, days: 7 });
    expect(onlyB.unit).toBe("day");
    expect(onlyB.points.reduce((n, p) => n + p.runsFinished, 0)).toBe(1);
    expect(onlyB.points.find((p) => p.runsFinished)).toMatchObject({ completionRate: 0, toolCalls: 0, quotaHits: 1, costPerSuccessfulRun: null });
    // Another tenant sees nothing of it.
    const other = await createTestTenant();
    expect((await getRunStats({ tenantId: other.tenant.id, days: 1 })).points.every((p) => p.runsStarted === 0)).toBe(true);
  });
});
