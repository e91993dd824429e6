import { UnrecoverableError, type Job } from "bullmq";
import { expireCredentials } from "@/lib/agents/expire-credentials";
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
    default:
      throw new UnrecoverableError(`Unknown maintenance job ${job.name}`);
  }
}
