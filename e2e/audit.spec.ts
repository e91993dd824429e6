import { expect, test } from "@playwright/test";
import { signIn } from "./support/session";

test("an auditor browses and filters the audit log and verifies the chain", async ({ page }) => {
  await signIn(page, "auditor@acme.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.getByTestId("audit-row").first()).toBeVisible();

  await page.getByLabel("Action").selectOption("agent.created");
  // Only the seed's: agents.spec.ts registers agents in acme in parallel.
  await page.getByLabel("Actor").fill("demo seed");
  await expect(page.getByTestId("audit-row")).toHaveCount(3); // refund-bot, pr-bot, triage-bot
  await page.getByRole("button", { name: "Clear filters" }).click();

  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("chain-status")).toContainText(/Chain verified: \d+ entries intact/);
});

test("a tenant rename by the owner is audited with before and after", async ({ page }) => {
  await signIn(page, "owner@globex.test");
  await page.goto("/t/globex/settings");
  const name = `Globex ${Date.now().toString(36)}`;
  await page.getByLabel("Tenant name").fill(name);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await page.goto("/t/globex/audit");
  const row = page.getByTestId("audit-row").first();
  await expect(row).toContainText("tenant.settings_changed");
  await expect(row).toContainText("owner@globex.test");
  await row.getByRole("button", { name: "Details" }).click();
  await expect(page.getByText(`"name": "${name}"`)).toBeVisible();
});
