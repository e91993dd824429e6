import { expect, test } from "@playwright/test";
import { registerAgentWithToken } from "./support/agent";
import { DEMO_PASSWORD, signIn } from "./support/session";

test("pages carry a nonce CSP, Permissions-Policy and COOP, and the console works under them with no violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/signin");
  const headers = response!.headers();
  const scriptSrc = headers["content-security-policy"]!.split(";").find((d) => d.trim().startsWith("script-src"))!;
  expect(scriptSrc).toMatch(/'nonce-[^']+'/);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(headers["permissions-policy"]).toContain("camera=()");
  expect(headers["cross-origin-opener-policy"]).toBe("same-origin");

  // Hydration (and so every inline script Next.js needs) ran: the form signs in client-side.
  await page.getByLabel("Email").fill("owner@acme.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/t\/acme$/);
  await expect(page.getByTestId("current-role")).toHaveText("Owner");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Runs" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/runs/);
  expect(violations).toEqual([]);
});

for (const callbackUrl of ["/%5Cevil.example", "/%09/evil.example", "//evil.example", "javascript:alert(1)"]) {
  test(`sign-in does not follow callbackUrl=${callbackUrl} off the site`, async ({ page }) => {
    await page.goto(`/signin?callbackUrl=${callbackUrl}`);
    await page.getByLabel("Email").fill("owner@acme.test");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/t\/acme$/);
  });
}

test("the token log records the TCP peer, not an X-Forwarded-For the client made up", async ({ page, request }) => {
  await signIn(page, "owner@acme.test");
  const { agentId } = await registerAgentWithToken(page.request, request, "acme", { name: `xff-${Date.now().toString(36)}` });
  const credential = await page.request.post(`/api/console/t/acme/agents/${agentId}/credentials`, { data: { kind: "client_secret", label: "xff" } });
  const { clientSecret } = (await credential.json()) as { clientSecret: string };
  const issued = await request.post("/api/v1/oauth/token", {
    headers: { "x-forwarded-for": "203.0.113.66", "x-gatehouse-peer": "203.0.113.67" },
    form: { grant_type: "client_credentials", client_id: agentId, client_secret: clientSecret },
  });
  expect(issued.status()).toBe(200);
  const agent = (await (await page.request.get(`/api/console/t/acme/agents/${agentId}`)).json()) as { recentTokens: { sourceIp: string }[] };
  const addresses = agent.recentTokens.map((t) => t.sourceIp);
  expect(addresses).toHaveLength(2);
  for (const address of addresses) expect(address).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
});
