import { auditQuery, listAuditEntries } from "@/lib/audit/list-audit-entries";
import { memberRoute } from "@/lib/http/route";

export const GET = memberRoute({ permission: "audit.view", query: auditQuery }, async ({ member, query }) =>
  listAuditEntries({ tenantId: member.tenant.id, query }),
);
