// The shapes of the console's run routes, declared here because client code never
// imports lib/ services (see eslint.config.mjs). Keep in step with lib/runs/*.

export type RunOutcome = "succeeded" | "failed" | "escalated" | "terminated";

/** One row of GET /api/console/t/[tenant]/runs (lib/runs/list-runs.ts). */
export type RunRow = {
  id: string;
  runId: string;
  agent: { id: string; name: string };
  status: "running" | "finished";
  outcome: RunOutcome | string | null;
  startedAt: string;
  durationMs: number | null;
  events: number;
  toolCalls: number;
  errors: number;
  tokens: number;
  costUsd: number;
  denials: number;
  approvals: number;
};

/** GET /api/console/t/[tenant]/runs/[runId] (lib/runs/get-run.ts runSummary). */
export type RunSummary = {
  run_id: string;
  id: string;
  status: "running" | "finished";
  outcome: string | null;
  agent: { id: string; name: string | null };
  started_at: string;
  finished_at: string | null;
  last_event_at: string | null;
  duration_ms: number | null;
  policy_version: number | null;
  model: unknown;
  input: unknown;
  totals: {
    events: number;
    tool_calls: number;
    errors: number;
    input_tokens: number;
    output_tokens: number;
    tokens: number;
    cost_usd: number;
    decisions: number;
    denials: number;
    approvals: number;
    side_effects: number;
  };
};

/** One timeline event (lib/runs/list-run-events.ts toApiEvent, plus `seq`). */
export type TimelineEvent = {
  id: string;
  run_id: string;
  type: string;
  ts: string;
  source: "agent" | "server";
  agent_id: string;
  received_at: string;
  payload_sha256: string;
  redacted?: string[];
  seq: string;
  [field: string]: unknown;
};

export type TimelinePage = { offset: number | null; events: TimelineEvent[]; next: string | null };

/** GET …/runs/[runId]/state?position= (lib/runs/get-replay-state.ts). */
export type ReplayState = {
  position: number;
  events: number;
  tool_calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  decisions: number;
  denials: number;
  side_effects: number;
  open_approvals: number;
  quota: { name?: string; limit?: number; remaining?: number; resets_at?: string }[];
  at: string | null;
};
