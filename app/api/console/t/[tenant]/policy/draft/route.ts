import { z } from "zod";
import { memberRoute } from "@/lib/http/route";
import { saveDraft } from "@/lib/policy/manage-policy";

// The draft is stored as typed, problems and all, so nobody loses work; problems come back.
export const PUT = memberRoute({ permission: "policies.manage", body: z.object({ rules: z.array(z.unknown()).max(2000) }) }, async ({ member, body }) =>
  saveDraft({ actor: member, rules: body.rules }),
);
