import { z } from "zod";
import { memberRoute } from "@/lib/http/route";
import { publishPolicy } from "@/lib/policy/manage-policy";

export const POST = memberRoute({ permission: "policies.manage", body: z.object({ note: z.string().trim().max(500).optional() }) }, async ({ member, body, requestId }) =>
  publishPolicy({ actor: member, note: body.note, requestId }),
);
