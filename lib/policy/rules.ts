import { z } from "zod";
import { GROUP_NAME } from "@/lib/approvals/schemas";

/**
 * The allowlist as people author it in the console. Rules compile to Cedar
 * (compile-rules.ts); default deny: an action no enforced permit rule covers is denied.
 */

// Printable text only: rule strings are embedded in Cedar literals.
const text = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\p{Cc}]*$/u, "Control characters are not allowed.");
const argName = text(100);
const scalar = z.union([z.string().max(500), z.number().int(), z.boolean()]);

export const constraintSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("equals"), arg: argName, value: scalar }),
  z.object({ op: z.literal("one_of"), arg: argName, values: z.array(scalar).min(1).max(100) }),
  z.object({ op: z.literal("range"), arg: argName, min: z.number().int(), max: z.number().int() }).refine((c) => c.min <= c.max, "min must not exceed max"),
  z.object({ op: z.literal("max"), arg: argName, value: z.number().int() }),
  z.object({ op: z.literal("pattern"), arg: argName, glob: text(500) }),
  z.object({ op: z.literal("forbidden"), arg: argName }),
]);

const minutes = z.number().int().min(1).max(7 * 24 * 60);
const approverGroup = z.string().trim().regex(GROUP_NAME, "Group names are lower-case letters, digits, - and _ (at most 40).");

/**
 * What a human tier may add (all optional, so rules written before stay as they are):
 * `groups` — approver groups that must ALL sign, each by its own approving member, on top
 * of the tier's count (lib/approvals/group-coverage.ts); `escalateAfterMinutes` +
 * `escalateTo` — a request still unanswered after that long notifies that group.
 */
const humanTier = {
  expiresInMinutes: minutes.default(60),
  groups: z.array(approverGroup).max(10).refine((g) => new Set(g).size === g.length, "Name each group once.").optional(),
  escalateAfterMinutes: minutes.optional(),
  escalateTo: approverGroup.optional(),
};

export const approvalSchema = z
  .discriminatedUnion("tier", [
    z.object({ tier: z.literal("autonomous") }),
    z.object({ tier: z.literal("threshold"), arg: argName, above: z.number().int(), ...humanTier }),
    z.object({ tier: z.literal("always"), ...humanTier }),
    z.object({ tier: z.literal("two_person"), ...humanTier }),
  ])
  .superRefine((a, ctx) => {
    if (a.tier === "autonomous") return;
    if ((a.escalateAfterMinutes === undefined) !== (a.escalateTo === undefined)) {
      ctx.addIssue({ code: "custom", path: [a.escalateTo === undefined ? "escalateTo" : "escalateAfterMinutes"], message: "Escalation needs both a time and a group." });
    }
    if (a.escalateAfterMinutes !== undefined && a.escalateAfterMinutes >= a.expiresInMinutes) {
      ctx.addIssue({ code: "custom", path: ["escalateAfterMinutes"], message: "Escalate before the request expires." });
    }
  });
export type ApprovalTierConfig = z.infer<typeof approvalSchema>;

export const timeWindowSchema = z
  .object({
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7), // 0 = Sunday, UTC
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (UTC)."),
    end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "Use HH:MM (UTC)."),
  })
  .refine((w) => w.start < w.end, "The window must end after it starts (UTC).");

export const ruleSchema = z.object({
  id: z.string().regex(/^r_[0-9a-z]{6,32}$/),
  name: text(120),
  effect: z.enum(["permit", "forbid"]).default("permit"),
  mode: z.enum(["enforce", "shadow"]).default("enforce"),
  /** Who: agent ids and/or agent groups (labels); both empty = every agent of the tenant. */
  agents: z.array(z.string().min(1).max(64)).max(200).default([]),
  groups: z.array(text(40)).max(50).default([]),
  tool: text(100),
  /** Operation names of the tool; ["*"] = all of them. */
  operations: z.array(text(200)).min(1).max(200),
  /** Glob patterns on the action's resource id, e.g. "acme/*" or "#support-*"; empty = any. */
  resources: z.array(text(300)).max(50).default([]),
  constraints: z.array(constraintSchema).max(50).default([]),
  /** Outbound destinations: the host of URL argument `arg` must match one of `hosts` (globs). */
  destinations: z.array(z.object({ arg: argName, hosts: z.array(text(253)).min(1).max(50) })).max(10).default([]),
  timeWindow: timeWindowSchema.nullable().default(null),
  approval: approvalSchema.default({ tier: "autonomous" }),
  /** Advanced: an extra Cedar condition, e.g. `context.args["amount_cents"] % 100 == 0`. */
  cedar: z.string().trim().max(5000).default(""),
});

export type Rule = z.infer<typeof ruleSchema>;
export type RuleInput = z.input<typeof ruleSchema>;

export const rulesSchema = z
  .array(ruleSchema)
  .max(2000)
  .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, "Rule ids must be unique.");

/** Does this rule name the agent, directly or through one of its groups? */
export function ruleAppliesTo(rule: Rule, agent: { id: string; labels: string[] }): boolean {
  if (rule.agents.length === 0 && rule.groups.length === 0) return true;
  return rule.agents.includes(agent.id) || rule.groups.some((g) => agent.labels.includes(g));
}

export function ruleCoversOperation(rule: Rule, tool: string, operation: string): boolean {
  return rule.tool === tool && (rule.operations.includes("*") || rule.operations.includes(operation));
}
