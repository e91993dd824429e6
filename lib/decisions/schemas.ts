import { z } from "zod";

export const decisionRequest = z
  .object({
    run_id: z.string().min(1).max(128),
    tool: z.string().min(1).max(100),
    operation: z.string().min(1).max(200),
    resource: z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(500) }).optional(),
    args: z.record(z.string(), z.unknown()).default({}),
    context: z.record(z.string(), z.unknown()).optional(),
    approval_id: z.string().min(1).max(64).optional(),
  })
  .meta({ id: "DecisionRequest" });

const quotaState = z.object({ name: z.string(), limit: z.number(), remaining: z.number(), resets_at: z.string().nullable() });

const reason = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });

export const decisionResponse = z
  .object({
    decision_id: z.string(),
    decision: z.enum(["allow", "deny", "pending_approval"]),
    reasons: z.array(reason),
    approval: z.object({ id: z.string(), status: z.literal("pending"), expires_at: z.string(), required_approvals: z.number().int() }).optional(),
    /** Every limit that applied; `resets_at` is null for per-run limits. */
    quota: z.array(quotaState),
    policy_version: z.number().int().nullable(),
  })
  .meta({ id: "DecisionResponse" });

export type DecisionRequest = z.infer<typeof decisionRequest>;
export type DecisionResponse = z.infer<typeof decisionResponse>;

/** What the worker writes for every decision (validated by the queue registry on both ends). */
export const decisionRecord = z.object({
  id: z.string(),
  tenantId: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  runExternalId: z.string(),
  tool: z.string(),
  operation: z.string(),
  resource: z.object({ type: z.string(), id: z.string() }).nullable(),
  args: z.record(z.string(), z.unknown()),
  actionHash: z.string(),
  outcome: z.enum(["allow", "deny", "pending_approval"]),
  reasons: z.array(reason),
  matchedRules: z.array(z.string()),
  shadow: z.object({ outcome: z.string(), matchedRules: z.array(z.string()) }).nullable(),
  policyVersion: z.number().int().nullable(),
  approvalId: z.string().nullable(),
  quota: z.array(quotaState).default([]),
  requestId: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type DecisionRecord = z.infer<typeof decisionRecord>;
