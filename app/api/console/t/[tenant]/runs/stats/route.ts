import { memberRoute } from "@/lib/http/route";
import { getRunStats, runStatsQuery } from "@/lib/runs/get-run-stats";

export const GET = memberRoute({ permission: "console.view", query: runStatsQuery }, async ({ member, query }) =>
  getRunStats({ tenantId: member.tenant.id, agent: query.agent, days: query.days }),
);
