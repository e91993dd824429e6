import { z } from "zod";
import { RISK_CLASSES, type RiskClass } from "@/lib/tools/schemas";
import type { QuotaLimitState } from "@/lib/quotas/schemas";

/**
 * Shapes shared by the approvals services, their console routes and the console's client
 * components (this file is importable from components/: no server modules).
 */

export const APPROVAL_STATUSES = ["pending", "approved", "denied", "expired", "cancelled"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** What the queue can show: one status, or "decided" (every status but pending: the auditors' history). */
export const QUEUE_STATUSES = [...APPROVAL_STATUSES, "decided"] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** Most harmful first: the queue's tie-break after time to expiry. An operation no longer in the registry ranks after identity. */
export const RISK_URGENCY: readonly RiskClass[] = ["money", "deploy", "delete", "identity", "write", "read"];

const optionalText = (max: number) => z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().min(1).max(max).optional());

/** GET /api/console/t/[tenant]/approvals */
export const approvalQueueQuery = z.object({
  status: z.preprocess((v) => (v === "" ? undefined : v), z.enum(QUEUE_STATUSES).default("pending")),
  agent: optionalText(64),
  tool: optionalText(100),
  risk: z.preprocess((v) => (v === "" ? undefined : v), z.enum(RISK_CLASSES).optional()),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ApprovalQueueQuery = z.infer<typeof approvalQueueQuery>;

export type QueueCounts = Record<QueueStatus, number>;

/** Why the viewer may not approve or deny a request, or null when they may. */
export type DecideBlock = "role" | "not_pending" | "owner" | "voted";

export const DECIDE_BLOCK_MESSAGE: Record<DecideBlock, string> = {
  role: "Your role cannot decide approval requests (owners, admins and approvers can).",
  not_pending: "This request is no longer pending.",
  owner: "You own this agent, so you cannot decide its requests (separation of duties).",
  voted: "You already voted on this request; each person counts once.",
};

export function decideBlock(input: { canDecideRole: boolean; status: ApprovalStatus; expiresAt: Date | string; ownsAgent: boolean; myVote: string | null; now?: number }): DecideBlock | null {
  if (!input.canDecideRole) return "role";
  const expired = new Date(input.expiresAt).getTime() <= (input.now ?? Date.now());
  if (input.status !== "pending" || expired) return "not_pending";
  if (input.ownsAgent) return "owner";
  if (input.myVote) return "voted";
  return null;
}

/** Approver group names as members and rules write them: lower-case letters, digits, - and _. */
export const GROUP_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** A required approver group and whether an approving member signed for it. */
export type GroupState = { name: string; signed: boolean; signedBy?: string | null };

/** The rule's escalation: at `at`, a still-pending request notifies group `to`; `escalatedAt` once it did. */
export type Escalation = { to: string; at: string | null; escalatedAt: string | null };

/** One row of the queue (lib/approvals/list-approval-queue.ts). Dates are ISO strings. */
export type QueueItem = {
  id: string;
  status: ApprovalStatus;
  agent: { id: string; name: string };
  tool: string;
  operation: string;
  riskClass: RiskClass | null;
  resource: { type?: string; id?: string } | null;
  argsPreview: string;
  reason: string;
  runId: string;
  requiredApprovals: number;
  /** Approver groups that must each sign (AND), and whether one has. */
  groups: GroupState[];
  escalation: Escalation | null;
  approvals: number;
  votes: number;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  viewer: { vote: "approve" | "deny" | null; ownsAgent: boolean; blocked: DecideBlock | null };
};

export type QueuePage = {
  items: QueueItem[];
  counts: QueueCounts;
  total: number;
  page: number;
  pageSize: number;
  status: QueueStatus;
  now: string;
};

/** A JSON path as segments: object keys and array indexes. */
export type JsonPath = (string | number)[];

export type ArgChange = { path: JsonPath; kind: "added" | "removed" | "changed"; before?: unknown; after?: unknown };

export type ArgTrigger = { path: JsonPath; value: unknown; why: string };

/** Everything the request page shows (lib/approvals/get-approval-request.ts). Dates are ISO strings. */
export type ApprovalRequest = {
  id: string;
  status: ApprovalStatus;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  redeemedAt: string | null;
  decisionId: string;
  actionHash: string;
  agent: {
    id: string;
    name: string;
    description: string;
    status: string;
    environment: string;
    labels: string[];
    owner: { id: string; email: string; name: string };
  } | null;
  tool: string;
  operation: string;
  /** The operation as the tool registry has it now; null when it is no longer registered. */
  registry: { displayName: string; description: string; riskClass: RiskClass; reversible: boolean } | null;
  resource: { type?: string; id?: string } | null;
  args: Record<string, unknown>;
  context: Record<string, unknown> | null;
  /** Paths of the action (`args.api_key`, `context.note`) redacted before it was stored. */
  redacted: string[];
  reason: string;
  rule: {
    id: string;
    name: string;
    effect: string;
    approval: { tier: string; arg?: string; above?: number; expiresInMinutes?: number; groups?: string[]; escalateAfterMinutes?: number; escalateTo?: string };
    constraints: unknown[];
    resources: string[];
    /** The policy version the rule was read from. */
    version: number;
  } | null;
  ruleId: string | null;
  triggers: ArgTrigger[];
  previous: {
    decisionId: string;
    outcome: string;
    createdAt: string;
    runId: string;
    approvalId: string | null;
    resource: { type?: string; id?: string } | null;
    args: Record<string, unknown>;
    changes: ArgChange[];
  } | null;
  run: {
    id: string;
    /** The Run record (its page is /runs/<internalId>), once the run has one. */
    internalId: string | null;
    status: string | null;
    costUsd: number | null;
    tokens: number | null;
    toolCalls: number | null;
    decisions: { id: string; tool: string; operation: string; outcome: string; reason: string | null; createdAt: string; approvalId: string | null; isThis: boolean }[];
  };
  votes: { userId: string; email: string; name: string; verdict: "approve" | "deny"; comment: string; at: string; groups: string[] }[];
  requiredApprovals: number;
  /** Approver groups that must each sign (AND); `signedBy` is the approver's email. */
  groups: GroupState[];
  escalation: Escalation | null;
  approvals: number;
  /** Pause-and-ask: the limits approving this extends once. */
  quotaIds: string[];
  /** The limits this call counts against and their use now; null when the counters cannot be read. */
  limits: QuotaLimitState[] | null;
  viewer: { vote: "approve" | "deny" | null; ownsAgent: boolean; blocked: DecideBlock | null };
  now: string;
};
