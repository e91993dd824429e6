import { mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { evaluate, loadTenantPolicy } from "@/lib/policy/engine";
import { seedDemo } from "./seed-demo";

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
      }));
    const before = await counts();
    expect(before).toMatchObject({ members: 6, agents: 3, versions: 1, limits: 4 });
    const second = await seedDemo({ secretsFile });
    expect(await counts()).toEqual(before); // idempotent
    expect(second).toEqual(first); // the same secrets are kept
    expect(first.map((a) => `${a.tenant}/${a.name}`).sort()).toEqual(["acme/pr-bot", "acme/refund-bot", "acme/triage-bot", "globex/ops-bot"]);
    expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(secretsFile, "utf8"))[0]).toHaveProperty("client_secret");

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
});
