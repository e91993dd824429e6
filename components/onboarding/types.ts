// The console's onboarding shapes, as the route answers them (components/api.ts derives them
// from the route module, so they cannot drift from lib/onboarding/*).
import type { ConsoleAnswer } from "@/components/api";

/** GET /api/console/t/[tenant]/onboarding (lib/onboarding/get-onboarding-checklist.ts), with the snippets and the base URL they use. */
export type Onboarding = ConsoleAnswer<"GET", "/t/[tenant]/onboarding">;

export type OnboardingStep = keyof Onboarding["done"];

/** lib/onboarding/find-approver-gap.ts */
export type ApproverGap = Onboarding["approverGap"];

/** lib/onboarding/build-snippets.ts: never a secret. */
export type Snippet = Onboarding["snippets"][number];
