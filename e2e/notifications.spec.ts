import { expect, test } from "@playwright/test";
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { registerAgentWithToken } from "./support/agent";
import { addTool, publishRules } from "./support/policy";
import { joinAs, signIn, signUpUser } from "./support/session";

test("webhook settings: configure, the secret shown once, send test to a local receiver, delivered and correctly signed", async ({ page, request }) => {
  test.setTimeout(60_000);
  // The receiver: a plain HTTP server on this machine (the worker delivers to it).
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack-like`;

  try {
    const owner = await signUpUser(request, "webhooks");
    await signIn(page, owner.email, owner.password);
    await page.goto(`/t/${owner.slug}/settings`);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Notifications" }).click();
    await expect(page).toHaveURL(new RegExp(`/t/${owner.slug}/settings/notifications$`));
    await expect(page.getByRole("table", { name: "Webhook deliveries" })).toContainText("No deliveries yet.");

    // Not http(s): refused in the form.
    const url = page.getByLabel("Webhook URL");
    await url.fill("ftp://example.com/hook");
    await expect(page.getByText("Enter an http:// or https:// URL.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create webhook" })).toBeDisabled();

    await url.fill(hookUrl);
    await page.getByRole("button", { name: "Create webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    await expect(page.getByTestId("secret-hint")).toHaveText(`${secret.slice(0, 6)}…${secret.slice(-4)}`);

    // Reloaded, the secret is gone for good; only the hint stays.
    await page.reload();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    await expect(page.getByLabel("Webhook URL")).toHaveValue(hookUrl);
    expect(await page.content()).not.toContain(secret);

    await page.getByRole("button", { name: "Send test" }).click();
    const row = page.getByTestId("delivery-test");
    await expect(row).toBeVisible();
    await expect(row).toContainText("delivered", { timeout: 15_000 });
    await expect(row).toContainText("HTTP 200");

    // What arrived: Slack-compatible JSON, signed with the secret shown once.
    expect(received).toHaveLength(1);
    const [hit] = received;
    const body = JSON.parse(hit!.body) as { text: string; blocks: unknown[]; gatehouse: { kind: string } };
    expect(body.text).toContain("Test message from Gatehouse");
    expect(body.blocks.length).toBeGreaterThan(0);
    expect(body.gatehouse.kind).toBe("test");
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(hit!.headers["x-gatehouse-signature"] as string)!;
    expect(createHmac("sha256", secret).update(`${t}.${hit!.body}`).digest("hex")).toBe(v1);

    // Disabled: "Send test" is off and nothing more is sent.
    await page.getByLabel("Enabled (when off, nothing is sent)").uncheck();
    await page.getByRole("button", { name: "Save webhook" }).click();
    await expect(page.getByRole("button", { name: "Send test" })).toBeDisabled();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("approver groups: set on the members page, required by a rule, shown signed and missing on the request page until both sign", async ({ browser, page, request }) => {
  test.setTimeout(120_000);
  const owner = await signUpUser(request, "groups");
  await signIn(page, owner.email, owner.password);
  const slug = owner.slug;

  await addTool(page.request, slug, { name: "stripe", displayName: "Stripe" }, [
    { name: "payouts.create", riskClass: "money", reversible: false, argsSchema: { type: "object", properties: { amount_cents: { type: "integer" } }, required: ["amount_cents"] } },
  ]);
  const { token } = await registerAgentWithToken(page.request, request, slug, { name: "payout-bot" });

  const rule = {
    id: `r_e2e${randomBytes(4).toString("hex")}`,
    name: "Payouts need security and finance",
    tool: "stripe",
    operations: ["payouts.create"],
    approval: { tier: "always", expiresInMinutes: 30, groups: ["security", "finance"] },
  };
  await publishRules(page.request, slug, [rule]);

  const sec = await joinAs(browser, request, page, slug, "sec-approver", "approver");
  const fin = await joinAs(browser, request, page, slug, "fin-approver", "approver");

  // The owner puts them in their groups on the members page.
  await page.goto(`/t/${slug}/settings/members`);
  for (const [who, group] of [[sec.user.email, "security"], [fin.user.email, "finance"]] as const) {
    await page.getByRole("button", { name: `Edit approver groups of ${who}` }).click();
    await page.getByLabel(`Approver groups of ${who}`).fill(group);
    await page.getByTestId(`member-${who}`).getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId(`groups-${who}`)).toContainText(group);
  }

  const asked = await request.post("/api/v1/decisions", {
    headers: { authorization: `Bearer ${token}` },
    data: { run_id: "run_e2e_payout", tool: "stripe", operation: "payouts.create", args: { amount_cents: 500_000 } },
  });
  const answer = (await asked.json()) as { decision: string; approval: { id: string } };
  expect(answer.decision).toBe("pending_approval");
  const approvalId = answer.approval.id;

  // The queue row and the request page show both groups missing.
  await sec.page.goto(`/t/${slug}/approvals`);
  const queueRow = sec.page.getByTestId(`approval-row-${approvalId}`);
  await expect(queueRow.getByTestId("group-security")).toHaveAttribute("data-signed", "no");
  await expect(queueRow.getByTestId("group-finance")).toHaveAttribute("data-signed", "no");
  await sec.page.goto(`/t/${slug}/approvals/${approvalId}`);
  const state = sec.page.getByTestId("approval-state");
  await expect(state.getByTestId("group-security")).toHaveAttribute("data-signed", "no");
  await expect(state).toContainText("security and finance to sign");

  // Security signs: the count is met, yet finance is still missing, so it stays pending.
  await sec.page.getByRole("button", { name: "Approve…" }).click();
  const dialog = sec.page.getByRole("dialog", { name: "Approve this request?" });
  await expect(dialog).toContainText("Still to sign: security and finance");
  await dialog.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(sec.page.getByText("it stays pending until finance signs")).toBeVisible();
  await expect(state.getByTestId("group-security")).toHaveAttribute("data-signed", "yes");
  await expect(state.getByTestId("group-security")).toContainText(sec.user.email);
  await expect(state.getByTestId("group-finance")).toHaveAttribute("data-signed", "no");
  await expect(sec.page.getByTestId("approval-status")).toHaveText("pending");

  // Finance signs: released.
  await fin.page.goto(`/t/${slug}/approvals/${approvalId}`);
  await expect(fin.page.getByTestId("approval-state")).toContainText("finance to sign");
  await fin.page.getByRole("button", { name: "Approve…" }).click();
  await fin.page.getByRole("dialog", { name: "Approve this request?" }).getByRole("button", { name: "Approve", exact: true }).click();
  await expect(fin.page.getByTestId("approval-status")).toHaveText("approved");
  await expect(fin.page.getByTestId("approval-state").getByTestId("group-finance")).toHaveAttribute("data-signed", "yes");
  await expect(state.getByTestId("group-finance")).toHaveAttribute("data-signed", "yes"); // the first approver's page updates live

  await sec.context.close();
  await fin.context.close();
});
