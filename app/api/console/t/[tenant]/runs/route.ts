import { memberRoute } from "@/lib/http/route";
import { listRuns, runsQuery } from "@/lib/runs/list-runs";

export const GET = memberRoute({ permission: "console.view", query: runsQuery }, async ({ member, query }) =>
  listRuns({ tenantId: member.tenant.id, query }),
);
