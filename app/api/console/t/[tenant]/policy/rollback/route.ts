import { z } from "zod";
import { memberRoute } from "@/lib/http/route";
import { rollbackPolicy } from "@/lib/policy/manage-policy";

export const POST = memberRoute({ permission: "policies.manage", body: z.object({ version: z.number().int().positive() }) }, async ({ member, body, requestId }) =>
  rollbackPolicy({ actor: member, version: body.version, requestId }),
);
