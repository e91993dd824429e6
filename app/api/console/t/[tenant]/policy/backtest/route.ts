import { z } from "zod";
import { AppError } from "@/lib/errors";
import { memberRoute } from "@/lib/http/route";
import { backtestDraft } from "@/lib/policy/backtest-draft";
import { getPolicy } from "@/lib/policy/manage-policy";
import { validateRules } from "@/lib/policy/validate-rules";
import { withTenant } from "@/lib/db/tenant";

export const POST = memberRoute(
  { permission: "console.view", body: z.object({ days: z.number().int().min(1).max(90).default(30), rules: z.array(z.unknown()).optional() }) },
  async ({ member, body }) => {
    const tenantId = member.tenant.id;
    const rules = body.rules ?? (await getPolicy({ tenantId })).draft;
    // Cedar must accept the draft too (raw conditions), or evaluation would fail half-way.
    const { rules: valid, problems } = await withTenant({ tenantId }, (tx) => validateRules(tx, tenantId, rules));
    if (problems.length) throw new AppError("validation_failed", "The draft has problems; fix them before backtesting.", problems);
    return backtestDraft({ tenantId, days: body.days, rules: valid });
  },
);
