import { Badge, type Tone } from "@/components/ui/badge";
import { OUTCOME_LABEL, RISK_LABEL, TIER_LABEL } from "./describe";
import type { ApprovalTier, Outcome, RiskClass, Rule } from "./types";

const RISK_TONE: Record<RiskClass, Tone> = { read: "neutral", write: "brand", delete: "red", money: "red", deploy: "amber", identity: "amber" };

/** The risk class of an operation, coloured by how much harm it can do. */
export function RiskBadge({ risk }: { risk: RiskClass }) {
  return (
    <span title={RISK_LABEL[risk] ?? risk}>
      <Badge tone={RISK_TONE[risk] ?? "neutral"}>{risk}</Badge>
    </span>
  );
}

export function EffectBadge({ effect }: { effect: Rule["effect"] }) {
  return effect === "forbid" ? <Badge tone="red">forbid</Badge> : <Badge tone="green">permit</Badge>;
}

export function ShadowBadge() {
  return (
    <span title="Shadow: evaluated and recorded with each decision, not enforced">
      <Badge tone="amber">shadow</Badge>
    </span>
  );
}

/** How much human approval a grant needs: autonomous is the loudest, since nobody looks. */
export const TIER_TONE: Record<ApprovalTier, Tone> = { autonomous: "red", threshold: "amber", always: "brand", two_person: "green" };

export function TierBadge({ tier }: { tier: ApprovalTier }) {
  return <Badge tone={TIER_TONE[tier]}>{TIER_LABEL[tier].toLowerCase()}</Badge>;
}

const OUTCOME_TONE: Record<Outcome, Tone> = { allow: "green", deny: "red", pending_approval: "amber" };

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return <Badge tone={OUTCOME_TONE[outcome] ?? "neutral"}>{OUTCOME_LABEL[outcome] ?? outcome}</Badge>;
}

/** "deny → allow", each side coloured by its outcome. */
export function TransitionBadge({ transition }: { transition: `${Outcome}->${Outcome}` }) {
  const [before, after] = transition.split("->") as [Outcome, Outcome];
  return (
    <span className="inline-flex items-center gap-1 whitespace-nowrap" data-transition={transition}>
      <OutcomeBadge outcome={before} />
      <span aria-hidden className="text-slate-400">
        →
      </span>
      <OutcomeBadge outcome={after} />
    </span>
  );
}
