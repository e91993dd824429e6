import { UnrecoverableError, type Job } from "bullmq";
import { env } from "@/lib/env";
import { recordDecisions } from "@/lib/decisions/record-decision";
import type { DecisionRecordsJob } from "@/lib/decisions/record-job";
import { DecisionRecordConsumer } from "@/lib/decisions/record-stream";
import { recordGatewayEvent, recordGatewayEvents } from "@/lib/gateway/record-gateway-event";
import { settleGatewaySpend } from "@/lib/gateway/spend";
import { retryOrDeadLetter, tenantOf } from "@/lib/queue/dead-letter-job";
import { parsePayload } from "@/lib/queue/registry";

/** A tenant's decision records and the gateway calls they allowed; each written once however often this runs. */
export async function writeDecisionRecords(job: DecisionRecordsJob) {
  if (job.records.length) await recordDecisions(job.tenantId, job.records);
  if (job.gatewayEvents.length) {
    await recordGatewayEvents(job.tenantId, job.gatewayEvents);
    // After the results are stored: a redelivered record settles nothing twice (a marker per call).
    await settleGatewaySpend(job.tenantId, job.gatewayEvents);
  }
}

/** Reads answered decisions off their stream and writes them in batches (lib/decisions/record-stream.ts). */
export function startDecisionRecorder(): DecisionRecordConsumer {
  const consumer = new DecisionRecordConsumer(writeDecisionRecords, { claimIdleMs: env().DECISION_RECORDS_CLAIM_MS });
  consumer.start();
  return consumer;
}

/**
 * The decisions queue: attested gateway results, and decision records that come through
 * BullMQ rather than the stream (re-driven from Settings → Failed jobs, or queued by a
 * version before the stream).
 */
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
  let records: DecisionRecordsJob;
  try {
    if (job.name === "decision.records") records = parsePayload("decisions", "decision.records", job.data);
    else {
      const record = parsePayload("decisions", "decision.record", job.data);
      records = { tenantId: record.tenantId, records: [record], gatewayEvents: [] };
    }
  } catch (error) {
    const tenantId = tenantOf(job.data);
    if (tenantId) return retryOrDeadLetter({ queue: "decisions", job, tenantId, error });
    throw new UnrecoverableError(`Malformed decision record: ${(error as Error).message}`);
  }
  try {
    await writeDecisionRecords(records);
  } catch (error) {
    return retryOrDeadLetter({ queue: "decisions", job, tenantId: records.tenantId, error });
  }
  return { recorded: records.records.length };
}
