import { memberRoute } from "@/lib/http/route";
import { getOnboardingChecklist } from "@/lib/onboarding/get-onboarding-checklist";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => getOnboardingChecklist({ tenantId: member.tenant.id }));
