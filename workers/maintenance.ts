import { UnrecoverableError, type Job } from "bullmq";
import { expireCredentials } from "@/lib/agents/expire-credentials";
import { sweepApprovals } from "@/lib/approvals/sweep-approvals";
import { recordAuditVerification } from "@/lib/audit/record-verification";
import { parsePayload } from "@/lib/queue/registry";
import { unsafeListTenantIds } from "@/lib/tenancy/unsafe-list-tenant-ids";
import { logger } from "@/lib/logger";

export async function processMaintenance(job: Job) {
  switch (job.name) {
    case "audit.verify-all": {
      parsePayload("maintenance", "audit.verify-all", job.data);
      let broken = 0;
      for (const tenantId of await unsafeListTenantIds()) {
        const result = await recordAuditVerification({ tenantId, trigger: "schedule" });
        if (!result.ok) {
          broken++;
          logger.error("audit chain broken", { tenantId, seq: result.brokenAtSeq?.toString(), problem: result.problem });
        }
      }
      return { broken };
    }
    case "agents.expire-credentials": {
      parsePayload("maintenance", "agents.expire-credentials", job.data);
      let expired = 0;
      for (const tenantId of await unsafeListTenantIds()) expired += await expireCredentials({ tenantId });
      return { expired };
    }
    case "approvals.sweep": {
      parsePayload("maintenance", "approvals.sweep", job.data);
      let expired = 0;
      let escalated = 0;
      for (const tenantId of await unsafeListTenantIds()) {
        const result = await sweepApprovals({ tenantId });
        expired += result.expired.length;
        escalated += result.escalated.length;
      }
      return { expired, escalated };
    }
    default:
      throw new UnrecoverableError(`Unknown maintenance job ${job.name}`);
  }
}
