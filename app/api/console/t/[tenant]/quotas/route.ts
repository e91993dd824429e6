import { memberRoute, reply } from "@/lib/http/route";
import { getQuotaUsage } from "@/lib/quotas/get-usage";
import { saveQuota } from "@/lib/quotas/manage-quotas";
import { quotaInput } from "@/lib/quotas/schemas";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => getQuotaUsage({ tenantId: member.tenant.id }));

export const POST = memberRoute({ permission: "policies.manage", body: quotaInput }, async ({ member, body, requestId }) =>
  reply(await saveQuota({ actor: member, request: body, requestId }), { status: 201 }),
);
