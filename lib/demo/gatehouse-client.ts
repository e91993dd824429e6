/**
 * A small Gatehouse client for agents, written against the machine API only (shared/API.md):
 * the reference docs/AGENTS.md walks through, and what `npm run demo:agents` runs. No
 * Gatehouse module is imported: copy it into an agent as is.
 *
 *   const gh = new GatehouseClient({ baseUrl, clientId, clientSecret });
 *   // Gatehouse calls the tool with the credential from its vault (the agent holds none):
 *   const r = await gh.callTool("stripe", "refunds.create", { run_id, args, wait: 20 });
 *   if (r.decision === "allow") console.log(r.result!.status, r.result!.body);
 *   // Or ask only, and call the tool yourself (advisory):
 *   const d = await gh.decide({ run_id, tool: "stripe", operation: "refunds.create", args });
 *   if (d.decision === "pending_approval") await gh.waitForApproval(d.approval!.id);
 *   gh.event({ id, run_id, type: "tool.call", ... });   // buffered, sent in batches
 *   await gh.flush();
 */

export type Decision = {
  decision_id: string;
  decision: "allow" | "deny" | "pending_approval";
  reasons: { code: string; message: string }[];
  approval?: { id: string; status: "pending"; expires_at: string; required_approvals: number };
  quota: { name: string; limit: number; remaining: number; resets_at: string | null }[];
  policy_version: number | null;
};

/** What the gateway answers: the decision and, only when it allowed the call, the upstream's result. */
export type ToolCall = Decision & {
  result?: {
    status: number;
    content_type: string | null;
    body: unknown;
    truncated: boolean;
    side_effects: { system: string; object_type: string; object_id?: string; url?: string }[];
    latency_ms: number;
    event_id: string;
  };
};

export type ApprovalStatus = { id: string; status: "pending" | "approved" | "denied" | "expired" | "cancelled"; decided_by?: unknown[]; comment?: string };

export class GatehouseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class GatehouseClient {
  private token: { value: string; expiresAt: number } | null = null;
  private buffer: Record<string, unknown>[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly opts: { baseUrl: string; clientId: string; clientSecret: string; batchSize?: number }) {}

  /** A bearer token, renewed a minute before it expires (client credentials grant). */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return this.token.value;
    const res = await fetch(`${this.opts.baseUrl}/api/v1/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: this.opts.clientId, client_secret: this.opts.clientSecret }),
    });
    const body = (await res.json()) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) throw new GatehouseError(res.status, body.error ?? "token_failed", body.error_description ?? "Token request failed.");
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 900) * 1000 };
    return this.token.value;
  }

  /** One API call; retries 429/503 after Retry-After (what the API asks clients to do). */
  private async call<T>(method: string, path: string, body?: unknown, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${this.opts.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.accessToken()}`, ...(body !== undefined && { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if ((res.status === 429 || res.status === 503) && attempt < attempts) {
        await sleep(Number(res.headers.get("retry-after") ?? "1") * 1000);
        continue;
      }
      if (res.status === 401 && attempt === 1) {
        this.token = null; // revoked or rotated: one fresh token, then give up
        continue;
      }
      const data = (await res.json()) as T & { error?: { code: string; message: string; details?: unknown } };
      if (!res.ok) throw new GatehouseError(res.status, data.error?.code ?? "error", data.error?.message ?? `HTTP ${res.status}`, data.error?.details);
      return data;
    }
  }

  /** Ask before a tool call. A deny is an answer, not an error. */
  decide(request: { run_id: string; tool: string; operation: string; args: Record<string, unknown>; resource?: { type: string; id: string }; context?: Record<string, unknown>; approval_id?: string }) {
    return this.call<Decision>("POST", "/api/v1/decisions", request);
  }

  /**
   * Has Gatehouse call the tool (POST /api/v1/gateway/{tool}/{operation}): the same decision,
   * then, only if allowed, the upstream call with the vaulted credential. With `wait`
   * (seconds, max 30) a call that needs approval is held and executed once approved; still
   * pending, call again with `approval_id`. Upstream failures throw (502/504, `upstream_*`).
   */
  callTool(tool: string, operation: string, request: { run_id: string; args: Record<string, unknown>; resource?: { type: string; id: string }; context?: Record<string, unknown>; approval_id?: string; wait?: number }) {
    return this.call<ToolCall>("POST", `/api/v1/gateway/${encodeURIComponent(tool)}/${encodeURIComponent(operation)}`, request);
  }

  /** Long-polls an approval (30 s at a time) until it leaves `pending` or `timeoutMs` passes. */
  async waitForApproval(id: string, timeoutMs = 120_000): Promise<ApprovalStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const wait = Math.max(0, Math.min(30, Math.ceil((deadline - Date.now()) / 1000)));
      const status = await this.call<ApprovalStatus>("GET", `/api/v1/approvals/${encodeURIComponent(id)}?wait=${wait}`);
      if (status.status !== "pending" || Date.now() >= deadline) return status;
    }
  }

  /** Buffers a run event; batches go out when `batchSize` is reached or on flush(). */
  event(e: Record<string, unknown>) {
    this.buffer.push({ ts: new Date().toISOString(), ...e });
    if (this.buffer.length >= (this.opts.batchSize ?? 100)) void this.flush();
  }

  /**
   * Sends buffered events. Each event has a stable `id`, so resending a batch after a
   * timeout or a 503 can never store an event twice; events the API rejects are logged
   * and dropped (they would be rejected again).
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const events = this.buffer.splice(0, 1000);
    this.flushing = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await this.call<{ accepted: number; duplicates: number; rejected: { index: number; error: { message: string; details?: unknown } }[] }>("POST", "/api/v1/events", { events }, 10);
          for (const r of result.rejected) console.warn(`gatehouse: event ${String(events[r.index]?.id)} rejected: ${JSON.stringify(r.error.details ?? r.error.message)}`);
          return;
        } catch (error) {
          if (attempt >= 5 || (error instanceof GatehouseError && error.status < 500 && error.status !== 429)) throw error;
          await sleep(500 * attempt); // network error or 5xx: same batch again, ids make it idempotent
        }
      }
    })().finally(() => (this.flushing = null));
    await this.flushing;
    if (this.buffer.length) await this.flush();
  }

  /** A run's summary, as the server sees it. */
  run(runId: string) {
    return this.call<{ status: string; outcome: string | null; totals: Record<string, number> }>("GET", `/api/v1/runs/${encodeURIComponent(runId)}`);
  }
}
