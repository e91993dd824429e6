// The shapes of GET /api/console/t/[tenant]/onboarding, declared here because client code
// never imports lib/ services (see eslint.config.mjs). Keep in step with lib/onboarding/*.

export type OnboardingStep = "agent" | "credential" | "tool" | "rule" | "call";

/** lib/onboarding/find-approver-gap.ts */
export type ApproverGap = { deciders: number; blockedAgents: { count: number; sample: { id: string; name: string }[] } };

/** lib/onboarding/build-snippets.ts: never a secret. */
export type Snippet = { id: string; label: string; language: "sh" | "json" | "ts"; code: string; note: string };

/** lib/onboarding/get-onboarding-checklist.ts plus the snippets and the base URL they use. */
export type Onboarding = {
  done: Record<OnboardingStep, boolean>;
  complete: boolean;
  agent: { id: string; name: string; tokenTtlSeconds: number } | null;
  counts: { agents: number; tools: number; connections: number; permitRules: number };
  enforcedTool: { name: string } | null;
  example: { tool: string; operation: string; mcpName: string; executes: boolean } | null;
  /** `runPageId` is the run's console id, once the run is recorded. */
  lastCall: { at: string; tool: string; operation: string; outcome: string; runId: string; runPageId: string | null } | null;
  approverGap: ApproverGap;
  /** The configured public origin; null when PUBLIC_URL (or NEXTAUTH_URL) is not set. */
  baseUrl: string | null;
  snippets: Snippet[];
};
