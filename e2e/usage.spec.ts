import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { registerAgentWithToken } from "./support/agent";
import { addTool, publishRules } from "./support/policy";
import { signIn, signUpUser } from "./support/session";

type Decision = { decision: string; reasons: { code: string }[]; quota: { name: string; limit: number; remaining: number; resets_at: string | null }[] };

test("an admin caps an agent's writes on the Usage page; the decision API holds it to the cap and the page shows use against the limit", async ({ page, request }) => {
  test.setTimeout(90_000);
  // A tenant of its own: limits change what every agent of the tenant may do.
  const owner = await signUpUser(request, "usage");
  await signIn(page, owner.email, owner.password);
  const slug = owner.slug;

  await addTool(page.request, slug, { name: "slack", displayName: "Slack" }, [
    { name: "chat.postMessage", riskClass: "write", reversible: false, argsSchema: { type: "object", properties: { channel: { type: "string" }, text: { type: "string" } } } },
  ]);
  const { token } = await registerAgentWithToken(page.request, request, slug, { name: "triage-bot" });
  const rule = { id: `r_e2e${randomBytes(4).toString("hex")}`, name: "Post anywhere", tool: "slack", operations: ["chat.postMessage"] };
  await publishRules(page.request, slug, [rule]);

  // No limits yet: the empty state offers to add one.
  await page.goto(`/t/${slug}/usage`);
  await expect(page.getByRole("heading", { name: "No limits yet" })).toBeVisible();
  await page.getByRole("button", { name: "Add a limit" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a limit" });
  await dialog.getByLabel("Applies to").selectOption("tenant");
  await dialog.getByLabel("Counts").selectOption("writes");
  await dialog.getByLabel("Window").selectOption("day");
  await dialog.getByLabel("Limit", { exact: true }).fill("2");
  await dialog.getByLabel("At the limit").selectOption("deny");
  await dialog.getByRole("button", { name: "Add limit" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId("limit-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("writes_per_day");
  await expect(row).toContainText("All agents together");

  // The agent writes three times: two fit, the third is denied with quota_exceeded.
  const post = async () => {
    const res = await request.post("/api/v1/decisions", {
      headers: { authorization: `Bearer ${token}` },
      data: { run_id: "run_e2e_usage", tool: "slack", operation: "chat.postMessage", args: { channel: "#support", text: "hello" } },
    });
    expect(res.status()).toBe(200);
    return (await res.json()) as Decision;
  };
  expect(await post()).toMatchObject({ decision: "allow", quota: [{ name: "writes_per_day", limit: 2, remaining: 1 }] });
  expect((await post()).decision).toBe("allow");
  const third = await post();
  expect(third).toMatchObject({ decision: "deny", reasons: [{ code: "quota_exceeded" }], quota: [{ name: "writes_per_day", remaining: 0 }] });

  // The page refreshes on its own: the bar shows 2 of 2, and the hit is listed once the decision is recorded.
  const meter = page.getByRole("meter", { name: "writes_per_day for All agents" });
  await expect(meter).toHaveAttribute("aria-valuenow", "2", { timeout: 15_000 });
  await expect(row).toContainText("2 / 2");
  await expect(page.getByRole("list", { name: "Recent quota hits" })).toContainText("triage-bot", { timeout: 20_000 });

  // Raising the limit lets the agent write again, without restarting anything.
  await page.getByRole("button", { name: "Edit writes_per_day" }).click();
  const edit = page.getByRole("dialog", { name: "Edit limit writes_per_day" });
  await edit.getByLabel("Limit", { exact: true }).fill("5");
  await edit.getByRole("button", { name: "Save limit" }).click();
  await expect(row).toContainText("2 / 5");
  expect(await post()).toMatchObject({ decision: "allow", quota: [{ remaining: 2 }] });

  // Deleting asks first; afterwards the agent is no longer held to it.
  await page.getByRole("button", { name: "Delete writes_per_day" }).click();
  await page.getByRole("dialog", { name: "Delete limit writes_per_day?" }).getByRole("button", { name: "Delete limit" }).click();
  await expect(page.getByRole("heading", { name: "No limits yet" })).toBeVisible();
  expect(await post()).toMatchObject({ decision: "allow", quota: [] });
});
