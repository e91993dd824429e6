import { UnrecoverableError, type Job } from "bullmq";
import { recordDecisions } from "@/lib/decisions/record-decision";
import { recordGatewayEvent } from "@/lib/gateway/record-gateway-event";
import type { GatewayEventJob } from "@/lib/gateway/schemas";
import type { DecisionRecord } from "@/lib/decisions/schemas";
import { retryOrDeadLetter, tenantOf } from "@/lib/queue/dead-letter-job";
import { TenantBatcher } from "@/lib/queue/tenant-batcher";
import { QUEUES, parsePayload } from "@/lib/queue/registry";

/**
 * The records of many jobs (the queue's worker concurrency) written together: one
 * transaction per tenant takes the audit chain's lock once for all of them. A write costs
 * about ten statements whatever its size, so it waits up to 100 ms for company (at a few
 * hundred decisions/s a 10 ms window wrote two or three records: ~2 ms of worker CPU each);
 * the agent had its answer already. It goes sooner once every job the worker may hold is
 * in it, since no more can arrive.
 */
const batcher = new TenantBatcher<{ tenantId: string; records: DecisionRecord[] }>({
  name: "decisions",
  maxSize: 500,
  maxWaitMs: 100,
  maxJobs: QUEUES.decisions.worker.concurrency,
  sizeOf: (job) => job.records.length,
  tenantOf: (job) => job.tenantId,
  write: (tenantId, jobs) => recordDecisions(tenantId, jobs.flatMap((job) => job.records)),
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
    // A job Postgres refuses is split off from the others of the write (they commit).
    await batcher.add({ tenantId: records[0]!.tenantId, records });
    for (const event of gatewayEvents) await recordGatewayEvent(event);
  } catch (error) {
    return retryOrDeadLetter({ queue: "decisions", job, tenantId: records[0]!.tenantId, error });
  }
  return { recorded: records.length };
}
