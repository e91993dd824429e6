import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createDemoUpstream } from "../lib/demo/demo-upstream";
import { startMcpUpstream } from "../lib/testing/mcp-upstream";
import { DEMO_CREDENTIALS } from "../lib/demo/demo-upstream-credentials";
import { registerAgentWithToken } from "./support/agent";
import { addTool, publishRules } from "./support/policy";
import { signIn, signUpUser } from "./support/session";

/**
 * The gateway end to end: an admin vaults a credential, gives a tool an upstream (the
 * Gatehouse demo upstream, started here) and maps its operation, publishes a rule; an agent
 * holding no credential calls the tool through the gateway; the call appears on the run
 * page attested by Gatehouse with the upstream's status. The secret never shows anywhere.
 */
test("gateway: connection and upstream set up in the console, an agent's call executed with the vaulted credential and attested on the run page", async ({ page, request }) => {
  test.setTimeout(90_000);
  const upstream = createDemoUpstream();
  const upstreamUrl = await upstream.listen(0);
  const host = new URL(upstreamUrl).host;
  const secret = DEMO_CREDENTIALS.payments.secret;
  try {
    const owner = await signUpUser(request, "gateway");
    const slug = owner.slug;
    await signIn(page, owner.email, owner.password);
    await addTool(page.request, slug, { name: "payments", displayName: "Payments" }, [
      {
        name: "refunds.create",
        riskClass: "money",
        reversible: false,
        argsSchema: { type: "object", properties: { charge_id: { type: "string" }, amount_cents: { type: "integer" } }, required: ["charge_id", "amount_cents"] },
      },
    ]);

    // Settings → Connections: empty, then a credential stored through the dialog.
    await page.goto(`/t/${slug}/settings`);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Connections" }).click();
    await expect(page.getByText("No connections yet")).toBeVisible();
    await page.getByRole("button", { name: "New connection" }).click();
    const form = page.getByRole("form", { name: "New connection" });
    await form.getByLabel("Name").fill("payments-demo");
    await form.getByLabel("Token").fill(secret);
    await form.getByLabel("Allowed hosts").fill(host);
    await form.getByRole("button", { name: "Store connection" }).click();
    const row = page.getByTestId("connection-payments-demo");
    await expect(row).toContainText("Active");
    await expect(row).toContainText(host);
    await expect(row).toContainText("no tool");

    // The tool registry: the tool is advisory until it has an upstream with the connection.
    await page.goto(`/t/${slug}/policies/tools`);
    const tool = page.getByTestId("tool-payments");
    await expect(tool.getByTestId("coverage").first()).toContainText("Advisory");
    await tool.getByRole("button", { name: "Upstream of payments" }).click();
    await tool.getByLabel("Base URL").fill(upstreamUrl);
    await tool.getByLabel("Connection").selectOption({ label: `payments-demo (${host})` });
    await tool.getByRole("button", { name: "Save upstream" }).click();
    await expect(tool.getByTestId("coverage").first()).toContainText("Enforced");
    await expect(tool.getByTestId("upstream")).toContainText(upstreamUrl);
    await tool.getByRole("button", { name: "Edit refunds.create" }).click();
    await tool.getByLabel("Method").selectOption("POST");
    await tool.getByLabel("Path").fill("/v1/refunds");
    await tool.getByLabel("Side effect type").fill("refund");
    await tool.getByLabel("Its id field").fill("id");
    await tool.getByLabel("Its link field").fill("url");
    await tool.getByLabel("Spend read from").selectOption("args");
    await tool.getByLabel("Spend field").fill("amount_cents");
    await tool.getByLabel("Unit").selectOption("cents");
    await tool.getByRole("button", { name: "Save operation" }).click();
    await expect(tool.getByTestId("operation-refunds.create")).toContainText("POST /v1/refunds");
    await expect(tool.getByTestId("operation-refunds.create")).toContainText("spend: args.amount_cents (cents)");

    // The connection is used by the tool now, and the upstream accepts it.
    await page.goto(`/t/${slug}/settings/connections`);
    await expect(row).toContainText("payments");
    await row.getByRole("button", { name: "Test payments-demo" }).click();
    await expect(row.getByTestId("test-result")).toContainText("Accepted");

    // A rule, then the agent's call through the gateway: it holds no credential at all.
    await publishRules(page.request, slug, [{ id: `r_e2e${randomBytes(4).toString("hex")}`, name: "Refunds", tool: "payments", operations: ["refunds.create"] }]);
    const { token } = await registerAgentWithToken(page.request, request, slug, { name: "refund-agent" });
    const runId = `run_gw_${randomBytes(4).toString("hex")}`;
    const call = await request.post("/api/v1/gateway/payments/refunds.create", {
      headers: { authorization: `Bearer ${token}` },
      data: { run_id: runId, args: { charge_id: "ch_e2e", amount_cents: 4200 } },
    });
    expect(call.status()).toBe(200);
    const answerText = await call.text();
    expect(answerText).not.toContain(secret);
    const answer = JSON.parse(answerText) as { decision: string; result: { status: number; body: { id: string }; side_effects: { object_type: string; object_id: string }[] } };
    expect(answer).toMatchObject({ decision: "allow", result: { status: 200, side_effects: [{ object_type: "refund" }] } });
    expect(upstream.received.filter((r) => r.path === "/v1/refunds")).toEqual([expect.objectContaining({ credential: "accepted", body: { charge_id: "ch_e2e", amount_cents: 4200 } })]);

    // The run page: the call and its result, attested by Gatehouse, with the upstream's status.
    await page.goto(`/t/${slug}/runs`);
    await expect(page.getByTestId("run-row").filter({ hasText: runId })).toHaveCount(1, { timeout: 15_000 });
    await page.getByTestId("run-row").filter({ hasText: runId }).getByRole("link").first().click();
    const timeline = page.getByTestId("timeline");
    const result = timeline.getByTestId("timeline-row").filter({ hasText: "gateway.result" });
    await expect(result).toContainText("Attested by Gatehouse", { timeout: 15_000 });
    await expect(result).toContainText("HTTP 200");
    await expect(result).toContainText("$42.00 spent");
    await expect(timeline.getByTestId("timeline-row").filter({ hasText: "gateway.call" })).toContainText("Attested by Gatehouse");
    await result.click();
    const attested = page.getByTestId("attested-call");
    await expect(attested.getByTestId("upstream-status")).toHaveText("HTTP 200");
    await expect(attested).toContainText(answer.result.body.id);
    expect(await page.content()).not.toContain(secret);

    // Connection lifecycle, each step confirmed: rotate with an overlap, disable (the tool turns advisory), enable.
    await page.goto(`/t/${slug}/settings/connections`);
    await row.getByRole("button", { name: "Rotate payments-demo" }).click();
    const rotate = page.getByRole("form", { name: "Rotate payments-demo" });
    await rotate.getByLabel("New secret").fill(`${secret}_next`);
    await rotate.getByLabel("Overlap").selectOption({ label: "1 hour" });
    await rotate.getByRole("button", { name: "Rotate secret" }).click();
    await expect(row).toContainText("previous secret valid until");
    await row.getByRole("button", { name: "Disable payments-demo" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable connection" }).click();
    await expect(row).toContainText("Disabled");
    await page.goto(`/t/${slug}/policies/tools`);
    await expect(tool.getByTestId("coverage").first()).toContainText("Advisory");
    await page.goto(`/t/${slug}/settings/connections`);
    await row.getByRole("button", { name: "Enable payments-demo" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Enable connection" }).click();
    await expect(row).toContainText("Active");
    // In use: deleting it is refused, and the dialog says why.
    await row.getByRole("button", { name: "Delete payments-demo" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete connection" }).click();
    await expect(page.getByRole("dialog").getByRole("alert")).toBeVisible();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await expect(row).toBeVisible();
    expect(await page.content()).not.toContain(secret);
  } finally {
    await upstream.close();
  }
});

test("gateway: a remote MCP server as a tool's upstream, chosen in the console, called through Gatehouse's MCP endpoint and attested", async ({ page, request, baseURL }) => {
  test.setTimeout(90_000);
  const token = `mcp_e2e_${randomBytes(12).toString("hex")}`;
  const upstream = await startMcpUpstream({ token });
  const host = new URL(upstream.base).host;
  try {
    const owner = await signUpUser(request, "mcpup");
    const slug = owner.slug;
    await signIn(page, owner.email, owner.password);
    await addTool(page.request, slug, { name: "code", displayName: "Code" }, [
      { name: "repos.get", riskClass: "read", reversible: true, argsSchema: { type: "object", properties: { repo: { type: "string" } }, required: ["repo"] } },
    ]);
    const created = await page.request.post(`/api/console/t/${slug}/connections`, { data: { name: "code-mcp", kind: "bearer", secret: token, allowedHosts: [host] } });
    expect(created.status()).toBe(201);

    await page.goto(`/t/${slug}/policies/tools`);
    const tool = page.getByTestId("tool-code");
    await tool.getByRole("button", { name: "Upstream of code" }).click();
    await tool.getByLabel("Kind").selectOption({ label: "MCP server (Streamable HTTP)" });
    await tool.getByLabel("MCP endpoint URL").fill(`${upstream.base}/mcp`);
    await tool.getByLabel("Connection").selectOption({ label: `code-mcp (${host})` });
    await tool.getByRole("button", { name: "Save upstream" }).click();
    await expect(page.getByText("each operation is called as the MCP tool of the same name")).toBeVisible();
    await expect(tool.getByTestId("upstream")).toContainText(`the MCP server ${upstream.base}/mcp`);
    await expect(tool.getByTestId("coverage").first()).toContainText("Enforced");
    await expect(tool.getByTestId("operation-repos.get")).toContainText("tools/call repos.get");

    await publishRules(page.request, slug, [{ id: `r_e2e${randomBytes(4).toString("hex")}`, name: "Read repos", tool: "code", operations: ["repos.get"] }]);
    const agent = await registerAgentWithToken(page.request, request, slug, { name: "code-agent" });
    const runId = `run_mcp_${randomBytes(4).toString("hex")}`;
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseURL}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${agent.token}`, "x-gatehouse-run-id": runId } } }));
    const result = await client.callTool({ name: "code__repos_get", arguments: { repo: "acme/api" } });
    await client.close();
    expect(result.isError).toBe(false);
    expect(result.content).toEqual([{ type: "text", text: expect.stringMatching(/^repos\.get done: obj_/) }]);
    expect(upstream.calls).toEqual([{ name: "repos.get", args: { repo: "acme/api" } }]);

    await page.goto(`/t/${slug}/runs`);
    await expect(page.getByTestId("run-row").filter({ hasText: runId })).toHaveCount(1, { timeout: 15_000 });
    await page.getByTestId("run-row").filter({ hasText: runId }).getByRole("link").first().click();
    const call = page.getByTestId("timeline").getByTestId("timeline-row").filter({ hasText: "gateway.call" });
    await expect(call).toContainText("Attested by Gatehouse", { timeout: 15_000 });
    await expect(call).toContainText("MCP tools/call");
    expect(await page.content()).not.toContain(token);
  } finally {
    await upstream.close();
  }
});
