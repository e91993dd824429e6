/**
 * The demo agents' workflows (refund-bot, pr-bot, triage-bot), written against the machine
 * API through GatehouseClient only; `npm run demo:agents` (scripts/demo-agents.ts) runs
 * them in a loop, the integration test runs each a few times.
 */
import { randomBytes } from "node:crypto";
import { type GatehouseClient, type Decision } from "./gatehouse-client";

export const demoOptions = { approvalWaitMs: 20_000 };

export const rand = (min: number, max: number) => Math.floor(min + Math.random() * (max - min + 1));
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = () => randomBytes(6).toString("hex");

/** One run of one agent: emits its events as it goes and returns the outcome. */
class Run {
  readonly runId: string;
  private n = 0;
  cost = 0;
  constructor(
    readonly gh: GatehouseClient,
    prefix: string,
  ) {
    this.runId = `run_${prefix}_${new Date().toISOString().slice(0, 10).replaceAll("-", "")}_${id()}`;
  }
  emit(type: string, fields: Record<string, unknown>) {
    const eventId = `${this.runId}-${++this.n}`;
    this.gh.event({ id: eventId, run_id: this.runId, type, ...fields });
    return eventId;
  }
  async think(model: string, input: number, output: number) {
    const cost = Math.round((input * 2.5e-6 + output * 1e-5) * 1e6) / 1e6;
    this.cost += cost;
    const latency = rand(400, 2500);
    await sleep(Math.min(latency, 300));
    this.emit("model.call", { model, input_tokens: input, output_tokens: output, cost_usd: cost, latency_ms: latency });
  }
  /** Ask, and if allowed perform the call (`perform` returns the output or throws). */
  async act(
    tool: string,
    operation: string,
    args: Record<string, unknown>,
    perform: () => Promise<Record<string, unknown>>,
    resource?: { type: string; id: string },
    eventExtra: Record<string, unknown> = {},
  ): Promise<{ decision: Decision; output?: Record<string, unknown>; toolCallId?: string; error?: string }> {
    let decision = await this.gh.decide({ run_id: this.runId, tool, operation, args, resource });
    if (decision.decision === "pending_approval" && decision.approval) {
      this.emit("log", { level: "info", message: `Waiting for approval ${decision.approval.id} (${decision.approval.required_approvals} approver(s))` });
      await this.gh.flush();
      const status = await this.gh.waitForApproval(decision.approval.id, demoOptions.approvalWaitMs);
      if (status.status !== "approved") return { decision, error: `approval ${status.status}` };
      decision = await this.gh.decide({ run_id: this.runId, tool, operation, args, resource, approval_id: decision.approval.id });
    }
    if (decision.decision !== "allow") return { decision, error: decision.reasons.map((r) => r.code).join(", ") || decision.decision };
    const started = Date.now();
    try {
      const output = await perform();
      const toolCallId = this.emit("tool.call", { decision_id: decision.decision_id, tool, operation, args, status: "ok", latency_ms: Date.now() - started + rand(60, 300), output, ...eventExtra });
      return { decision, output, toolCallId };
    } catch (error) {
      const message = (error as Error).message;
      this.emit("tool.call", { decision_id: decision.decision_id, tool, operation, args, status: "error", latency_ms: Date.now() - started + rand(60, 300), error: message, ...eventExtra });
      return { decision, error: message };
    }
  }
  finish(outcome: "succeeded" | "failed" | "escalated" | "terminated", reason?: string) {
    this.emit("run.finished", { outcome, ...(reason && { reason }) });
    return outcome;
  }
}

async function refundBot(gh: GatehouseClient) {
  const run = new Run(gh, "refund");
  const ticket = `ZD-${rand(80000, 99999)}`;
  const charge = `ch_${id()}`;
  run.emit("run.started", { input: { kind: "ticket", ref: ticket }, model: { provider: "openai", name: "gpt-x", system_prompt_version: "v12", tool_schema_version: "2026-05-01" } });
  await run.think("gpt-x", rand(2500, 5000), rand(300, 1200));
  const lookup = await run.act("stripe", "charges.retrieve", { charge_id: charge }, async () => ({ id: charge, amount: rand(1500, 30000), currency: "usd", customer: `cus_${id()}` }));
  if (lookup.error) return run.finish("failed", `lookup: ${lookup.error}`);
  const amount = Math.random() < 0.7 ? rand(500, 9900) : rand(10_100, 30_000);
  await run.think("gpt-x", rand(1500, 3000), rand(200, 600));
  const refund = await run.act(
    "stripe",
    "refunds.create",
    { charge_id: charge, amount_cents: amount },
    async () => {
      if (Math.random() < 0.1) throw new Error("card_declined");
      return { id: `re_${id()}`, status: "succeeded", amount };
    },
    undefined,
    // What a careless agent logs: Gatehouse redacts the key before storing the event.
    { request: { method: "POST", url: "https://api.stripe.com/v1/refunds", headers: { Authorization: "Bearer sk_live_demo0000000000000000000000" } } },
  );
  if (refund.error) {
    const outcome = refund.error.startsWith("approval") ? "escalated" : "failed";
    return run.finish(outcome, refund.error);
  }
  run.emit("side_effect", { system: "stripe", object_type: "refund", object_id: refund.output!.id, url: `https://dashboard.stripe.com/refunds/${String(refund.output!.id)}`, tool_call_id: refund.toolCallId, decision_id: refund.decision.decision_id });
  return run.finish("succeeded", `refunded ${(amount / 100).toFixed(2)} USD for ${ticket}`);
}

async function prBot(gh: GatehouseClient) {
  const run = new Run(gh, "pr");
  const repo = Math.random() < 0.1 ? "globex/secret" : `acme/${pick(["web", "api", "billing", "infra"])}`;
  const dep = pick(["next", "react", "zod", "pg", "bullmq"]);
  run.emit("run.started", { input: { kind: "dependency_update", ref: `${repo}#${dep}` }, model: { provider: "anthropic", name: "claude-x" } });
  await run.think("claude-x", rand(5000, 12000), rand(800, 3000));
  const read = await run.act("github", "repos.get", { repo }, async () => ({ full_name: repo, default_branch: "main" }), { type: "repo", id: repo });
  if (read.error) return run.finish("failed", `repos.get: ${read.error}`);
  const branch = `deps/${dep}-${id().slice(0, 4)}`;
  const pr = await run.act("github", "pulls.create", { repo, title: `Bump ${dep}`, head: branch, base: "main" }, async () => ({ number: rand(100, 9999), html_url: `https://github.com/${repo}/pull/${rand(100, 9999)}` }), { type: "repo", id: repo });
  if (pr.error) return run.finish("failed", `pulls.create: ${pr.error}`);
  run.emit("side_effect", { system: "github", object_type: "pull_request", object_id: `${repo}#${String(pr.output!.number)}`, url: pr.output!.html_url, tool_call_id: pr.toolCallId, decision_id: pr.decision.decision_id });
  if (Math.random() < 0.4) {
    const merge = await run.act("github", "pulls.merge", { repo, pull_number: pr.output!.number, base: "main" }, async () => ({ merged: true }), { type: "repo", id: repo });
    if (merge.error) return run.finish(merge.error.startsWith("approval") ? "escalated" : "failed", `merge: ${merge.error}`);
    run.emit("side_effect", { system: "github", object_type: "merge", object_id: `${repo}#${String(pr.output!.number)}`, tool_call_id: merge.toolCallId });
  }
  return run.finish("succeeded");
}

async function triageBot(gh: GatehouseClient) {
  const run = new Run(gh, "triage");
  const key = `SUP-${rand(1000, 9999)}`;
  run.emit("run.started", { input: { kind: "jira", ref: key }, model: { provider: "openai", name: "gpt-x-mini" } });
  const issue = await run.act("jira", "issues.get", { key }, async () => ({ key, summary: "Customer cannot log in", priority: pick(["P1", "P2", "P3"]) }));
  if (issue.error) return run.finish("failed", issue.error);
  await run.think("gpt-x-mini", rand(800, 2000), rand(100, 400));
  const comment = await run.act("jira", "issues.comment", { key, body: "Triaged: likely SSO misconfiguration; assigned to identity team." }, async () => ({ id: `c_${id()}` }));
  if (comment.error) return run.finish("failed", comment.error);
  run.emit("side_effect", { system: "jira", object_type: "comment", object_id: String(comment.output!.id), tool_call_id: comment.toolCallId });
  const channel = Math.random() < 0.15 ? "#general" : pick(["#support-eu", "#support-us", "#support-escalations"]);
  const post = await run.act("slack", "chat.postMessage", { channel, text: `${key} triaged (${String(issue.output!.priority)})` }, async () => ({ ts: `${Date.now() / 1000}` }));
  if (post.error) {
    run.emit("log", { level: "error", message: `Could not post to ${channel}: ${post.error}` });
    return run.finish("failed", `slack: ${post.error}`);
  }
  run.emit("side_effect", { system: "slack", object_type: "message", object_id: `${channel}/${String(post.output!.ts)}`, tool_call_id: post.toolCallId });
  return run.finish("succeeded");
}

export const WORKFLOWS: Record<string, (gh: GatehouseClient) => Promise<string>> = { "refund-bot": refundBot, "pr-bot": prBot, "triage-bot": triageBot };

