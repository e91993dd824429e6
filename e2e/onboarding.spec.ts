import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { createDemoUpstream } from "../lib/demo/demo-upstream";
import { DEMO_CREDENTIALS } from "../lib/demo/demo-upstream-credentials";
import { publishRules } from "./support/policy";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

/**
 * First run, as a new customer tries it: sign up, and the overview leads through register
 * an agent → its credential → a tool with an upstream and a vaulted connection → a rule →
 * the first call. Steps tick from real data (while the page stays open), the snippets carry
 * the base URL and the agent's client id, the first call goes through the MCP endpoint and
 * shows on its run as attested, and the agent page explains its tools/list.
 */
test("first run: from sign-up to the first governed MCP call, the overview's checklist ticks itself", async ({ page, request }) => {
  test.setTimeout(150_000);
  const upstream = createDemoUpstream();
  const upstreamUrl = await upstream.listen(0);
  const id = randomBytes(4).toString("hex");
  try {
    await page.goto("/signup");
    await page.getByLabel("Your name").fill("Fay First");
    await page.getByLabel("Work email").fill(`first-run-${id}@e2e.test`);
    await page.getByLabel("Password").fill("a-long-password");
    await page.getByLabel("Organization").fill(`First Run ${id}`);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `First Run ${id}` })).toBeVisible();
    const slug = new URL(page.url()).pathname.split("/")[2]!;
    const base = new URL(page.url()).origin;

    // Nothing done yet, and the one member cannot approve their own agents' requests.
    const checklist = page.getByTestId("onboarding");
    const step = (name: string) => checklist.getByTestId(`onboarding-step-${name}`);
    await expect(checklist.getByTestId("onboarding-progress")).toHaveText("0 of 5 done");
    for (const name of ["agent", "credential", "tool", "rule", "call"]) await expect(step(name)).toHaveAttribute("data-done", "false");
    const gap = checklist.getByTestId("approver-gap");
    await expect(gap).toContainText("Only one member can approve requests.");
    await expect(gap.getByRole("link", { name: "Invite an approver" })).toHaveAttribute("href", `/t/${slug}/settings/members`);

    // 1. Its button leads to registering an agent.
    await step("agent").getByRole("link", { name: "Register an agent" }).click();
    await expect(page).toHaveURL(new RegExp(`/t/${slug}/agents/new$`));
    await page.getByLabel("Name", { exact: true }).fill("first-agent");
    await page.getByRole("button", { name: "Register agent" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "first-agent" })).toBeVisible();
    const agentId = new URL(page.url()).pathname.split("/").pop()!;

    // 2. Back on the overview, the next step leads to the agent's page for its credential.
    await page.goto(`/t/${slug}`);
    await expect(step("agent")).toHaveAttribute("data-done", "true");
    await expect(gap).toContainText("Nobody can approve requests of first-agent.");
    await step("credential").getByRole("link", { name: "Add a credential to first-agent" }).click();
    await expect(page).toHaveURL(new RegExp(`/t/${slug}/agents/${agentId}$`));
    await page.getByRole("button", { name: "Add credential" }).click();
    await page.getByLabel("Label", { exact: true }).fill("first");
    await page.getByRole("button", { name: "Create credential" }).click();
    const secret = (await page.getByTestId("one-time-secret").textContent())!.trim();

    // The snippets: keyboard-driven tabs, copied with the base URL and the client id, never the secret.
    await page.goto(`/t/${slug}`);
    await expect(checklist.getByTestId("onboarding-progress")).toHaveText("2 of 5 done");
    const snippets = checklist.getByTestId("connect-snippets");
    const curlTab = snippets.getByRole("tab", { name: "curl" });
    await expect(curlTab).toHaveAttribute("aria-selected", "true");
    await curlTab.focus();
    await page.keyboard.press("Tab");
    await expect(snippets.getByRole("button", { name: "Copy the curl snippet" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(snippets.getByRole("button", { name: "Copy the curl snippet" })).toHaveText(/Copied/);
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain(`curl -s ${base}/api/v1/oauth/token`);
    expect(curl).toContain(`client_id=${agentId}`);
    expect(curl).not.toContain(secret);
    await curlTab.focus();
    await page.keyboard.press("End");
    await expect(snippets.getByRole("tab", { name: "LangChain" })).toBeFocused();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    const cursorTab = snippets.getByRole("tab", { name: "Cursor" });
    await expect(cursorTab).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const cursor = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { mcpServers: { gatehouse: { url: string } } };
    expect(cursor.mcpServers.gatehouse.url).toBe(`${base}/api/v1/mcp`);

    // 3 and 4 happen elsewhere (here: the console API); the open page ticks by itself.
    const api = `/api/console/t/${slug}`;
    const connection = await page.request.post(`${api}/connections`, {
      data: { name: "payments-demo", kind: "bearer", secret: DEMO_CREDENTIALS.payments.secret, allowedHosts: [new URL(upstreamUrl).host] },
    });
    expect(connection.status()).toBe(201);
    const connectionId = ((await connection.json()) as { connection: { id: string } }).connection.id;
    const tool = await page.request.post(`${api}/tools`, { data: { name: "payments", displayName: "Payments" } });
    expect(tool.status()).toBe(201);
    const toolId = ((await tool.json()) as { tool: { id: string } }).tool.id;
    const refundSchema = { type: "object", properties: { charge_id: { type: "string" }, amount_cents: { type: "integer" } }, required: ["charge_id", "amount_cents"] };
    const refunds = await page.request.post(`${api}/tools/${toolId}/operations`, { data: { name: "refunds.create", riskClass: "money", reversible: false, argsSchema: refundSchema } });
    expect(refunds.status()).toBe(201);
    const refundsId = ((await refunds.json()) as { operation: { id: string } }).operation.id;
    expect((await page.request.post(`${api}/tools/${toolId}/operations`, { data: { name: "charges.retrieve", riskClass: "read", reversible: true } })).status()).toBe(201);
    expect((await page.request.patch(`${api}/tools/${toolId}`, { data: { upstream: { kind: "http", baseUrl: upstreamUrl, connectionId } } })).status()).toBe(200);
    expect((await page.request.patch(`${api}/tools/${toolId}/operations/${refundsId}`, { data: { http: { method: "POST", path: "/v1/refunds" } } })).status()).toBe(200);
    await expect(step("tool")).toHaveAttribute("data-done", "true", { timeout: 15_000 });
    await expect(step("tool")).toContainText("payments goes through the gateway");
    await publishRules(page.request, slug, [
      { id: `r_e2e${randomBytes(4).toString("hex")}`, name: "Refunds", tool: "payments", operations: ["refunds.create"] },
      { id: `r_e2e${randomBytes(4).toString("hex")}`, name: "No charge lookups", tool: "payments", operations: ["charges.retrieve"], effect: "forbid" },
    ]);
    await expect(step("rule")).toHaveAttribute("data-done", "true", { timeout: 15_000 });
    await expect(checklist.getByTestId("onboarding-progress")).toHaveText("4 of 5 done");
    await expect(step("call")).toContainText("Waiting for the first call");

    // 5. The agent's first call, through the MCP endpoint with a token bound to it.
    const issued = await request.post("/api/v1/oauth/token", {
      form: { grant_type: "client_credentials", client_id: agentId, client_secret: secret, resource: `${base}/api/v1/mcp` },
    });
    expect(issued.status()).toBe(200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const rpc = async (method: string, params: Record<string, unknown>) => {
      const res = await request.post("/api/v1/mcp", {
        headers: { authorization: `Bearer ${token}`, accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
        data: { jsonrpc: "2.0", id: 1, method, params },
      });
      expect(res.status()).toBe(200);
      return ((await res.json()) as { result: Record<string, unknown> }).result;
    };
    expect(((await rpc("tools/list", {})).tools as { name: string }[]).map((t) => t.name)).toEqual(["payments__refunds_create"]);
    const runId = `run_first_${id}`;
    const called = await rpc("tools/call", { name: "payments__refunds_create", arguments: { charge_id: "ch_first", amount_cents: 1200 }, _meta: { "gatehouse/run_id": runId } });
    expect(called.isError ?? false).toBe(false);
    expect(upstream.received.filter((r) => r.path === "/v1/refunds")).toEqual([expect.objectContaining({ credential: "accepted" })]);

    // All set: the card collapses; its setup stays one click away, with the last call and its run.
    await expect(checklist).toContainText("All set.", { timeout: 20_000 });
    await checklist.getByRole("button", { name: "Show setup and snippets" }).click();
    await expect(checklist.getByTestId("onboarding-progress")).toHaveText("5 of 5 done");
    await expect(step("call")).toContainText("Last call: payments refunds.create (allow)");
    await step("call").getByRole("link", { name: "Open its run" }).click();

    // The run page: the MCP call is an attested gateway call like any other.
    await expect(page.getByRole("heading", { level: 1, name: runId })).toBeVisible();
    const result = page.getByTestId("timeline").getByTestId("timeline-row").filter({ hasText: "gateway.result" });
    await expect(result).toContainText("Attested by Gatehouse", { timeout: 15_000 });
    await expect(result).toContainText("HTTP 200");

    // The agent page: its MCP endpoint and why each operation is or is not in its tools/list.
    await page.goto(`/t/${slug}/agents/${agentId}`);
    const mcp = page.getByTestId("mcp-view");
    await expect(mcp.getByTestId("mcp-endpoint")).toHaveText(`${base}/api/v1/mcp`);
    await expect(mcp).toContainText("1 of 2 operations in tools/list");
    await expect(mcp.getByTestId("mcp-revisions")).toContainText("Speaks MCP 2026-07-28");
    const listed = mcp.getByTestId("mcp-op-payments-refunds.create");
    await expect(listed).toContainText("payments__refunds_create");
    await expect(listed).toContainText("Listed");
    await expect(listed).toContainText("Permitted by “Refunds”.");
    await mcp.getByText("Not listed (1), and why").click();
    await expect(mcp.getByTestId("mcp-op-payments-charges.retrieve")).toContainText("Forbidden by “No charge lookups”, whatever the arguments.");
    await expect(mcp.getByTestId("connect-snippets")).toContainText(`client_id=${agentId}`);

    // Approvals say where separation of duties bites, with the way out.
    await page.goto(`/t/${slug}/approvals`);
    await expect(page.getByTestId("approver-gap")).toContainText("Nobody can approve requests of first-agent.");
    await expect(page.getByTestId("approver-gap").getByRole("link", { name: "Invite an approver" })).toBeVisible();

    // Once complete, the checklist can be dismissed for good (in this browser).
    await page.goto(`/t/${slug}`);
    await expect(checklist).toContainText("All set.");
    await checklist.getByRole("button", { name: "Dismiss" }).click();
    await expect(checklist).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: `First Run ${id}` })).toBeVisible();
    await expect(checklist).toHaveCount(0);
  } finally {
    await upstream.close();
  }
});
