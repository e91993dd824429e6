import { Worker } from "bullmq";
import { queueConnection, queuePrefix } from "@/lib/queue/registry";
import { processDecisions, startDecisionRecorder } from "@/workers/decisions";

/**
 * What the worker process runs for decisions, inside a test: the decisions queue's worker
 * and the consumer of the decision record stream.
 */
export function startDecisionsWorker(concurrency = 4) {
  const worker = new Worker("decisions", processDecisions, { connection: queueConnection(), prefix: queuePrefix(), concurrency });
  const recorder = startDecisionRecorder();
  return { close: () => Promise.all([worker.close(), recorder.stop()]) };
}
export type DecisionsWorker = ReturnType<typeof startDecisionsWorker>;
