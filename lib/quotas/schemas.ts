import { z } from "zod";

/**
 * A limit as people author it on the Usage page. What is counted (metric) over which
 * window, for whom (scope), and what happens at the limit (deny, or pause and ask a human).
 */
export const QUOTA_METRICS = ["tool_calls", "writes", "reads", "operation_calls", "tokens", "spend_usd", "run_seconds"] as const;
export const QUOTA_WINDOWS = ["run", "minute", "hour", "day", "month"] as const;
export const QUOTA_SCOPES = ["tenant", "agent", "group"] as const;

export type QuotaMetric = (typeof QUOTA_METRICS)[number];
export type QuotaWindow = (typeof QUOTA_WINDOWS)[number];

export const METRIC_LABEL: Record<QuotaMetric, string> = {
  tool_calls: "Tool calls",
  writes: "Writes (non-read calls)",
  reads: "Reads",
  operation_calls: "Calls of one operation",
  tokens: "Model tokens",
  spend_usd: "Spend (USD)",
  run_seconds: "Wall-clock seconds per run",
};

export const WINDOW_LABEL: Record<QuotaWindow, string> = { run: "per run", minute: "per minute", hour: "per hour", day: "per day", month: "per calendar month" };

const WINDOW_NAME: Record<QuotaWindow, string> = { run: "run", minute: "minute", hour: "hour", day: "day", month: "month" };

/** The default name agents see in the decision answer, e.g. `writes_per_day`. */
export function defaultQuotaName(q: { metric: QuotaMetric; window: QuotaWindow; operation?: string | null }): string {
  const what = q.metric === "operation_calls" && q.operation ? q.operation.replace(/[^a-z0-9]+/gi, "_").toLowerCase() : q.metric;
  return `${what}_per_${WINDOW_NAME[q.window]}`.slice(0, 64);
}

export const quotaInput = z
  .object({
    name: z
      .string()
      .trim()
      .max(64)
      .regex(/^[a-z0-9_.-]*$/, "Use lowercase letters, digits, _ . and -.")
      .optional(),
    scope: z.enum(QUOTA_SCOPES),
    /** agent: an agent id, or empty for "each agent on its own"; group: an agent label. */
    scopeRef: z.string().trim().max(64).nullish(),
    metric: z.enum(QUOTA_METRICS),
    tool: z.string().trim().min(1).max(100).nullish(),
    operation: z.string().trim().min(1).max(200).nullish(),
    window: z.enum(QUOTA_WINDOWS),
    limit: z.number().positive().max(1e12),
    onExceed: z.enum(["deny", "approval"]).default("deny"),
    alertPercent: z.number().int().min(0).max(100).default(80),
  })
  .superRefine((q, ctx) => {
    if (q.scope === "group" && !q.scopeRef) ctx.addIssue({ code: "custom", path: ["scopeRef"], message: "Name the agent group (label)." });
    if (q.scope === "tenant" && q.scopeRef) ctx.addIssue({ code: "custom", path: ["scopeRef"], message: "A tenant-wide limit names no agent or group." });
    if (q.metric === "operation_calls" && (!q.tool || !q.operation)) ctx.addIssue({ code: "custom", path: ["operation"], message: "Name the tool and operation to count." });
    if (q.metric !== "operation_calls" && (q.tool || q.operation)) ctx.addIssue({ code: "custom", path: ["operation"], message: "Only per-operation limits name a tool and operation." });
    if (q.metric === "run_seconds" && q.window !== "run") ctx.addIssue({ code: "custom", path: ["window"], message: "Wall-clock time is limited per run." });
    if (q.metric === "run_seconds" && q.onExceed === "approval") ctx.addIssue({ code: "custom", path: ["onExceed"], message: "A run past its time limit is denied; it cannot be extended by approval." });
  });

export type QuotaInput = z.input<typeof quotaInput>;

/** A limit as the decision path and the Usage page use it. */
export type QuotaLimit = {
  id: string;
  name: string;
  scope: (typeof QUOTA_SCOPES)[number];
  scopeRef: string | null;
  metric: QuotaMetric;
  tool: string | null;
  operation: string | null;
  window: QuotaWindow;
  limit: number;
  onExceed: "deny" | "approval";
  alertPercent: number;
};

/** What the decision answer says of each limit that applied. */
export type QuotaState = { name: string; limit: number; remaining: number; resets_at: string | null };

/** One limit that applies to a call, with its use now (approval request page). */
export type QuotaLimitState = {
  id: string;
  name: string;
  metric: QuotaMetric;
  window: QuotaWindow;
  limit: number;
  used: number;
  resetsAt: string | null;
  onExceed: "deny" | "approval";
  /** Approving this request extends this limit once (pause-and-ask). */
  extended: boolean;
};

/** What the Usage page shows (lib/quotas/get-usage.ts). */
export type UsageRow = { subject: string; used: number; resetsAt: string | null };
export type QuotaUsage = {
  /** False when Redis could not be read: limits and history still show, current use does not. */
  countersAvailable: boolean;
  limits: (QuotaLimit & { rows: UsageRow[] })[];
  agents: { id: string; name: string; labels: string[] }[];
  hits7d: Record<string, number>;
  recentHits: { decisionId: string; at: string; agent: string; run: string; action: string; outcome: string; quotas: string[] }[];
  spendByDay: { day: string; costUsd: number; quotaHits: number }[];
};
