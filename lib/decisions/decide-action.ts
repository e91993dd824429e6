/**
 * POST /api/v1/decisions: identity (done by the route) → kill switches → argument schema
 * → policy → quotas → answer. allow/deny never wait on Postgres: the policy is in memory
 * and the record goes to a durable queue that a worker writes to the decisions table and
 * the audit log. pending_approval writes its approval request first (its id is in the
 * answer), and redeeming an approval reads and claims it.
 */
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { createApproval, type ApprovalAction } from "@/lib/approvals/create-approval";
import { redeemApproval, releaseRedemption } from "@/lib/approvals/redeem-approval";
import { withTenant } from "@/lib/db/tenant";
import { newId } from "@/lib/ids";
import { redactValue } from "@/lib/ingest/redact";
import { tenantRedactionPaths } from "@/lib/ingest/redaction-settings";
import { evaluate, policyCache, type Evaluation } from "@/lib/policy/engine";
import { GATEWAY_REQUIRED, gatewayRequired } from "@/lib/gateway/gateway-state";
import { dispatchDeliveries } from "@/lib/notifications/queue-notification";
import type { GatewayEventJob } from "@/lib/gateway/schemas";
import type { QuotaMeter } from "@/lib/quotas/meter";
import { QUOTA_UNAVAILABLE, quotaReasons, reserveQuotas } from "@/lib/quotas/reserve-quotas";
import { actionHash } from "./action-hash";
import { queueDecisionRecord } from "./record-queue";
import type { DecisionRequest, DecisionResponse } from "./schemas";

export async function decideAction(input: {
  agent: AgentPrincipal;
  request: DecisionRequest;
  requestId?: string;
  meter?: QuotaMeter;
  /** "gateway" when Gatehouse itself will execute an allowed call (POST /api/v1/gateway). */
  via?: "decisions" | "gateway";
  /**
   * The gateway's record of the call it is about to send, queued in the same Redis
   * transaction as the decision record (one write, and the call is never sent unrecorded).
   * Called just before that write, with the outcome; null when nothing will be sent.
   */
  callRecord?: (decision: { decisionId: string; outcome: DecisionResponse["decision"] }) => Promise<GatewayEventJob | null>;
}): Promise<DecisionResponse> {
  const { agent, request } = input;
  const decisionId = newId("dec");
  const now = new Date();
  const resource = request.resource ?? null;
  const hash = actionHash({ tool: request.tool, operation: request.operation, resource, args: request.args });
  const policy = await policyCache.get(agent.tenantId);
  let evaluation: Evaluation = evaluate(policy, { agent: { id: agent.agentId, labels: agent.labels }, tool: request.tool, operation: request.operation, resource, args: request.args, now });
  if (input.via !== "gateway" && evaluation.outcome !== "deny" && (await gatewayRequired(agent.tenantId, request.tool)))
    evaluation = { ...evaluation, outcome: "deny", reasons: [GATEWAY_REQUIRED] };
  let approvalId: string | null = null;
  let approvalAnswer: DecisionResponse["approval"];
  let extendedQuotas: string[] = [];
  let claimedAt: Date | null = null;

  if (request.approval_id) {
    approvalId = request.approval_id;
    // A redeemed approval allows the approved action once, unless the policy now denies it outright.
    if (evaluation.outcome !== "deny") {
      const redemption = await redeemApproval({ tenantId: agent.tenantId, agentId: agent.agentId, approvalId: request.approval_id, actionHash: hash });
      if (redemption.ok) {
        extendedQuotas = redemption.quotaIds;
        claimedAt = redemption.claimedAt;
      }
      evaluation = redemption.ok
        ? { ...evaluation, outcome: "allow", reasons: [{ code: "approval_redeemed", message: "Allowed once by an approved request." }] }
        : { ...evaluation, outcome: "deny", reasons: [redemption.reason] };
    }
  }

  // Quotas: an allowed call reserves against every limit; one waiting for a human only looks.
  let quota: DecisionResponse["quota"] = [];
  type Ask = { required: number; ruleId: string | null; expiresInMinutes: number; message: string; quotaIds: string[] };
  let askFor: Ask | null = evaluation.outcome === "pending_approval" && evaluation.approval ? { ...evaluation.approval, quotaIds: [] } : null;
  if (evaluation.outcome !== "deny") {
    const checked = await reserveQuotas({
      subject: { tenantId: agent.tenantId, agentId: agent.agentId, labels: agent.labels, runId: request.run_id },
      call: { tool: request.tool, operation: request.operation, riskClass: evaluation.riskClass },
      commit: evaluation.outcome === "allow",
      extend: extendedQuotas,
      now,
      meter: input.meter,
    });
    quota = checked.quota;
    if (checked.kind === "unavailable") {
      evaluation = { ...evaluation, outcome: "deny", reasons: [QUOTA_UNAVAILABLE] };
      askFor = null;
    } else if (checked.kind === "exceeded") {
      const hard = checked.exceeded.filter((e) => e.limit.onExceed === "deny");
      if (hard.length > 0) {
        evaluation = { ...evaluation, outcome: "deny", reasons: quotaReasons(hard) };
        askFor = null;
      } else {
        // Pause and ask: a human may grant a one-off extension (with the rule's approval, when one was needed too).
        const quotaIds = checked.exceeded.map((e) => e.limit.id);
        askFor = askFor
          ? { ...askFor, quotaIds }
          : { required: 1, ruleId: null, expiresInMinutes: 60, message: `A limit was reached: ${checked.exceeded.map((e) => e.limit.name).join(", ")}.`, quotaIds };
        evaluation = { ...evaluation, outcome: "pending_approval", reasons: [...(evaluation.outcome === "pending_approval" ? evaluation.reasons : []), ...quotaReasons(checked.exceeded)] };
      }
    }
  }

  // The approval is claimed before quotas are reserved (so two redemptions cannot both
  // reserve); a call that is then not allowed did not use it.
  if (claimedAt && evaluation.outcome !== "allow") await releaseRedemption({ tenantId: agent.tenantId, approvalId: request.approval_id!, claimedAt });

  if (evaluation.outcome === "pending_approval" && askFor) {
    const ask = askFor;
    approvalId = newId("apr");
    const expiresAt = new Date(now.getTime() + ask.expiresInMinutes * 60_000);
    // Stored redacted like the decision record (the page, the vote's audit entry and the
    // evidence bundle all show it), with the redacted paths for the approver; the hash
    // binds the original, so the agent redeems with the same arguments.
    const { value: storedAction, redacted } = redactValue(
      { tool: request.tool, operation: request.operation, resource, args: request.args, context: request.context },
      await tenantRedactionPaths(agent.tenantId),
    );
    const created = await withTenant({ tenantId: agent.tenantId }, (tx) =>
      createApproval(tx, {
        id: approvalId!,
        tenantId: agent.tenantId,
        agentId: agent.agentId,
        runExternalId: request.run_id,
        decisionId,
        actionHash: hash,
        action: { ...(storedAction as ApprovalAction), ...(redacted.length > 0 && { redacted }) },
        reason: ask.message,
        ruleId: ask.ruleId,
        requiredApprovals: ask.required,
        quotaIds: ask.quotaIds,
        expiresAt,
        // Approver groups and escalation come from the rule's tier (absent for a limit's pause-and-ask alone).
        tier: evaluation.approval,
      }),
    );
    await dispatchDeliveries(agent.tenantId, [created.notificationId]); // "approval requested" webhook; never throws
    approvalAnswer = { id: approvalId, status: "pending", expires_at: expiresAt.toISOString(), required_approvals: ask.required };
  }

  // The record (queue, decisions table, audit, timeline) keeps a redacted copy of the
  // arguments, like ingested events; the action hash is of the original.
  const recordedArgs = redactValue(request.args, await tenantRedactionPaths(agent.tenantId), ["args"]).value as Record<string, unknown>;
  const callRecord = (await input.callRecord?.({ decisionId, outcome: evaluation.outcome })) ?? null;
  await queueDecisionRecord(
    {
      id: decisionId,
      tenantId: agent.tenantId,
      agentId: agent.agentId,
      agentName: agent.name,
      runExternalId: request.run_id,
      tool: request.tool,
      operation: request.operation,
      resource,
      args: recordedArgs,
      actionHash: hash,
      outcome: evaluation.outcome,
      reasons: evaluation.reasons,
      matchedRules: evaluation.matchedRules,
      shadow: evaluation.shadow ?? null,
      policyVersion: evaluation.policyVersion,
      approvalId,
      quota,
      requestId: input.requestId ?? null,
      createdAt: now.toISOString(),
    },
    callRecord,
  );

  return {
    decision_id: decisionId,
    decision: evaluation.outcome,
    reasons: evaluation.reasons,
    ...(approvalAnswer && { approval: approvalAnswer }),
    quota,
    policy_version: evaluation.policyVersion,
  };
}
