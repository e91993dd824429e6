import { memberRoute } from "@/lib/http/route";
import { deleteQuota, saveQuota } from "@/lib/quotas/manage-quotas";
import { quotaInput } from "@/lib/quotas/schemas";

export const PUT = memberRoute({ permission: "policies.manage", body: quotaInput }, async ({ member, body, params, requestId }) =>
  saveQuota({ actor: member, quotaId: params.quotaId!, request: body, requestId }),
);

export const DELETE = memberRoute({ permission: "policies.manage" }, async ({ member, params, requestId }) => {
  await deleteQuota({ actor: member, quotaId: params.quotaId!, requestId });
  return { deleted: true };
});
