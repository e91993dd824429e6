import { UnrecoverableError, type Job } from "bullmq";
import { recordDecision } from "@/lib/decisions/record-decision";
import { parsePayload } from "@/lib/queue/registry";

export async function processDecisions(job: Job) {
  if (job.name !== "decision.record") throw new UnrecoverableError(`Unknown decisions job ${job.name}`);
  let record;
  try {
    record = parsePayload("decisions", "decision.record", job.data);
  } catch (error) {
    throw new UnrecoverableError(`Malformed decision record: ${(error as Error).message}`);
  }
  return { result: await recordDecision(record) };
}
