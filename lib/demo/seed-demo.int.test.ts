import { mkdtemp, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { voteOnApproval } from "@/lib/approvals/vote-on-approval";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { serveRoute } from "@/lib/http/node-handler";
import { evaluate, loadTenantPolicy } from "@/lib/policy/engine";
import { closeQueues } from "@/lib/queue/registry";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { AGENT_API_ROUTES } from "@/servers/agent-api-routes";
import { WORKFLOWS, demoOptions } from "./demo-workflows";
import { createDemoUpstream } from "./demo-upstream";
import { DEMO_CREDENTIALS } from "./demo-upstream-credentials";
import { GatehouseClient } from "./gatehouse-client";
import { type DemoAgentSecret, seedDemo } from "./seed-demo";

// The Gatehouse demo upstream, the agent API and the decisions worker, as `npm run up` runs them.
const upstream = createDemoUpstream();
let api: Server;
let base: string;
let worker: DecisionsWorker;
beforeAll(async () => {
  const upstreamUrl = await upstream.listen(0);
  const port = new URL(upstreamUrl).port;
  process.env.DEMO_UPSTREAM_PORT = port;
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${port}`;
  api = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  worker = startDecisionsWorker(4);
});
afterAll(async () => {
  await worker.close();
  await closeQueues();
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await upstream.close();
});

let agents: DemoAgentSecret[] = [];

describe("demo seed", () => {
  it("creates the API.md §6 tenant once, with a policy that behaves as documented", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gh-seed-"));
    const secretsFile = path.join(dir, "demo-agents.json");
    const first = await seedDemo({ secretsFile });
    const counts = () =>
      withTenant({ tenantId: "ten_demo_acme" }, async (tx) => ({
        members: await tx.membership.count({ where: { tenantId: "ten_demo_acme" } }),
        agents: await tx.agent.count({ where: { tenantId: "ten_demo_acme" } }),
        runs: await tx.run.count({ where: { tenantId: "ten_demo_acme" } }),
        versions: await tx.policyVersion.count({ where: { tenantId: "ten_demo_acme" } }),
        limits: await tx.quota.count({ where: { tenantId: "ten_demo_acme" } }),
        audit: await tx.auditEntry.count({ where: { tenantId: "ten_demo_acme" } }),
        connections: await tx.connection.count({ where: { tenantId: "ten_demo_acme" } }),
        upstreams: await tx.tool.count({ where: { tenantId: "ten_demo_acme", upstreamKind: "http", connectionId: { not: null } } }),
        mapped: await tx.toolOperation.count({ where: { tenantId: "ten_demo_acme", httpMethod: { not: null } } }),
      }));
    const before = await counts();
    expect(before).toMatchObject({ members: 6, agents: 3, versions: 1, limits: 4, connections: 4, upstreams: 4, mapped: 8 });
    const second = await seedDemo({ secretsFile });
    expect(await counts()).toEqual(before); // idempotent
    expect(second).toEqual(first); // the same secrets are kept
    expect(first.map((a) => `${a.tenant}/${a.name}`).sort()).toEqual(["acme/pr-bot", "acme/refund-bot", "acme/triage-bot", "globex/ops-bot"]);
    expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(secretsFile, "utf8"))[0]).toHaveProperty("client_secret");
    agents = first;

    // The demo credentials are vaulted: sealed, never stored or audited in the clear.
    const stored = await withTenant({ tenantId: "ten_demo_acme" }, async (tx) => JSON.stringify([await tx.connection.findMany({ where: { tenantId: "ten_demo_acme" } }), await tx.auditEntry.findMany({ where: { tenantId: "ten_demo_acme" } })], (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
    for (const c of Object.values(DEMO_CREDENTIALS)) expect(stored).not.toContain(c.secret);
    expect(stored).toContain('"sealedSecret":"gh1.');

    const policy = await loadTenantPolicy("ten_demo_acme");
    const ask = (agent: string, tool: string, operation: string, args: Record<string, unknown>, resource?: { type: string; id: string }) =>
      evaluate(policy, { agent: { id: agent, labels: [] }, tool, operation, args, resource }).outcome;
    expect(ask("agt_acme_refund_bot", "stripe", "refunds.create", { charge_id: "ch_1", amount_cents: 9_900 })).toBe("allow");
    expect(ask("agt_acme_refund_bot", "stripe", "refunds.create", { charge_id: "ch_1", amount_cents: 25_000 })).toBe("pending_approval");
    expect(ask("agt_acme_pr_bot", "github", "repos.get", { repo: "acme/web" }, { type: "repo", id: "acme/web" })).toBe("allow");
    expect(ask("agt_acme_pr_bot", "github", "repos.get", { repo: "other/web" }, { type: "repo", id: "other/web" })).toBe("deny");
    expect(evaluate(policy, { agent: { id: "agt_acme_pr_bot", labels: [] }, tool: "github", operation: "pulls.merge", args: { repo: "acme/web", base: "main" }, resource: { type: "repo", id: "acme/web" } }).approval?.required).toBe(2);
    expect(ask("agt_acme_triage_bot", "slack", "chat.postMessage", { channel: "#support-eu", text: "hi" })).toBe("allow");
    expect(ask("agt_acme_triage_bot", "slack", "chat.postMessage", { channel: "#general", text: "hi" })).toBe("deny");
    expect(ask("agt_acme_refund_bot", "github", "repos.get", { repo: "acme/web" }, { type: "repo", id: "acme/web" })).toBe("deny");
  }, 60_000);

  it("lets the demo agents call tools through the gateway: credentials injected, approvals release side effects once, calls attested", async () => {
    const client = (name: string) => {
      const a = agents.find((x) => x.tenant === "acme" && x.name === name)!;
      return new GatehouseClient({ baseUrl: base, clientId: a.client_id, clientSecret: a.client_secret });
    };
    const refundBot = client("refund-bot");
    const received = () => upstream.received.filter((r) => r.path === "/v1/refunds");

    const small = await refundBot.callTool("stripe", "refunds.create", { run_id: "run_demo_gateway_test", args: { charge_id: "ch_small", amount_cents: 4200 } });
    expect(small).toMatchObject({ decision: "allow", result: { status: 200, body: { object: "refund", charge: "ch_small", amount: 4200 }, side_effects: [{ system: "stripe", object_type: "refund" }] } });
    expect(received()).toEqual([expect.objectContaining({ credential: "accepted", body: { charge_id: "ch_small", amount_cents: 4200 } })]);

    // Above 100 USD: held for an approver, never sent until approved, then sent exactly once.
    const large = { run_id: "run_demo_gateway_test", args: { charge_id: "ch_large", amount_cents: 25_000 } };
    const pending = await refundBot.callTool("stripe", "refunds.create", large);
    expect(pending.decision).toBe("pending_approval");
    expect(received()).toHaveLength(1);
    const approver = await db().user.findUniqueOrThrow({ where: { email: "approver@acme.test" } });
    await voteOnApproval({ actor: { user: { id: approver.id, email: approver.email, name: approver.name }, role: "approver", tenant: { id: "ten_demo_acme", slug: "acme", name: "Acme" } }, approvalId: pending.approval!.id, verdict: "approve" });
    const released = await refundBot.callTool("stripe", "refunds.create", { ...large, approval_id: pending.approval!.id });
    expect(released).toMatchObject({ decision: "allow", result: { status: 200, body: { amount: 25_000 } } });
    expect(received().filter((r) => (r.body as { charge_id: string }).charge_id === "ch_large")).toHaveLength(1);

    // A denied call never reaches the demo upstream.
    const chatBefore = upstream.received.filter((r) => r.service === "chat").length;
    expect((await client("triage-bot").callTool("slack", "chat.postMessage", { run_id: "run_demo_gateway_test_2", args: { channel: "#general", text: "hi" } })).decision).toBe("deny");
    expect(upstream.received.filter((r) => r.service === "chat")).toHaveLength(chatBefore);

    // The server attests each executed call and its result in the run's timeline.
    await expect
      .poll(async () => (await listRunEvents({ tenantId: "ten_demo_acme", externalId: "run_demo_gateway_test", limit: 100 })).events.filter((e) => e.type.startsWith("gateway.")).map((e) => `${e.type} ${e.source}`), { timeout: 10_000 })
      .toEqual(["gateway.call server", "gateway.result server", "gateway.call server", "gateway.result server"]);

    // And the demo workflows run end to end through the gateway.
    demoOptions.approvalWaitMs = 1_000;
    for (const [name, workflow] of Object.entries(WORKFLOWS)) {
      const gh = client(name);
      await expect(workflow(gh)).resolves.toMatch(/^(succeeded|failed|escalated)$/);
      await gh.flush();
    }
    expect(upstream.received.every((r) => r.credential === "accepted")).toBe(true);
  }, 60_000);
});
