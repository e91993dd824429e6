import { expect, test } from "@playwright/test";
import { signIn, signUpUser } from "./support/session";

test("an admin invites an existing user, who accepts and switches tenants; the audit log records it", async ({ browser, request }) => {
  test.setTimeout(90_000); // two sign-ins and a dozen page loads: CI ran out of 30 s on its last step, twice
  const invitee = await signUpUser(request, "invitee");

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@acme.test");
  await admin.getByRole("link", { name: "Settings" }).click();
  await admin.getByRole("link", { name: "Members" }).click();
  await admin.getByLabel("Email", { exact: true }).fill(invitee.email);
  await admin.getByLabel("Role", { exact: true }).selectOption("auditor");
  await admin.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await admin.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/invite\/[\w-]{40,}$/);
  await expect(admin.getByTestId(`invitation-${invitee.email}`)).toContainText("auditor");

  const inviteeContext = await browser.newContext();
  const page = await inviteeContext.newPage();
  await signIn(page, invitee.email, invitee.password);
  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "Join Acme" })).toBeVisible();
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await expect(page).toHaveURL(/\/t\/acme$/);
  await expect(page.getByTestId("current-role")).toHaveText("Auditor");
  // An auditor reads the audit log but has no members page.
  await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" })).toBeVisible();
  await page.goto("/t/acme/settings");
  await expect(page.getByRole("link", { name: "Members" })).toHaveCount(0);
  // The switcher holds both tenants.
  await page.getByLabel("Tenant", { exact: true }).selectOption(invitee.slug);
  await expect(page.getByTestId("current-role")).toHaveText("Owner");

  // The link is single-use.
  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();

  await admin.reload();
  await expect(admin.getByTestId(`member-${invitee.email}`)).toContainText("auditor");
  await adminContext.close();
  await inviteeContext.close();
});

test("an admin changes a member's role after confirming, and it lands in the audit log", async ({ page, request }) => {
  const member = await signUpUser(request, "promote");
  // Bring the new user into Acme through an invitation made by the owner via the API.
  await signIn(page, "owner@acme.test");
  const invite = await page.request.post("/api/console/t/acme/members", { data: { email: member.email, role: "viewer" } });
  expect(invite.status()).toBe(201);
  const { acceptUrl } = (await invite.json()) as { acceptUrl: string };
  const joiner = await page.context().browser()!.newContext();
  const joinerPage = await joiner.newPage();
  await signIn(joinerPage, member.email, member.password);
  expect((await joinerPage.request.post("/api/console/invitations/accept", { data: { token: acceptUrl.split("/").pop() } })).status()).toBe(200);
  await joiner.close();

  await page.goto("/t/acme/settings/members");
  const row = page.getByTestId(`member-${member.email}`);
  await row.getByLabel(`Role of ${member.email}`).selectOption("approver");
  const dialog = page.getByRole("dialog", { name: "Change role?" });
  await expect(dialog).toContainText(`${member.email} goes from viewer to approver`);
  await dialog.getByRole("button", { name: "Change role" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByLabel(`Role of ${member.email}`)).toHaveValue("approver");

  await page.getByRole("link", { name: "Audit" }).click();
  await page.getByLabel("Actor").fill("owner@acme.test");
  await page.getByLabel("Action").selectOption("member.role_changed");
  const entry = page.getByTestId("audit-row").first();
  await expect(entry).toContainText("member.role_changed");
  await entry.getByRole("button", { name: "Details" }).click();
  await expect(page.getByText(`"role": "approver"`)).toBeVisible();
  await expect(page.getByText(`"role": "viewer"`)).toBeVisible();
});

test("removing a member needs a confirmation and can be cancelled", async ({ page, request }) => {
  const member = await signUpUser(request, "remove");
  await signIn(page, "admin@acme.test");
  const invite = await page.request.post("/api/console/t/acme/members", { data: { email: member.email, role: "viewer" } });
  const { acceptUrl } = (await invite.json()) as { acceptUrl: string };
  const joiner = await page.context().browser()!.newContext();
  const jp = await joiner.newPage();
  await signIn(jp, member.email, member.password);
  await jp.request.post("/api/console/invitations/accept", { data: { token: acceptUrl.split("/").pop() } });
  await joiner.close();

  await page.goto("/t/acme/settings/members");
  const row = page.getByTestId(`member-${member.email}`);
  await row.getByRole("button", { name: "Remove", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Remove", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove", exact: true }).click();
  await expect(row).toHaveCount(0);
});
