import { expect, test } from "@playwright/test";
import { signIn } from "./support/session";

test("an owner signs in to the console and signs out", async ({ page }) => {
  await signIn(page, "owner@acme.test");
  await expect(page).toHaveURL(/\/t\/acme$/);
  await expect(page.getByRole("heading", { level: 1, name: "Acme" })).toBeVisible();
  await expect(page.getByTestId("current-role")).toHaveText("Owner");
  for (const section of ["Overview", "Agents", "Policies", "Approvals", "Runs", "Audit", "Settings"]) {
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: section })).toBeVisible();
  }
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/t/acme");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ft%2Facme/);
});

test("a wrong password is refused without saying which part was wrong", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("owner@acme.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is not right.");
  await page.getByLabel("Email").fill("nobody@acme.test");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is not right.");
  await expect(page).toHaveURL(/\/signin/);
});

test("self-serve sign-up creates a tenant owned by the new user, who can add another", async ({ page }) => {
  const id = Date.now().toString(36);
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Nora New");
  await page.getByLabel("Work email").fill(`nora-${id}@e2e.test`);
  await page.getByLabel("Password").fill("a-long-password");
  await page.getByLabel("Organization").fill(`Nora Labs ${id}`);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Nora Labs ${id}` })).toBeVisible();
  await expect(page.getByTestId("current-role")).toHaveText("Owner");

  // The tenant switcher offers a second tenant; the user then switches between both.
  await page.getByLabel("Tenant", { exact: true }).selectOption("__new");
  await expect(page).toHaveURL(/\/welcome$/);
  await page.getByLabel("Organization name").fill(`Nora Two ${id}`);
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Nora Two ${id}` })).toBeVisible();
  const firstSlug = `nora-labs-${id}`;
  await page.getByLabel("Tenant", { exact: true }).selectOption(firstSlug);
  await expect(page).toHaveURL(new RegExp(`/t/${firstSlug}$`));
  await expect(page.getByRole("heading", { level: 1, name: `Nora Labs ${id}` })).toBeVisible();
});

test("sign-up answers an email that already has an account like any other, and its password still decides sign-in", async ({ page, request }) => {
  const res = await request.post("/api/console/signup", { data: { name: "X", email: "owner@acme.test", password: "long-enough-pw", tenantName: "Dup" } });
  expect(res.status()).toBe(201);
  expect(await res.json()).toEqual({ tenant: { slug: "dup", name: "Dup" } });
  await page.goto("/signin");
  await page.getByLabel("Email").fill("owner@acme.test");
  await page.getByLabel("Password").fill("long-enough-pw");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is not right.");
});
