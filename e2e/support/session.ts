import { expect, type APIRequestContext, type Page } from "@playwright/test";
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
