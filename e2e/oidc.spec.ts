import { expect, test, type Page } from "@playwright/test";

/**
 * Sign-in through a real OpenID Connect provider (e2e/support/oidc-server.ts, started by
 * Playwright's webServer on 127.0.0.1:5599). Gatehouse is configured for it as "Test IdP"
 * (OIDC_* in scripts/test.ts). Expects a fresh database: the SSO user must not exist yet.
 */

const IDP_INTERACTION = /^http:\/\/127\.0\.0\.1:5599\/interaction\//;
const SSO_EMAIL = "sso.user@acme.test";
const SSO_NAME = "Sam SSO";
const TENANT_PATH = /\/t\/[^/?#]+$/;

// The second test signs the user in again and expects the tenant the first one created.
test.describe.configure({ mode: "serial" });

// Filled in by the first test, checked by the second.
let tenantName = "";
let tenantUrl = "";
let firstUserId = "";

/** From Gatehouse's sign-in page through the provider's login and consent, back to Gatehouse. */
async function signInWithTestIdp(page: Page) {
  await page.goto("/signin");
  await page.waitForLoadState("networkidle"); // the SSO button works once React has hydrated
  await page.getByRole("button", { name: "Continue with Test IdP" }).click();

  await page.waitForURL(IDP_INTERACTION);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(SSO_EMAIL);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  await expect(page.getByRole("heading", { name: "Authorize" })).toBeVisible();
  expect(page.url()).toMatch(IDP_INTERACTION);
  await expect(page.getByText(`gatehouse-e2e asks for access as ${SSO_EMAIL}`)).toBeVisible();
  await page.getByRole("button", { name: "Authorize" }).click();
}

/** The next-auth session in this browser context belongs to the SSO identity. */
async function expectSessionFor(page: Page) {
  const response = await page.request.get("/api/auth/session");
  expect(response.ok()).toBe(true);
  const session = (await response.json()) as { user?: { email?: string; name?: string; id?: string } };
  expect(session.user?.email).toBe(SSO_EMAIL);
  expect(session.user?.name).toBe(SSO_NAME);
  expect(session.user?.id).toBeTruthy();
  return session.user?.id ?? "";
}

test("first SSO sign-in creates the user, who then creates a tenant and owns it", async ({ page }) => {
  await signInWithTestIdp(page);

  // A brand-new SSO user has no tenant yet.
  await page.waitForURL((url) => url.pathname === "/welcome");
  await expect(page.getByRole("heading", { name: "Create a tenant" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${SSO_EMAIL}.`)).toBeVisible();
  firstUserId = await expectSessionFor(page);

  tenantName = `SSO Org ${Date.now().toString(36)}`;
  await page.getByLabel("Organization name").fill(tenantName);
  await page.getByRole("button", { name: "Create tenant" }).click();

  await page.waitForURL(TENANT_PATH);
  tenantUrl = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { level: 1, name: tenantName })).toBeVisible();
  await expect(page.getByTestId("current-role")).toHaveText("Owner");
  // The name came from the provider's ID token; the email is the title of the sidebar entry.
  await expect(page.getByTitle(SSO_EMAIL)).toHaveText(SSO_NAME);
  const switcher = page.getByRole("combobox", { name: "Tenant" });
  await expect(switcher.locator("option:checked")).toHaveText(`${tenantName} (Owner)`);
});

test("a later SSO sign-in in a fresh browser context returns the same user to their tenant", async ({ page }) => {
  expect(tenantUrl, "the first test created a tenant").toMatch(TENANT_PATH);
  // Every test gets a new browser context: no cookies from the first sign-in, neither
  // Gatehouse's session nor the provider's, so this is a full second sign-in.
  expect(await page.context().cookies()).toEqual([]);

  await signInWithTestIdp(page);

  await page.waitForURL((url) => url.pathname === tenantUrl);
  await expect(page.getByRole("heading", { level: 1, name: tenantName })).toBeVisible();
  await expect(page.getByTestId("current-role")).toHaveText("Owner");

  // Same Gatehouse user (linked by issuer + subject), still with exactly one tenant.
  expect(await expectSessionFor(page)).toBe(firstUserId);
  const switcher = page.getByRole("combobox", { name: "Tenant" });
  await expect(switcher.locator("option:checked")).toHaveText(`${tenantName} (Owner)`);
  await expect(switcher.locator("option")).toHaveText([`${tenantName} (Owner)`, "+ New tenant…"]);
});
