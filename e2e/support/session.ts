import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "gatehouse-demo";

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/(t\/[\w-]+|welcome)$/);
}

/** A brand-new account (and its own tenant) through the public sign-up API. */
export async function signUpUser(request: APIRequestContext, label = "user") {
  const id = randomBytes(4).toString("hex");
  const user = { name: `E2E ${label} ${id}`, email: `${label}-${id}@e2e.test`, password: "e2e-password-1", tenantName: `E2E ${label} ${id}` };
  const res = await request.post("/api/console/signup", { data: user });
  expect(res.status()).toBe(201);
  const { tenant } = (await res.json()) as { tenant: { slug: string } };
  return { ...user, slug: tenant.slug };
}

/** A user who signs up on their own, is invited into `slug` with `role` and accepts, signed in in a browser context of their own. */
export async function joinAs(browser: Browser, request: APIRequestContext, owner: Page, slug: string, label: string, role: string) {
  const user = await signUpUser(request, label);
  const invite = await owner.request.post(`/api/console/t/${slug}/members`, { data: { email: user.email, role } });
  expect(invite.status()).toBe(201);
  const { acceptUrl } = (await invite.json()) as { acceptUrl: string };
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, user.email, user.password);
  expect((await page.request.post("/api/console/invitations/accept", { data: { token: acceptUrl.split("/").pop() } })).status()).toBe(200);
  return { user, context, page };
}
