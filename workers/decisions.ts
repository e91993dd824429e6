import { UnrecoverableError, type Job } from "bullmq";
import { recordDecisions } from "@/lib/decisions/record-decision";
import { recordGatewayEvent } from "@/lib/gateway/record-gateway-event";
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
  maxSize: 200,
  maxWaitMs: 10,
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
  if (job.name !== "decision.record") throw new UnrecoverableError(`Unknown decisions job ${job.name}`);
  let record;
  try {
    record = parsePayload("decisions", "decision.record", job.data);
  } catch (error) {
    const tenantId = tenantOf(job.data);
    if (tenantId) return retryOrDeadLetter({ queue: "decisions", job, tenantId, error });
    throw new UnrecoverableError(`Malformed decision record: ${(error as Error).message}`);
  }
  try {
    await batcher.add(record);
  } catch (error) {
    return retryOrDeadLetter({ queue: "decisions", job, tenantId: record.tenantId, error });
  }
  return { recorded: true };
}
