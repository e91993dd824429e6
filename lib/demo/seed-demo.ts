/**
 * The demo tenant of API.md §6: Acme (with members, agents, tools, a published policy and
 * some runs) and Globex. Idempotent: a second run finds what exists and adds nothing.
 * Only `npm run up` and the tests call this; a production deployment seeds nothing.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { appendAuditEntry, type Actor } from "@/lib/audit/append-audit-entry";
import { hashSecret } from "@/lib/auth/password";
import { credentialIdOfSecret, newClientSecret } from "@/lib/agents/credentials";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { newId } from "@/lib/ids";
import { db, type Tx } from "@/lib/db/client";
import type { Role, RiskClass } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { seedDemoGateway } from "./seed-demo-gateway";
import { seedDemoLimits, seedDemoPolicy } from "./seed-demo-policy";

const SEED_ACTOR: Actor = { type: "system", label: "demo seed" };

export type DemoAgentSecret = { tenant: string; name: string; client_id: string; client_secret: string };

type DemoTenant = {
  id: string;
  slug: string;
  name: string;
  members: { email: string; name: string; role: Role }[];
  agents: { name: string; description: string; owner: string; labels: string[]; environment: string }[];
  tools: { name: string; displayName: string; operations: { name: string; risk: RiskClass; reversible: boolean; schema: object }[] }[];
};

const money = { type: "object", properties: { charge_id: { type: "string" }, amount_cents: { type: "integer", minimum: 1 } }, required: ["charge_id", "amount_cents"], additionalProperties: false };
const repo = { type: "object", properties: { repo: { type: "string", pattern: "^[\\w.-]+/[\\w.-]+$" } }, required: ["repo"] };

export const DEMO_TENANTS: DemoTenant[] = [
  {
    id: "ten_demo_acme",
    slug: "acme",
    name: "Acme",
    members: [
      { email: "owner@acme.test", name: "Olivia Owner", role: "owner" },
      { email: "admin@acme.test", name: "Adam Admin", role: "admin" },
      { email: "approver@acme.test", name: "April Approver", role: "approver" },
      { email: "approver2@acme.test", name: "Arthur Approver", role: "approver" },
      { email: "auditor@acme.test", name: "Audrey Auditor", role: "auditor" },
      { email: "viewer@acme.test", name: "Victor Viewer", role: "viewer" },
    ],
    agents: [
      { name: "refund-bot", description: "Refunds duplicate or disputed charges from support tickets.", owner: "admin@acme.test", labels: ["support", "payments"], environment: "production" },
      { name: "pr-bot", description: "Reads acme/* repositories and opens pull requests for dependency updates.", owner: "admin@acme.test", labels: ["engineering"], environment: "production" },
      { name: "triage-bot", description: "Triages Jira tickets and posts summaries to #support-* channels.", owner: "admin@acme.test", labels: ["support"], environment: "production" },
    ],
    tools: [
      { name: "stripe", displayName: "Stripe", operations: [
        { name: "charges.retrieve", risk: "read", reversible: true, schema: { type: "object", properties: { charge_id: { type: "string" } }, required: ["charge_id"] } },
        { name: "refunds.create", risk: "money", reversible: false, schema: money },
      ] },
      { name: "github", displayName: "GitHub", operations: [
        { name: "repos.get", risk: "read", reversible: true, schema: repo },
        { name: "pulls.create", risk: "write", reversible: true, schema: { ...repo, properties: { ...repo.properties, title: { type: "string" }, head: { type: "string" }, base: { type: "string" } } } },
        { name: "pulls.merge", risk: "deploy", reversible: false, schema: { ...repo, properties: { ...repo.properties, pull_number: { type: "integer" }, base: { type: "string" } } } },
      ] },
      { name: "jira", displayName: "Jira", operations: [
        { name: "issues.get", risk: "read", reversible: true, schema: { type: "object", properties: { key: { type: "string" } }, required: ["key"] } },
        { name: "issues.comment", risk: "write", reversible: true, schema: { type: "object", properties: { key: { type: "string" }, body: { type: "string" } }, required: ["key", "body"] } },
      ] },
      { name: "slack", displayName: "Slack", operations: [
        { name: "chat.postMessage", risk: "write", reversible: true, schema: { type: "object", properties: { channel: { type: "string" }, text: { type: "string" } }, required: ["channel", "text"] } },
      ] },
    ],
  },
  {
    id: "ten_demo_globex",
    slug: "globex",
    name: "Globex",
    members: [{ email: "owner@globex.test", name: "Gina Globex", role: "owner" }],
    agents: [{ name: "ops-bot", description: "Restarts stuck deployments.", owner: "owner@globex.test", labels: ["ops"], environment: "production" }],
    tools: [{ name: "kubernetes", displayName: "Kubernetes", operations: [{ name: "deployments.restart", risk: "deploy", reversible: true, schema: { type: "object" } }] }],
  },
];

async function ensureUser(email: string, name: string, passwordHash: string) {
  const existing = await db().user.findUnique({ where: { email } });
  return existing ?? db().user.create({ data: { email, name, passwordHash } });
}

async function ensureTenant(tx: Tx, t: DemoTenant) {
  const existing = await tx.tenant.findUnique({ where: { id: t.id } });
  if (existing) return false;
  await tx.tenant.create({ data: { id: t.id, slug: t.slug, name: t.name } });
  await appendAuditEntry(tx, { tenantId: t.id, actor: SEED_ACTOR, action: "tenant.created", target: { type: "tenant", id: t.id }, after: { name: t.name, slug: t.slug } });
  return true;
}

export async function seedDemo(opts: { password?: string; secretsFile?: string; log?: (line: string) => void } = {}) {
  const log = opts.log ?? (() => {});
  const password = opts.password ?? process.env.DEMO_PASSWORD ?? "gatehouse-demo";
  const secretsFile = opts.secretsFile ?? path.resolve(process.env.DEMO_AGENTS_FILE ?? ".data/demo-agents.json");
  const passwordHash = await hashSecret(password);
  await ensureSigningKey();

  const secrets: DemoAgentSecret[] = await readFile(secretsFile, "utf8").then((s) => JSON.parse(s) as DemoAgentSecret[]).catch(() => []);
  const known = new Map(secrets.map((s) => [`${s.tenant}/${s.name}`, s]));

  for (const t of DEMO_TENANTS) {
    const users = new Map<string, string>();
    for (const m of t.members) users.set(m.email, (await ensureUser(m.email, m.name, passwordHash)).id);

    await withTenant({ tenantId: t.id }, async (tx) => {
      if (await ensureTenant(tx, t)) log(`created tenant ${t.slug}`);
      for (const m of t.members) {
        const userId = users.get(m.email)!;
        const membership = await tx.membership.findFirst({ where: { tenantId: t.id, userId } });
        if (!membership) {
          await tx.membership.create({ data: { tenantId: t.id, userId, role: m.role } });
          await appendAuditEntry(tx, { tenantId: t.id, actor: SEED_ACTOR, action: "member.added", target: { type: "member", id: userId }, after: { email: m.email, role: m.role } });
        }
      }
      for (const tool of t.tools) {
        const found = await tx.tool.findFirst({ where: { tenantId: t.id, name: tool.name } });
        if (found) continue;
        await tx.tool.create({
          data: {
            tenantId: t.id,
            name: tool.name,
            displayName: tool.displayName,
            operations: { create: tool.operations.map((op) => ({ name: op.name, riskClass: op.risk, reversible: op.reversible, argsSchema: op.schema })) },
          },
        });
        await appendAuditEntry(tx, { tenantId: t.id, actor: SEED_ACTOR, action: "tool.registered", target: { type: "tool", id: tool.name }, after: { operations: tool.operations.map((o) => o.name) } });
      }
    });

    for (const a of t.agents) {
      const key = `${t.slug}/${a.name}`;
      const secret = await withTenant({ tenantId: t.id }, async (tx) => {
        let agent = await tx.agent.findFirst({ where: { tenantId: t.id, name: a.name } });
        if (!agent) {
          agent = await tx.agent.create({
            data: { id: `agt_${t.slug}_${a.name.replace(/-/g, "_")}`, tenantId: t.id, name: a.name, description: a.description, ownerId: users.get(a.owner)!, labels: a.labels, environment: a.environment },
          });
          await appendAuditEntry(tx, { tenantId: t.id, actor: SEED_ACTOR, action: "agent.created", target: { type: "agent", id: agent.id }, after: { name: a.name, owner: a.owner } });
        }
        const existing = known.get(key);
        const existingId = existing && credentialIdOfSecret(existing.client_secret);
        const live = existingId && (await tx.agentCredential.count({ where: { id: existingId, agentId: agent.id, revokedAt: null } }));
        if (existing && live) return existing;
        // The secret file was lost (or this is the first run): issue a fresh secret.
        const credentialId = newId("cred");
        const clientSecret = newClientSecret(credentialId);
        await tx.agentCredential.create({ data: { id: credentialId, tenantId: t.id, agentId: agent.id, kind: "client_secret", label: "demo", secretHash: await hashSecret(clientSecret) } });
        await appendAuditEntry(tx, { tenantId: t.id, actor: SEED_ACTOR, action: "agent.credential_created", target: { type: "agent", id: agent.id }, after: { kind: "client_secret", label: "demo" } });
        return { tenant: t.slug, name: a.name, client_id: agent.id, client_secret: clientSecret };
      });
      known.set(key, secret);
    }
  }

  await seedDemoRuns();
  await seedDemoPolicy(log);
  await seedDemoLimits(log);
  await seedDemoGateway(log);
  await mkdir(path.dirname(secretsFile), { recursive: true });
  await writeFile(secretsFile, `${JSON.stringify([...known.values()], null, 2)}\n`, { mode: 0o600 });
  await chmod(secretsFile, 0o600);
  log(`agent credentials in ${path.relative(process.cwd(), secretsFile)}`);
  return [...known.values()];
}

const sha = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex");

/** A few finished runs for Acme, so Runs and Overview have something to show on a fresh install. */
async function seedDemoRuns() {
  const tenantId = "ten_demo_acme";
  await withTenant({ tenantId }, async (tx) => {
    if ((await tx.run.count({ where: { tenantId } })) > 0) return;
    const runs = [
      { agent: "agt_acme_refund_bot", id: "run_demo_refund_001", outcome: "succeeded", tool: "stripe", op: "refunds.create", args: { charge_id: "ch_1001", amount_cents: 4500 }, decision: "allow" as const, cost: 0.18 },
      { agent: "agt_acme_refund_bot", id: "run_demo_refund_002", outcome: "escalated", tool: "stripe", op: "refunds.create", args: { charge_id: "ch_1002", amount_cents: 25000 }, decision: "pending_approval" as const, cost: 0.21 },
      { agent: "agt_acme_pr_bot", id: "run_demo_pr_001", outcome: "succeeded", tool: "github", op: "pulls.create", args: { repo: "acme/web", title: "Bump next to 16.4", head: "deps/next", base: "main" }, decision: "allow" as const, cost: 0.42 },
      { agent: "agt_acme_triage_bot", id: "run_demo_triage_001", outcome: "failed", tool: "slack", op: "chat.postMessage", args: { channel: "#general", text: "Summary…" }, decision: "deny" as const, cost: 0.05 },
    ];
    let minutesAgo = 240;
    for (const r of runs) {
      const started = new Date(Date.now() - minutesAgo * 60_000);
      minutesAgo -= 45;
      const finished = new Date(started.getTime() + 90_000);
      const run = await tx.run.create({
        data: { tenantId, agentId: r.agent, externalId: r.id, status: "finished", outcome: r.outcome, startedAt: started, finishedAt: finished, eventCount: 4, toolCalls: r.decision === "allow" ? 1 : 0, errorCount: r.outcome === "failed" ? 1 : 0, inputTokens: 4120, outputTokens: 980, costUsd: r.cost },
      });
      const decision = await tx.decision.create({
        data: { tenantId, agentId: r.agent, runExternalId: r.id, tool: r.tool, operation: r.op, actionHash: sha([r.tool, r.op, r.args]), args: r.args, outcome: r.decision, reasons: r.decision === "deny" ? [{ code: "no_matching_allow_rule", message: "Posting is allowed only to #support-* channels." }] : [], createdAt: new Date(started.getTime() + 30_000) },
      });
      const events = [
        { key: `${r.id}-1`, type: "run.started", source: "agent", ts: started, payload: { input: { kind: "ticket", ref: "ZD-88421" } } },
        { key: `${r.id}-2`, type: "model.call", source: "agent", ts: new Date(started.getTime() + 20_000), payload: { model: "gpt-x", input_tokens: 4120, output_tokens: 980, cost_usd: r.cost } },
        { key: `${r.id}-3`, type: "decision", source: "server", ts: decision.createdAt, payload: { decision_id: decision.id, tool: r.tool, operation: r.op, decision: r.decision } },
        { key: `${r.id}-4`, type: "run.finished", source: "agent", ts: finished, payload: { outcome: r.outcome } },
      ];
      const receivedAt = new Date();
      await tx.runEvent.createMany({
        data: events.map((e) => ({ tenantId, runExternalId: run.externalId, agentId: r.agent, eventKey: e.key, type: e.type, source: e.source, ts: e.ts, receivedAt, payload: e.payload, payloadHash: sha(e.payload) })),
      });
      await tx.runEventKey.createMany({ data: events.map((e) => ({ tenantId, agentId: r.agent, source: e.source, eventKey: e.key, receivedAt })) });
      await tx.run.update({ where: { id: run.id }, data: { firstReceivedAt: receivedAt, lastReceivedAt: receivedAt, lastEventAt: finished, decisionCount: 1, denialCount: r.decision === "deny" ? 1 : 0, approvalCount: r.decision === "pending_approval" ? 1 : 0 } });
    }
  });
}
