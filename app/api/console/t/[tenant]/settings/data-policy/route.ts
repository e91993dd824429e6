import { memberRoute } from "@/lib/http/route";
import { dataPolicyInput } from "@/lib/runs/data-policy";
import { getDataPolicy, updateDataPolicy } from "@/lib/runs/update-data-policy";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => getDataPolicy({ tenantId: member.tenant.id }));

export const PUT = memberRoute({ permission: "settings.manage", body: dataPolicyInput }, async ({ member, body, requestId }) =>
  updateDataPolicy({ actor: member, policy: body, requestId }),
);
