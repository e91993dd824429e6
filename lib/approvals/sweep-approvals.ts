import { logger } from "@/lib/logger";
import { redispatchStaleDeliveries } from "@/lib/notifications/redispatch-deliveries";
import { escalateDueApprovals } from "./escalate-approvals";
import { expireDueApprovals } from "./expire-approvals";

/**
 * The worker's every-minute sweep for one tenant: expire pending approvals past their
 * expiry (so the queue and long polls see it without anyone reading first), escalate
 * unanswered ones, and re-dispatch webhook deliveries whose dispatch was lost.
 */
export async function sweepApprovals(input: { tenantId: string; now?: Date }) {
  const expired = await expireDueApprovals({ tenantId: input.tenantId, now: input.now });
  const escalated = await escalateDueApprovals({ tenantId: input.tenantId, now: input.now });
  const redispatched = await redispatchStaleDeliveries({ tenantId: input.tenantId, now: input.now });
  if (expired.length || escalated.length || redispatched) logger.info("approvals sweep", { tenantId: input.tenantId, expired: expired.length, escalated: escalated.length, redispatched });
  return { expired, escalated, redispatched };
}
