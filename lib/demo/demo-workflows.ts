/**
 * The demo agents' workflows (refund-bot, pr-bot, triage-bot), written against the machine
 * API through GatehouseClient only. Their tools are called through the gateway, which
 * injects the vaulted demo credentials and calls the Gatehouse demo upstream
 * (servers/demo-upstream.ts). `npm run demo:agents` (scripts/demo-agents.ts) runs them in
 * a loop; lib/demo/seed-demo.int.test.ts runs each once.
 */
import { randomBytes } from "node:crypto";
import { GatehouseError, type GatehouseClient, type ToolCall } from "./gatehouse-client";

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
  /**
   * Has Gatehouse call the tool through the gateway: the agent holds no credential, and the
   * call and its result are recorded by the server (gateway.call / gateway.result, with the
   * side effect), so the agent reports no tool.call of its own. A call that needs approval
   * is held in the gateway up to 30 s at a time until approved, denied or out of time.
   */
  async act(tool: string, operation: string, args: Record<string, unknown>, resource?: { type: string; id: string }): Promise<{ output?: Record<string, unknown>; error?: string }> {
    const request = { run_id: this.runId, args, resource };
    let call: ToolCall;
    try {
      call = await this.gh.callTool(tool, operation, request);
      if (call.decision === "pending_approval" && call.approval) {
        const approvalId = call.approval.id;
        this.emit("log", { level: "info", message: `Waiting for approval ${approvalId} (${call.approval.required_approvals} approver(s))` });
        await this.gh.flush();
        const deadline = Date.now() + demoOptions.approvalWaitMs;
        while (call.decision === "pending_approval" && Date.now() < deadline) {
          call = await this.gh.callTool(tool, operation, { ...request, approval_id: approvalId, wait: Math.max(1, Math.min(30, Math.ceil((deadline - Date.now()) / 1000))) });
        }
        if (call.decision !== "allow") return { error: call.decision === "pending_approval" ? "approval pending" : `approval ${call.reasons.map((r) => r.code).join(", ") || "denied"}` };
      }
    } catch (error) {
      // 502/504 upstream_*: the upstream failed; the server recorded the call and its result anyway.
      if (error instanceof GatehouseError && error.code.startsWith("upstream_")) return { error: error.code };
      throw error;
    }
    if (call.decision !== "allow") return { error: call.reasons.map((r) => r.code).join(", ") || call.decision };
    const result = call.result!;
    if (result.status >= 400) return { error: `HTTP ${result.status} from ${tool}` };
    return { output: (result.body ?? {}) as Record<string, unknown> };
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
  const lookup = await run.act("stripe", "charges.retrieve", { charge_id: charge });
  if (lookup.error) return run.finish("failed", `lookup: ${lookup.error}`);
  const amount = Math.random() < 0.7 ? rand(500, 9900) : rand(10_100, 30_000);
  await run.think("gpt-x", rand(1500, 3000), rand(200, 600));
  const refund = await run.act("stripe", "refunds.create", { charge_id: charge, amount_cents: amount });
  if (refund.error) return run.finish(refund.error.startsWith("approval") ? "escalated" : "failed", refund.error);
  return run.finish("succeeded", `refunded ${(amount / 100).toFixed(2)} USD for ${ticket} (${String(refund.output!.id)})`);
}

async function prBot(gh: GatehouseClient) {
  const run = new Run(gh, "pr");
  const repo = Math.random() < 0.1 ? "globex/secret" : `acme/${pick(["web", "api", "billing", "infra"])}`;
  const dep = pick(["next", "react", "zod", "pg", "bullmq"]);
  run.emit("run.started", { input: { kind: "dependency_update", ref: `${repo}#${dep}` }, model: { provider: "anthropic", name: "claude-x" } });
  await run.think("claude-x", rand(5000, 12000), rand(800, 3000));
  const resource = { type: "repo", id: repo };
  const read = await run.act("github", "repos.get", { repo }, resource);
  if (read.error) return run.finish("failed", `repos.get: ${read.error}`);
  const branch = `deps/${dep}-${id().slice(0, 4)}`;
  const pr = await run.act("github", "pulls.create", { repo, title: `Bump ${dep}`, head: branch, base: "main" }, resource);
  if (pr.error) return run.finish("failed", `pulls.create: ${pr.error}`);
  if (Math.random() < 0.4) {
    const merge = await run.act("github", "pulls.merge", { repo, pull_number: pr.output!.number, base: "main" }, resource);
    if (merge.error) return run.finish(merge.error.startsWith("approval") ? "escalated" : "failed", `merge: ${merge.error}`);
  }
  return run.finish("succeeded", String(pr.output!.html_url));
}

async function triageBot(gh: GatehouseClient) {
  const run = new Run(gh, "triage");
  const key = `SUP-${rand(1000, 9999)}`;
  run.emit("run.started", { input: { kind: "jira", ref: key }, model: { provider: "openai", name: "gpt-x-mini" } });
  const issue = await run.act("jira", "issues.get", { key });
  if (issue.error) return run.finish("failed", issue.error);
  await run.think("gpt-x-mini", rand(800, 2000), rand(100, 400));
  const comment = await run.act("jira", "issues.comment", { key, body: "Triaged: likely SSO misconfiguration; assigned to identity team." });
  if (comment.error) return run.finish("failed", comment.error);
  const channel = Math.random() < 0.15 ? "#general" : pick(["#support-eu", "#support-us", "#support-escalations"]);
  const post = await run.act("slack", "chat.postMessage", { channel, text: `${key} triaged (${String(issue.output!.priority)})` });
  if (post.error) {
    run.emit("log", { level: "error", message: `Could not post to ${channel}: ${post.error}` });
    return run.finish("failed", `slack: ${post.error}`);
  }
  return run.finish("succeeded");
}

export const WORKFLOWS: Record<string, (gh: GatehouseClient) => Promise<string>> = { "refund-bot": refundBot, "pr-bot": prBot, "triage-bot": triageBot };

