/**
 * tools/list with its reasons: the same analysis serves the MCP endpoint's list and the
 * console's explanation of it, so every listed operation is explained and every
 * operation the list leaves out says why.
 */
import { describe, expect, it } from "vitest";
import { createConnection } from "@/lib/connections/create-connection";
import { updateConnection } from "@/lib/connections/update-connection";
import { withTenant } from "@/lib/db/tenant";
import { engageKillSwitch } from "@/lib/kill-switches/engage-kill-switch";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { analyzeMcpTools, toolsListResult, type OperationListing } from "./list-mcp-tools";

const principal = (ctx: Awaited<ReturnType<typeof createPolicyTenant>>) => ({ agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: "j", credentialId: "c" });
const byName = (listings: OperationListing[]) => Object.fromEntries(listings.map((l) => [`${l.toolName} ${l.operation}`, l]));

describe("analyzeMcpTools", () => {
  it("explains every operation: permitted, forbidden, conditionally forbidden, shadow-only, not named", async () => {
    const ctx = await createPolicyTenant({ labels: ["support"] });
    const refunds = rule({ name: "Small refunds", tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 10_000 }] });
    const github = rule({ name: "GitHub", tool: "github", operations: ["*"] });
    const noMerge = rule({ name: "No merges", tool: "github", operations: ["pulls.merge"], effect: "forbid" });
    const slack = rule({ name: "Slack", groups: ["support"], tool: "slack", operations: ["*"] });
    const noGeneral = rule({ name: "Not #general", tool: "slack", operations: ["chat.postMessage"], effect: "forbid", constraints: [{ op: "equals", arg: "channel", value: "#general" }] });
    const shadow = rule({ name: "Trying webhooks", tool: "webhooks", operations: ["send"], mode: "shadow" });
    const otherAgent = rule({ name: "Someone else's", agents: ["agt_someone_else"], tool: "stripe", operations: ["charges.retrieve"] });
    await publishRules(ctx.owner, [refunds, github, noMerge, slack, noGeneral, shadow, otherAgent]);

    const explained = await analyzeMcpTools(principal(ctx), { explain: true });
    const ops = byName(explained);
    expect(Object.keys(ops).sort()).toEqual(["github pulls.merge", "github repos.get", "slack chat.postMessage", "stripe charges.retrieve", "stripe refunds.create", "webhooks send"]);

    expect(ops["stripe refunds.create"]).toMatchObject({ listed: true, mcpName: "stripe__refunds_create", reason: { code: "permitted", rules: [{ id: refunds.id, name: "Small refunds" }] }, notes: [], upstreamProblem: { code: "no_upstream" } });
    expect(ops["github repos.get"]).toMatchObject({ listed: true, reason: { code: "permitted", rules: [{ name: "GitHub" }] } });
    expect(ops["github pulls.merge"]).toMatchObject({ listed: false, reason: { code: "forbidden", rule: { id: noMerge.id, name: "No merges" } }, entry: null, upstreamProblem: null });
    expect(ops["slack chat.postMessage"]).toMatchObject({ listed: true, reason: { code: "permitted", rules: [{ name: "Slack" }] }, notes: [{ code: "conditional_forbid", rule: { name: "Not #general" } }] });
    expect(ops["webhooks send"]).toMatchObject({ listed: false, reason: { code: "no_permit_rule", shadowRules: [{ id: shadow.id, name: "Trying webhooks" }] } });
    expect(ops["stripe charges.retrieve"]).toMatchObject({ listed: false, reason: { code: "no_permit_rule", shadowRules: [] } });

    // tools/list is exactly the listed entries, the same with or without the explanation.
    const listed = (await toolsListResult(principal(ctx))).tools;
    expect(listed.map((t) => t.name)).toEqual(["github__repos_get", "slack__chat_postMessage", "stripe__refunds_create"]);
    expect(listed).toEqual(explained.flatMap((l) => (l.entry ? [l.entry.tool] : [])));
    const quick = await analyzeMcpTools(principal(ctx), { explain: false });
    expect(quick.every((l) => l.listed && l.notes.length === 0 && l.upstreamProblem === null)).toBe(true);
    expect(quick.map((l) => l.mcpName)).toEqual(listed.map((t) => t.name));

    // The agent outside the group loses the group's rule.
    const outsider = await analyzeMcpTools({ ...principal(ctx), labels: [] }, { explain: true });
    expect(byName(outsider)["slack chat.postMessage"]).toMatchObject({ listed: false, reason: { code: "no_permit_rule" } });
  });

  it("says what stops a listed operation from executing: upstream, connection, mapping, kill switch", async () => {
    const ctx = await createPolicyTenant();
    await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"] })]);
    const refundOf = async () => byName(await analyzeMcpTools(principal(ctx), { explain: true }))["stripe refunds.create"]!;
    expect((await refundOf()).upstreamProblem).toEqual({ code: "no_upstream" });

    const { toolId, operationId } = await withTenant({ tenantId: ctx.tenant.id }, async (tx) => {
      const op = await tx.toolOperation.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, name: "refunds.create" } });
      return { toolId: op.toolId, operationId: op.id };
    });
    const connection = await createConnection({ actor: ctx.owner, request: { name: "stripe-live", kind: "bearer", secret: "sk_test_x", allowedHosts: ["api.stripe.test"] } });
    await updateTool({ actor: ctx.owner, toolId, changes: { upstream: { kind: "http", baseUrl: "https://api.stripe.test", connectionId: connection.id, timeoutMs: 2_000, maxResponseBytes: 4096 } } });
    await expect.poll(async () => (await refundOf()).upstreamProblem).toEqual({ code: "no_http_mapping" });
    await updateOperation({ actor: ctx.owner, toolId, operationId, changes: { http: { method: "POST", path: "/v1/refunds" } } });
    await expect.poll(async () => (await refundOf()).upstreamProblem).toBeNull();
    await updateConnection({ actor: ctx.owner, connectionId: connection.id, changes: { status: "disabled" } });
    await expect.poll(async () => (await refundOf()).upstreamProblem).toEqual({ code: "connection_disabled", connection: "stripe-live" });

    await engageKillSwitch({ actor: ctx.owner, request: { scope: "tool", target: "stripe", reason: "incident 42" } });
    await expect.poll(async () => (await refundOf()).notes).toEqual([{ code: "tool_halted", reason: "incident 42" }]);
    // Still listed: a kill switch denies each call, it does not change what the policy could allow.
    expect((await refundOf()).listed).toBe(true);
  });

  it("lists nothing, with every operation explained, before a policy is published", async () => {
    const ctx = await createPolicyTenant();
    expect((await toolsListResult(principal(ctx))).tools).toEqual([]);
    const explained = await analyzeMcpTools(principal(ctx), { explain: true });
    expect(explained).toHaveLength(6);
    expect(explained.every((l) => !l.listed && l.reason.code === "no_permit_rule")).toBe(true);
  });
});
