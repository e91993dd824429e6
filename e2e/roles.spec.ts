import { expect, test } from "@playwright/test";
import { can, ROLES } from "../lib/auth/roles";
import { consoleRoutes } from "./support/console-routes";
import { signIn } from "./support/session";

test("a viewer sees no Audit section and is refused its page and admin routes", async ({ page }) => {
  await signIn(page, "viewer@acme.test");
  const nav = page.getByRole("navigation", { name: "Sections" });
  await expect(nav.getByRole("link", { name: "Runs" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Audit" })).toHaveCount(0);

  await page.goto("/t/acme/audit");
  await expect(page.getByRole("heading", { name: "Your role does not include this page" })).toBeVisible();
  await page.goto("/t/acme/settings/members");
  await expect(page.getByRole("heading", { name: "Your role does not include this page" })).toBeVisible();

  for (const [method, path, data] of [
    ["GET", "/api/console/t/acme/audit", undefined],
    ["GET", "/api/console/t/acme/members", undefined],
    ["POST", "/api/console/t/acme/members", { email: "x@e2e.test", role: "viewer" }],
    ["PATCH", "/api/console/t/acme/settings", { name: "Hijacked" }],
  ] as const) {
    const res = await page.request.fetch(path, { method, data });
    expect(res.status(), `${method} ${path}`).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
  }
  // The settings page is read-only for them.
  await page.goto("/t/acme/settings");
  await expect(page.getByLabel("Tenant name")).toBeDisabled();
});

test("an approver cannot manage members; an auditor cannot change settings", async ({ browser }) => {
  for (const [email, path, method, data] of [
    ["approver@acme.test", "/api/console/t/acme/members", "POST", { email: "y@e2e.test", role: "viewer" }],
    ["auditor@acme.test", "/api/console/t/acme/settings", "PATCH", { name: "Nope" }],
  ] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, email);
    const res = await page.request.fetch(path, { method, data });
    expect(res.status(), email).toBe(403);
    await context.close();
  }
});

test("console routes need a session", async ({ request }) => {
  const res = await request.get("/api/console/t/acme/members");
  expect(res.status()).toBe(401);
  expect((await res.json()).error.code).toBe("unauthenticated");
});

test("every console route refuses every role that lacks its permission (403, before any id is looked up)", async ({ browser }) => {
  test.setTimeout(120_000);
  const routes = consoleRoutes();
  for (const role of ROLES) {
    const refused = routes.filter((route) => !can(role, route.permission));
    if (!refused.length) continue;
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, `${role}@acme.test`);
    for (const { method, path, permission } of refused) {
      const res = await page.request.fetch(`/api/console/t/acme${path}`, { method, ...(method !== "GET" && { data: {} }) });
      expect({ status: res.status(), code: (await res.json()).error?.code }, `${role}: ${method} ${path} (${permission})`).toEqual({ status: 403, code: "forbidden" });
    }
    await context.close();
  }
});
