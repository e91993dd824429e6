import { z } from "zod";
import { memberRoute } from "@/lib/http/route";
import { getReplayState } from "@/lib/runs/get-replay-state";

const query = z.object({ position: z.coerce.number().int().min(0).max(100_000_000) });

export const GET = memberRoute({ permission: "console.view", query }, async ({ member, params, query }) =>
  getReplayState({ tenantId: member.tenant.id, runId: params.runId!, position: query.position }),
);
