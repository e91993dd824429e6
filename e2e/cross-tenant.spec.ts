import { expect, test } from "@playwright/test";
import { consolePages, consoleRoutes } from "./support/console-routes";
import { signIn } from "./support/session";

// A member of one tenant gets 404 (never 403, never data) for every page and console
// route of another tenant, exactly as for a tenant that does not exist. Both lists are read
// from the app directory, so a new page or route is covered the day it is added.
const PAGES = consolePages();
const ROUTES = consoleRoutes();

test("the enumerated lists hold the console, not a fragment of it", () => {
  expect(PAGES.length).toBeGreaterThan(20);
  expect(ROUTES.length).toBeGreaterThan(60);
  expect(ROUTES).toContainEqual({ method: "PATCH", path: "/members/anything", permission: "members.manage" });
});

for (const [me, other] of [
  ["owner@globex.test", "acme"],
  ["owner@acme.test", "globex"],
] as const) {
  test(`${me} gets 404 for every page and route of ${other}`, async ({ page }) => {
    test.setTimeout(180_000); // every console page, on a machine that also runs the suite
    await signIn(page, me);
    for (const path of PAGES) {
      const res = await page.goto(`/t/${other}${path}`);
      expect(res?.status(), `/t/${other}${path}`).toBe(404);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    }
    for (const tenant of [other, "no-such-tenant"]) {
      for (const { method, path } of ROUTES) {
        const res = await page.request.fetch(`/api/console/t/${tenant}${path}`, { method, ...(method !== "GET" && { data: {} }) });
        expect(res.status(), `${method} /api/console/t/${tenant}${path}`).toBe(404);
        expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found." } });
      }
    }
  });
}

test("a member's own objects id cannot be reached through their tenant's routes by another tenant", async ({ browser }) => {
  // Acme's owner lists members (ids), then Globex's owner tries those ids under its own tenant.
  const acme = await browser.newContext();
  const acmePage = await acme.newPage();
  await signIn(acmePage, "owner@acme.test");
  const { members } = (await (await acmePage.request.get("/api/console/t/acme/members")).json()) as { members: { id: string }[] };
  expect(members.length).toBeGreaterThan(3);
  await acme.close();

  const globex = await browser.newContext();
  const page = await globex.newPage();
  await signIn(page, "owner@globex.test");
  for (const m of members.slice(0, 3)) {
    const res = await page.request.patch(`/api/console/t/globex/members/${m.id}`, { data: { role: "viewer" } });
    expect(res.status()).toBe(404);
  }
  await globex.close();
});
