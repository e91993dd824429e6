import { z } from "zod";
import { AppError } from "@/lib/http/errors";
import { memberRoute } from "@/lib/http/route";
import { backtestDraft } from "@/lib/policy/backtest-draft";
import { getPolicy } from "@/lib/policy/manage-policy";
import { rulesSchema } from "@/lib/policy/rules";

export const POST = memberRoute(
  { permission: "console.view", body: z.object({ days: z.number().int().min(1).max(90).default(30), rules: z.array(z.unknown()).optional() }) },
  async ({ member, body }) => {
    const rules = body.rules ?? (await getPolicy({ tenantId: member.tenant.id })).draft;
    const parsed = rulesSchema.safeParse(rules);
    if (!parsed.success) throw new AppError("validation_failed", "The draft has problems; fix them before backtesting.", parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
    return backtestDraft({ tenantId: member.tenant.id, days: body.days, rules: parsed.data });
  },
);
