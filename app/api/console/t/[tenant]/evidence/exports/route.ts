import { listExports } from "@/lib/evidence/list-exports";
import { requestExport } from "@/lib/evidence/request-export";
import { createExportBody } from "@/lib/evidence/schemas";
import { memberRoute, reply } from "@/lib/http/route";

export const GET = memberRoute({ permission: "exports.create" }, async ({ member }) => ({ exports: await listExports({ tenantId: member.tenant.id }) }));

export const POST = memberRoute({ permission: "exports.create", body: createExportBody }, async ({ member, body, requestId }) => {
  const row = await requestExport({ member, input: body, requestId });
  return reply({ id: row.id, status: row.status }, { status: 202 });
});
