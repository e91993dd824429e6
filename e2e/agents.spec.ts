import { expect, test, type APIRequestContext } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { signIn, signUpUser } from "./support/session";

/** A plain OAuth client: exchanges a client secret for an access token. */
async function issueToken(request: APIRequestContext, clientId: string, clientSecret: string) {
  return request.post("/api/v1/oauth/token", { form: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret } });
}

/** What GET /api/v1/whoami answers with this token: [status, error code or agent name]. */
async function whoami(request: APIRequestContext, token: string): Promise<[number, string | undefined]> {
  const res = await request.get("/api/v1/whoami", { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { agent_name?: string; error?: { code: string } };
  return [res.status(), body.error?.code ?? body.agent_name];
}

test("an admin registers an agent, its one-time secret gets a token, and suspending the agent stops that token", async ({ page, request }) => {
  const name = `e2e-agent-${randomBytes(4).toString("hex")}`;
  await signIn(page, "admin@acme.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Agents" }).click();
  await page.getByRole("link", { name: "Register agent" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/agents\/new$/);

  // The owner defaults to the signed-in member.
  await expect(page.getByLabel("Owner", { exact: true }).locator("option:checked")).toContainText("admin@acme.test");
  // The API's validation details land at the field.
  await page.getByLabel("Name", { exact: true }).fill("Not A Valid Name");
  await page.getByRole("button", { name: "Register agent" }).click();
  await expect(page.getByText("Use lower-case letters, digits, dots, dashes and underscores.")).toBeVisible();

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description", { exact: true }).fill("Created by the e2e suite.");
  await page.getByLabel("Labels", { exact: true }).fill("e2e, smoke");
  await page.getByRole("button", { name: "Register agent" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/agents\/agt_\w+$/);
  const agentId = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByTestId("agent-status")).toHaveText("active");
  await expect(page.getByTestId("client-id")).toHaveText(agentId);

  // A client secret, shown once.
  await page.getByRole("button", { name: "Add credential" }).click();
  await page.getByLabel("Label", { exact: true }).fill("e2e-secret");
  await page.getByRole("button", { name: "Create credential" }).click();
  const shown = page.getByTestId("one-time-secret");
  await expect(shown).toHaveText(/^ghs\.\S+$/);
  await expect(page.getByText("It will not be shown again.")).toBeVisible();
  const secret = (await shown.textContent())!.trim();
  await expect(page.getByRole("table", { name: "Credentials" })).toContainText("e2e-secret");

  // A plain HTTP client exchanges it for a token that works.
  const issued = await issueToken(request, agentId, secret);
  expect(issued.status()).toBe(200);
  const { access_token: token } = (await issued.json()) as { access_token: string };
  expect(await whoami(request, token)).toEqual([200, name]);

  // Editing changes one field and keeps the others; the name stays fixed.
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await expect(page.getByLabel("Name", { exact: true })).toBeDisabled();
  await page.getByLabel("Token lifetime (minutes)").fill("10");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved. The change is in the audit log.")).toBeVisible();
  await expect(page.getByText("10 minutes", { exact: true })).toBeVisible();
  await expect(page.getByText("Created by the e2e suite.", { exact: true })).toBeVisible();
  await expect(page.getByText("smoke", { exact: true })).toBeVisible();

  // Suspending needs a reason and a confirmation.
  await page.getByRole("button", { name: "Suspend", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Suspend ${name}?` });
  await dialog.getByRole("button", { name: "Suspend agent" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Say why");
  await dialog.getByLabel("Reason").fill("e2e: suspected credential leak");
  await dialog.getByRole("button", { name: "Suspend agent" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("agent-status")).toHaveText("suspended");
  await expect(page.getByTestId("agent-status-reason")).toContainText("e2e: suspected credential leak");

  // The same token is refused within a second or two.
  await expect.poll(() => whoami(request, token), { timeout: 2_000, intervals: [100, 200, 300] }).toEqual([403, "agent_suspended"]);

  // The secret is gone from the page for good; the history has the suspension.
  await page.reload();
  await expect(page.getByTestId("one-time-secret")).toHaveCount(0);
  await expect(page.getByTestId("history-entry").filter({ hasText: "agent.suspended" })).toHaveCount(1);

  // The list shows it, found by the text filter.
  await page.getByRole("link", { name: "Agents", exact: true }).first().click();
  await page.getByLabel("Filter by text").fill(name);
  const rows = page.getByRole("table", { name: "Agents" }).locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("suspended");
  await expect(rows.first()).toContainText("admin@acme.test");
  await page.getByLabel("Status", { exact: true }).selectOption("active");
  await expect(rows.first()).toContainText("No agents match these filters.");
});

// A tenant-wide kill switch would stop every other spec's agents in "acme": this runs in
// a brand-new tenant of its own, and lifts the switch at the end.
test("the tenant kill switch shows a banner on every page and refuses a fresh token until lifted", async ({ page, request }) => {
  const owner = await signUpUser(request, "killswitch");
  await signIn(page, owner.email, owner.password);
  const slug = owner.slug;

  const { members } = (await (await page.request.get(`/api/console/t/${slug}/members`)).json()) as { members: { userId: string }[] };
  const created = await page.request.post(`/api/console/t/${slug}/agents`, { data: { name: "kill-probe", ownerId: members[0]!.userId } });
  expect(created.status()).toBe(201);
  const { agent } = (await created.json()) as { agent: { id: string } };
  const credential = await page.request.post(`/api/console/t/${slug}/agents/${agent.id}/credentials`, { data: { kind: "client_secret", label: "e2e" } });
  expect(credential.status()).toBe(201);
  const { clientSecret } = (await credential.json()) as { clientSecret: string };
  const issued = await issueToken(request, agent.id, clientSecret);
  expect(issued.status()).toBe(200);
  const { access_token: token } = (await issued.json()) as { access_token: string };
  expect(await whoami(request, token)).toEqual([200, "kill-probe"]);

  await page.goto(`/t/${slug}/agents`);
  const banner = page.getByTestId("kill-switch-banner");
  await expect(banner).toHaveCount(0);
  const stopAll = page.getByRole("group", { name: "Stop all agents" });
  await stopAll.getByLabel("Reason").fill("e2e drill");
  await stopAll.getByRole("button", { name: "Stop all agents" }).click();
  const dialog = page.getByRole("dialog", { name: "Stop all agents?" });
  await expect(dialog).toContainText("Reason: e2e drill");
  await dialog.getByRole("button", { name: "Stop all agents" }).click();
  await expect(dialog).toBeHidden();

  await expect(banner).toContainText("Kill switch on: all agents of this tenant are stopped — e2e drill");
  await expect(banner).toContainText(`by ${owner.email}`);
  await expect.poll(() => whoami(request, token), { timeout: 2_000, intervals: [100, 200, 300] }).toEqual([403, "tenant_killed"]);
  // No new token either.
  expect((await issueToken(request, agent.id, clientSecret)).status()).toBe(401);

  // Every page carries the banner, after client navigation and after a full load.
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Policies" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Policies" })).toBeVisible();
  await expect(banner).toContainText("all agents of this tenant are stopped");
  await page.goto(`/t/${slug}/runs`);
  await expect(banner).toContainText("all agents of this tenant are stopped");

  // Lifting needs a confirmation; then the banner goes and the token works again.
  await page.goto(`/t/${slug}/agents`);
  await page.getByRole("list", { name: "Active kill switches" }).getByRole("button", { name: /^Lift/ }).click();
  await page.getByRole("dialog", { name: "Lift kill switch?" }).getByRole("button", { name: "Lift", exact: true }).click();
  await expect(banner).toHaveCount(0);
  await expect.poll(() => whoami(request, token), { timeout: 2_000, intervals: [100, 200, 300] }).toEqual([200, "kill-probe"]);
});
