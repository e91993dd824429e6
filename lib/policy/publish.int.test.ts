import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import type { Prisma } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { backtestDraft } from "./backtest-draft";
import { capabilityReport } from "./capability-report";
import { getPolicy, getPolicyVersion, rollbackPolicy, saveDraft } from "./manage-policy";

describe("publishing", () => {
  it("reaches a second process within a second", async () => {
    const { tenant, owner } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["*"] })]);
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/policy-probe.ts", tenant.id], { env: process.env, stdio: "pipe" });
    const lines: { version: number; live: boolean; at: number }[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => lines.push(JSON.parse(line)));
    try {
      // Wait until the child holds version 1 from a live channel (so it is cached, not re-read).
      await expect.poll(() => lines.some((l) => l.version === 1 && l.live), { timeout: 15_000 }).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      const published = await publishRules(owner, [rule({ tool: "stripe", operations: ["*"] }), rule({ tool: "github", operations: ["*"] })]);
      const publishedAt = Date.now();
      await expect.poll(() => lines.find((l) => l.version === published.version), { timeout: 5_000, interval: 20 }).toBeTruthy();
      const seen = lines.find((l) => l.version === published.version)!;
      expect(seen.at - publishedAt).toBeLessThan(1000);
    } finally {
      child.stdin.end();
      child.kill("SIGTERM");
    }
  }, 30_000);

  it("keeps drafts with problems, refuses to publish them, and versions are immutable and diffed", async () => {
    const { tenant, owner } = await createPolicyTenant();
    const saved = await saveDraft({ actor: owner, rules: [rule({ tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cent", value: 5 }] })] });
    expect(saved.problems[0]).toMatchObject({ field: "constraints", message: expect.stringContaining("amount_cent is not an argument") });
    expect((await getPolicy({ tenantId: tenant.id })).draft).toHaveLength(1); // nothing lost
    const raw = await saveDraft({ actor: owner, rules: [rule({ tool: "stripe", operations: ["refunds.create"], cedar: 'context.args["amount_cents"] > "x"' })] });
    expect(raw.problems[0]!.field).toBe("cedar");

    const v1 = await publishRules(owner, [rule({ id: "r_aaaaaa01", name: "refunds", tool: "stripe", operations: ["refunds.create"] })]);
    const v2 = await publishRules(owner, [rule({ id: "r_aaaaaa01", name: "refunds", tool: "stripe", operations: ["refunds.create"], approval: { tier: "always" } }), rule({ id: "r_aaaaaa02", name: "reads", tool: "stripe", operations: ["charges.retrieve"] })]);
    expect(v2.summary).toContain("1 added, 1 changed");
    const shown = await getPolicyVersion({ tenantId: tenant.id, version: v2.version });
    expect(shown?.changes.map((c) => c.kind).sort()).toEqual(["added", "changed"]);
    expect(shown?.cedar).toContain('@id("r_aaaaaa02")');

    const v3 = await rollbackPolicy({ actor: owner, version: v1.version });
    expect(v3.version).toBe(v2.version + 1);
    const policy = await getPolicy({ tenantId: tenant.id });
    expect(policy.published?.rules.map((r) => r.id)).toEqual(["r_aaaaaa01"]);
    expect(policy.versions.map((v) => v.version)).toEqual([v3.version, v2.version, v1.version]);
    const audit = await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.findMany({ where: { tenantId: tenant.id, action: { startsWith: "policy." } } }));
    expect(audit.map((a) => a.action).sort()).toEqual(["policy.published", "policy.published", "policy.rolled_back"]);
  });
});

describe("backtest and capability report", () => {
  it("shows what a draft would change on recorded decisions, with examples", async () => {
    const { tenant, owner, agent } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["charges.retrieve"] })]);
    await withTenant({ tenantId: tenant.id }, (tx) =>
      tx.decision.createMany({
        data: [100, 20_000, 30_000].map((amount, i): Prisma.DecisionCreateManyInput => ({
          id: `dec_bt_${i}_${tenant.id}`,
          tenantId: tenant.id,
          agentId: agent.id,
          runExternalId: "run_bt",
          tool: "stripe",
          operation: "refunds.create",
          actionHash: `h${i}`,
          args: { charge_id: "ch_1", amount_cents: amount },
          outcome: "deny" as const,
        })).concat([{ id: `dec_bt_r_${tenant.id}`, tenantId: tenant.id, agentId: agent.id, runExternalId: "run_bt", tool: "stripe", operation: "charges.retrieve", actionHash: "hr", args: { charge_id: "ch_1" }, outcome: "allow" as const }]),
      }),
    );
    const draft = [rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "threshold", arg: "amount_cents", above: 10_000 } })];
    const result = await backtestDraft({ tenantId: tenant.id, rules: draft });
    expect(result.evaluated).toBe(4);
    expect(result.totals).toMatchObject({ deniedToAllowed: 1, newlyNeedingApproval: 2, allowedToDenied: 1 });
    const toApproval = result.changes.find((c) => c.transition === "deny->pending_approval")!;
    expect(toApproval).toMatchObject({ agentId: agent.id, operation: "refunds.create", count: 2 });
    expect(toApproval.examples).toHaveLength(2);
  });

  it("answers which agents can move money or deploy, with the granting rule", async () => {
    const { tenant, owner, agent } = await createPolicyTenant({ labels: ["payments"] });
    await publishRules(owner, [
      rule({ name: "refunds", tool: "stripe", operations: ["*"], groups: ["payments"], approval: { tier: "threshold", arg: "amount_cents", above: 100 } }),
      rule({ name: "no merges", tool: "github", operations: ["pulls.merge"], effect: "forbid" }),
      rule({ name: "merges", tool: "github", operations: ["pulls.merge"], groups: ["engineering"] }),
    ]);
    const report = await capabilityReport({ tenantId: tenant.id });
    expect(report.grants).toEqual([
      expect.objectContaining({ agentId: agent.id, capability: "money", tool: "stripe", operation: "refunds.create", ruleName: "refunds", approval: "threshold" }),
    ]);
  });
});
