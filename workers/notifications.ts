import { UnrecoverableError, type Job } from "bullmq";
import { deliverNotification } from "@/lib/notifications/deliver-notification";
import { parsePayload } from "@/lib/queue/registry";

export async function processNotifications(job: Job) {
  switch (job.name) {
    case "notification.deliver": {
      const { tenantId, deliveryId } = parsePayload("notifications", "notification.deliver", job.data);
      const outcome = await deliverNotification({ tenantId, deliveryId, maxAttempts: job.opts.attempts ?? 1 });
      // Thrown so BullMQ retries with the queue's exponential backoff; the row already says why.
      if (outcome.result === "retry") throw new Error(`delivery attempt ${outcome.attempts} failed: ${outcome.error}`);
      if (outcome.result === "failed") throw new UnrecoverableError(`delivery failed after ${outcome.attempts} attempts: ${outcome.error}`);
      return outcome;
    }
    default:
      throw new UnrecoverableError(`Unknown notifications job ${job.name}`);
  }
}
