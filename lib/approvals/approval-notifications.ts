/**
 * The webhook messages approvals send (lib/notifications): requested, decided, expired,
 * escalated. Slack mrkdwn; `data` carries the same facts for other receivers.
 */
import { env } from "@/lib/env";
import type { TenantMessage } from "@/lib/notifications/build-message";

type ApprovalFacts = {
  id: string;
  tenantSlug: string;
  agentName: string;
  action: { tool?: string; operation?: string; resource?: { type?: string; id?: string } | null };
  requiredApprovals: number;
  requiredGroups: string[];
  expiresAt: Date;
  reason?: string;
  runExternalId: string;
};

/** The facts every approval message states, from the stored approval and the names to show. */
export function approvalFacts(
  approval: { id: string; action: unknown; requiredApprovals: number; requiredGroups: string[]; expiresAt: Date; runExternalId: string; reason?: string },
  names: { tenantSlug: string; agentName: string },
): ApprovalFacts {
  return {
    id: approval.id,
    ...names,
    action: approval.action as ApprovalFacts["action"],
    requiredApprovals: approval.requiredApprovals,
    requiredGroups: approval.requiredGroups,
    expiresAt: approval.expiresAt,
    reason: approval.reason,
    runExternalId: approval.runExternalId,
  };
}

export function approvalUrl(tenantSlug: string, approvalId: string): string {
  const base = (env().NEXTAUTH_URL ?? "").replace(/\/$/, "");
  return `${base}/t/${tenantSlug}/approvals/${approvalId}`;
}

// Slack mrkdwn: &, < and > are control characters.
const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function what(a: ApprovalFacts): string {
  const resource = a.action.resource?.id ? ` on ${esc(a.action.resource.id)}` : "";
  return `*${esc(a.agentName)}*: \`${esc(a.action.tool ?? "?")} ${esc(a.action.operation ?? "?")}\`${resource}`;
}

function needs(a: ApprovalFacts): string {
  const count = a.requiredApprovals === 1 ? "1 approval" : `${a.requiredApprovals} distinct approvals`;
  return a.requiredGroups.length ? `${count}, signed by ${a.requiredGroups.map((g) => `*${esc(g)}*`).join(" and ")}` : count;
}

function baseData(a: ApprovalFacts) {
  return {
    approval_id: a.id,
    agent: a.agentName,
    tool: a.action.tool,
    operation: a.action.operation,
    resource: a.action.resource ?? null,
    run_id: a.runExternalId,
    required_approvals: a.requiredApprovals,
    required_groups: a.requiredGroups,
    expires_at: a.expiresAt.toISOString(),
    url: approvalUrl(a.tenantSlug, a.id),
  };
}

export function approvalRequestedMessage(a: ApprovalFacts): TenantMessage {
  return {
    kind: "approval.requested",
    text: `Approval requested: ${what(a)}. Needs ${needs(a)}. ${a.reason ? `${esc(a.reason)} ` : ""}Expires ${a.expiresAt.toISOString()}. <${approvalUrl(a.tenantSlug, a.id)}|Review>`,
    data: { ...baseData(a), reason: a.reason ?? "" },
  };
}

export function approvalDecidedMessage(a: ApprovalFacts & { status: string; decidedBy: string[]; comment?: string }): TenantMessage {
  const verb = a.status === "approved" ? "Approved" : a.status === "denied" ? "Denied" : a.status === "expired" ? "Expired (denied)" : a.status;
  const by = a.decidedBy.length ? ` by ${a.decidedBy.map(esc).join(", ")}` : "";
  return {
    kind: a.status === "expired" ? "approval.expired" : "approval.decided",
    text: `${verb}${a.status === "expired" ? "" : by}: ${what(a)}.${a.comment ? ` “${esc(a.comment)}”` : ""} <${approvalUrl(a.tenantSlug, a.id)}|Details>`,
    data: { ...baseData(a), status: a.status, decided_by: a.decidedBy, comment: a.comment ?? "" },
  };
}

export function approvalEscalatedMessage(a: ApprovalFacts & { group: string; members: string[]; waitingMinutes: number }): TenantMessage {
  const who = a.members.length ? ` (${a.members.map(esc).join(", ")})` : " (no members yet)";
  return {
    kind: "approval.escalated",
    text: `Escalated to *${esc(a.group)}*${who}: ${what(a)} has waited ${a.waitingMinutes} min without an answer. Needs ${needs(a)}. Expires ${a.expiresAt.toISOString()}. <${approvalUrl(a.tenantSlug, a.id)}|Review>`,
    data: { ...baseData(a), escalated_to: a.group, members: a.members },
  };
}
