import { UnrecoverableError, type Job } from "bullmq";
import { recordDecisions } from "@/lib/decisions/record-decision";
import { recordGatewayEvent } from "@/lib/gateway/record-gateway-event";
import type { GatewayEventJob } from "@/lib/gateway/schemas";
import type { DecisionRecord } from "@/lib/decisions/schemas";
import { retryOrDeadLetter, tenantOf } from "@/lib/queue/dead-letter-job";
import { TenantBatcher } from "@/lib/queue/tenant-batcher";
import { parsePayload } from "@/lib/queue/registry";

/**
 * Decision records of many jobs (the queue's worker concurrency) written together: one
 * transaction per tenant takes the audit chain's lock once for all of them.
 */
const batcher = new TenantBatcher<DecisionRecord>({
  name: "decisions",
  maxSize: 500,
  // A write costs about ten statements whatever its size: at a few hundred decisions/s a
  // 10 ms window wrote two or three records each (about 2 ms of worker CPU per record).
  // Recording a decision 100 ms later costs the agent nothing; it answered already.
  maxWaitMs: 100,
  sizeOf: () => 1,
  tenantOf: (record) => record.tenantId,
  write: recordDecisions,
});

export async function processDecisions(job: Job) {
  if (job.name === "gateway.event") {
    let event;
    try {
      event = parsePayload("decisions", "gateway.event", job.data);
    } catch (error) {
      const tenantId = tenantOf(job.data);
      if (tenantId) return retryOrDeadLetter({ queue: "decisions", job, tenantId, error });
      throw new UnrecoverableError(`Malformed gateway event: ${(error as Error).message}`);
    }
    try {
      return await recordGatewayEvent(event);
    } catch (error) {
      return retryOrDeadLetter({ queue: "decisions", job, tenantId: event.tenantId, error });
    }
  }
  if (job.name !== "decision.records" && job.name !== "decision.record") throw new UnrecoverableError(`Unknown decisions job ${job.name}`);
  let records: DecisionRecord[];
  let gatewayEvents: GatewayEventJob[] = [];
  try {
    if (job.name === "decision.records") ({ records, gatewayEvents } = parsePayload("decisions", "decision.records", job.data));
    else records = [parsePayload("decisions", "decision.record", job.data)];
  } catch (error) {
    const tenantId = tenantOf(job.data);
    if (tenantId) return retryOrDeadLetter({ queue: "decisions", job, tenantId, error });
    throw new UnrecoverableError(`Malformed decision record: ${(error as Error).message}`);
  }
  try {
    // Each record is its own unit of the batcher: a record Postgres refuses is split off
    // from the others of the write (they commit), and only this job is retried.
    await Promise.all(records.map((record) => batcher.add(record)));
    for (const event of gatewayEvents) await recordGatewayEvent(event);
  } catch (error) {
    return retryOrDeadLetter({ queue: "decisions", job, tenantId: records[0]!.tenantId, error });
  }
  return { recorded: records.length };
}
