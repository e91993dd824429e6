import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { registerAgentWithToken } from "./support/agent";
import { addTool } from "./support/policy";
import { signIn, signUpUser } from "./support/session";

// Publishing changes what every agent of a tenant may do: this runs in a brand-new tenant
// of its own, never in the shared "acme" one.

type Decision = { decision: string; reasons: { code: string }[]; policy_version: number | null };

/** A tool "payments" (refund: money, get_charge: read), an agent "refund-bot" in group "billing" with a fresh token. */
async function setUpTenant(page: Page, request: APIRequestContext, slug: string) {
  const api = page.request;
  await addTool(api, slug, { name: "payments", displayName: "Payments" }, [
    {
      name: "refund",
      riskClass: "money",
      reversible: false,
      argsSchema: {
        type: "object",
        properties: { charge_id: { type: "string" }, amount_cents: { type: "integer", minimum: 1 }, currency: { type: "string" } },
        required: ["charge_id", "amount_cents", "currency"],
      },
    },
    { name: "get_charge", riskClass: "read", reversible: true, argsSchema: { type: "object", properties: { charge_id: { type: "string" } } } },
  ]);

  const { agentId, token } = await registerAgentWithToken(api, request, slug, { name: "refund-bot", labels: ["billing"] });

  let n = 0;
  const propose = async (args: Record<string, unknown>): Promise<Decision> => {
    const res = await request.post("/api/v1/decisions", {
      headers: { authorization: `Bearer ${token}` },
      data: { run_id: "run-e2e-policies", tool: "payments", operation: "refund", args: { charge_id: `ch_${++n}`, ...args } },
    });
    expect(res.status()).toBe(200);
    return (await res.json()) as Decision;
  };
  return { agentId, propose };
}

/** The value of a stat card (components/ui/page.tsx Stat) by its label. */
const stat = (page: Page, label: string) => page.getByText(label, { exact: true }).locator("xpath=following-sibling::div[1]");

const ruleRows = (page: Page) => page.getByRole("table", { name: "Allowlist rules" }).locator("tbody tr[data-rule-id]");

async function openTab(page: Page, name: "Allowlist" | "Versions" | "Backtest" | "Capabilities") {
  await page.getByRole("navigation", { name: "Policies sections" }).getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Policies sections" }).getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
}

async function publish(page: Page, version: number, note?: string): Promise<Locator> {
  await openTab(page, "Allowlist");
  if (note) await page.getByLabel("Note (optional)").fill(note);
  await page.getByRole("button", { name: `Publish version ${version}…` }).click();
  const dialog = page.getByRole("dialog", { name: `Publish version ${version}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(dialog).toBeHidden();
  const result = page.getByTestId("publish-result");
  await expect(result).toContainText(`Published version ${version}`);
  return result;
}

test("an admin writes an allowlist rule in the form, backtests it against recorded decisions, publishes it, and the capability report names the agent", async ({ page, request }) => {
  test.setTimeout(150_000);
  const owner = await signUpUser(request, "policies");
  await signIn(page, owner.email, owner.password);
  const slug = owner.slug;
  const { propose } = await setUpTenant(page, request, slug);

  await test.step("with nothing published, every proposed action is denied, and recorded", async () => {
    for (const args of [
      { amount_cents: 2500, currency: "usd" },
      { amount_cents: 4000, currency: "usd" },
      { amount_cents: 50_000, currency: "usd" },
      { amount_cents: 1000, currency: "eur" },
    ]) {
      const d = await propose(args);
      expect(d.decision).toBe("deny");
      expect(d.reasons[0]?.code).toBe("no_matching_allow_rule");
      expect(d.policy_version).toBeNull();
    }
    // The worker writes decisions off the hot path: wait until all four are replayable.
    await expect
      .poll(async () => ((await (await page.request.post(`/api/console/t/${slug}/policy/backtest`, { data: { days: 1, rules: [] } })).json()) as { evaluated: number }).evaluated, {
        timeout: 20_000,
        intervals: [250, 500, 1000],
      })
      .toBe(4);
  });

  await test.step("the capability report starts empty", async () => {
    await page.goto(`/t/${slug}/policies/capabilities`);
    await expect(page.getByText("Nothing published: no agent can do anything")).toBeVisible();
  });

  await test.step("write the rule in the form; the server's Cedar validator answers inline", async () => {
    await openTab(page, "Allowlist");
    await expect(page.getByRole("heading", { level: 1, name: "Policies" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Tool registry" })).toHaveAttribute("href", `/t/${slug}/policies/tools`);
    await expect(page.getByText("No rules: every agent action is denied")).toBeVisible();

    await page.getByRole("button", { name: "Add rule" }).click();
    const form = page.getByRole("dialog", { name: "Add rule" });
    await expect(form).toBeVisible();
    // The form's own checks land at their fields.
    await form.getByRole("button", { name: "Save rule" }).click();
    await expect(form.getByText("Name the rule.")).toBeVisible();
    await expect(form.getByText("Choose a tool.")).toBeVisible();

    await form.getByLabel("Name", { exact: true }).fill("Billing refunds");
    await form.getByLabel("Chosen agents and groups").check();
    await form.getByRole("group", { name: "Groups" }).getByLabel("billing").check();
    await form.getByLabel("Tool", { exact: true }).selectOption("payments");
    const operations = form.getByRole("group", { name: "Operations" });
    // Operations come from the registry with their risk class.
    await expect(operations.locator("label", { hasText: "refund" })).toContainText("money");
    await expect(operations.locator("label", { hasText: "refund" })).toContainText("irreversible");
    await expect(operations.locator("label", { hasText: "get_charge" })).toContainText("read");
    await operations.getByLabel("refund").check();

    await form.getByRole("button", { name: "Add constraint" }).click();
    await form.getByLabel("Constraint 1 argument").selectOption("currency");
    await form.getByLabel("Constraint 1 operator").selectOption("equals");
    await form.getByLabel("Constraint 1 value").fill("usd");

    await form.getByLabel("Approval above a threshold").check();
    await form.getByLabel("Threshold argument").selectOption("amount_cents");
    await form.getByLabel("Approval needed above").fill("10000");

    // Raw Cedar naming an argument the operation does not declare: saved, with the validator's problem at the field.
    await form.getByText("Advanced: Cedar condition").click();
    await form.getByLabel("Cedar condition", { exact: true }).fill('context.args["amount"] > 5');
    await form.getByRole("button", { name: "Save rule" }).click();
    const editing = page.getByRole("dialog", { name: "Edit rule “Billing refunds”" });
    await expect(editing.getByText("Saved to the draft with problems")).toBeVisible();
    await expect(editing.getByLabel("Cedar condition", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(editing.getByRole("alert").filter({ hasText: /amount/ })).toBeVisible();

    // Enter in a field saves the form.
    await editing.getByLabel("Cedar condition", { exact: true }).fill("");
    await editing.getByLabel("Name", { exact: true }).press("Enter");
    await expect(editing).toBeHidden();
    await expect(page.getByText("Rule “Billing refunds” saved to the draft.")).toBeVisible();
  });

  await test.step("the draft lists the rule and its diff against nothing published", async () => {
    await expect(ruleRows(page)).toHaveCount(1);
    const row = ruleRows(page).first();
    await expect(row).toContainText("Billing refunds");
    await expect(row).toContainText("group billing");
    await expect(row).toContainText("payments");
    await expect(row).toContainText("refund");
    await expect(row).toContainText('currency = "usd"');
    await expect(row).toContainText("approval above a threshold");
    await expect(row).toContainText("amount_cents > 10000");
    await expect(row).toContainText("permit");
    await expect(page.getByTestId("rule-problems")).toHaveCount(0);
    await expect(page.getByTestId("draft-status")).toContainText("1 added since nothing was published");
    const changes = page.getByRole("list", { name: "Draft changes" });
    await expect(changes.getByTestId("rule-change")).toHaveCount(1);
    await expect(changes).toContainText("added");
    await expect(changes).toContainText("Billing refunds");
    await expect(page.getByRole("button", { name: "Publish version 1…" })).toBeEnabled();
  });

  await test.step("the backtest replays the four denied refunds against the draft", async () => {
    await openTab(page, "Backtest");
    await expect(page.getByLabel("Days of history")).toHaveValue("30");
    await page.getByLabel("Days of history").press("Enter");
    const results = page.getByTestId("backtest-results");
    await expect(results).toContainText("Last 30 days: 4 recorded actions replayed");
    await expect(stat(page, "Would change")).toHaveText("3");
    await expect(stat(page, "Denied → allowed")).toHaveText("2");
    await expect(stat(page, "Newly need approval")).toHaveText("1");
    await expect(stat(page, "Allowed → denied")).toHaveText("0");

    const changes = page.getByTestId("backtest-change");
    await expect(changes).toHaveCount(2);
    const allowed = changes.filter({ has: page.locator('[data-transition="deny->allow"]') });
    await expect(allowed).toContainText("refund-bot");
    await expect(allowed).toContainText("payments · refund");
    await expect(allowed.locator("td").nth(3)).toHaveText("2");
    const approval = changes.filter({ has: page.locator('[data-transition="deny->pending_approval"]') });
    await expect(approval.locator("td").nth(3)).toHaveText("1");

    // Examples: the recorded arguments, and why each side decides as it does.
    await approval.getByRole("button", { name: "1 example" }).click();
    const example = page.getByTestId("backtest-example");
    await expect(example).toHaveCount(1);
    await expect(example).toContainText('"amount_cents": 50000');
    await expect(example).toContainText("no_matching_allow_rule");
    await expect(example).toContainText('Rule "Billing refunds" requires approval when amount_cents is above 10000.');
    await allowed.getByRole("button", { name: "2 examples" }).click();
    await expect(page.getByTestId("backtest-example")).toHaveCount(3);
    await expect(page.getByTestId("backtest-example").filter({ hasText: '"amount_cents": 2500' })).toContainText('Allowed by "Billing refunds".');
  });

  await test.step("publish version 1 with a note; agents are decided by it", async () => {
    const result = await publish(page, 1, "e2e: billing refunds");
    await expect(result).toContainText("e2e: billing refunds — 1 added");
    await expect(page.getByTestId("draft-status")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Publish version 2…" })).toBeDisabled();
    await expect(page.getByText("Nothing to publish: the draft matches version 1.")).toBeVisible();

    await expect.poll(async () => (await propose({ amount_cents: 2500, currency: "usd" })).decision, { timeout: 5_000, intervals: [200, 500] }).toBe("allow");
    expect((await propose({ amount_cents: 50_000, currency: "usd" })).decision).toBe("pending_approval");
    expect((await propose({ amount_cents: 2500, currency: "eur" })).decision).toBe("deny");

    // After publishing, the draft and the published policy agree: a backtest shows no change.
    await openTab(page, "Backtest");
    await page.getByRole("button", { name: "Run backtest" }).click();
    await expect(page.getByText("Nothing would change")).toBeVisible();
  });

  await test.step("the capability report names refund-bot as able to move money, through the rule", async () => {
    await openTab(page, "Capabilities");
    await expect(page.getByText("From published version 1")).toBeVisible();
    const money = page.getByTestId("capability-money");
    await expect(money).toContainText("Can move money");
    await expect(money).toContainText("1");
    await expect(money).toContainText("refund-bot");
    await expect(page.getByTestId("capability-delete")).toContainText("no agent");

    const cell = page.getByTestId("matrix-row-refund-bot").locator('button[data-capability="money"]');
    await expect(cell).toContainText("1");
    await expect(cell).toContainText("above threshold");
    const grants = page.getByTestId("capability-grant");
    await expect(grants).toHaveCount(1);
    await expect(grants.first()).toContainText("refund-bot");
    await expect(grants.first()).toContainText("Move money");
    await expect(grants.first()).toContainText("payments · refund");
    await expect(grants.first()).toContainText("Billing refunds");
    await expect(grants.first()).toContainText("approval above a threshold");
    await expect(grants.first()).toContainText("conditional");
    await expect(grants.first()).not.toContainText("unconditional");
  });

  await test.step("duplicate (Escape discards), save and delete a copy; edit, publish version 2 and read its diff", async () => {
    await openTab(page, "Allowlist");
    await page.getByRole("button", { name: "Duplicate Billing refunds" }).click();
    const copy = page.getByRole("dialog", { name: "Add rule" });
    await expect(copy.getByLabel("Name", { exact: true })).toHaveValue("Copy of Billing refunds");
    await page.keyboard.press("Escape");
    await expect(copy).toBeHidden();
    await expect(ruleRows(page)).toHaveCount(1);

    await page.getByRole("button", { name: "Duplicate Billing refunds" }).click();
    await copy.getByRole("button", { name: "Save rule" }).click();
    await expect(copy).toBeHidden();
    await expect(ruleRows(page)).toHaveCount(2);
    await page.getByRole("button", { name: "Delete Copy of Billing refunds" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete rule?" });
    await confirm.getByRole("button", { name: "Delete rule" }).click();
    await expect(confirm).toBeHidden();
    await expect(ruleRows(page)).toHaveCount(1);
    await expect(page.getByTestId("draft-status")).toHaveCount(0);

    await page.getByRole("button", { name: "Edit Billing refunds" }).click();
    const form = page.getByRole("dialog", { name: "Edit rule “Billing refunds”" });
    await form.getByLabel("Constraint 1 operator").selectOption("one_of");
    await form.getByLabel("Constraint 1 values").fill("usd, eur");
    await form.getByRole("button", { name: "Save rule" }).click();
    await expect(form).toBeHidden();
    await expect(ruleRows(page).first()).toContainText('currency ∈ {"usd", "eur"}');
    const changes = page.getByRole("list", { name: "Draft changes" });
    await expect(changes).toContainText("changed");
    await expect(changes).toContainText("argument constraints");
    await expect(changes).toContainText('currency = "usd"');

    await publish(page, 2);
    await openTab(page, "Versions");
    const versions = page.getByRole("table", { name: "Policy versions" });
    await expect(versions.locator("tbody tr")).toHaveCount(2);
    await expect(page.getByTestId("version-row-2")).toContainText("current");
    await expect(page.getByTestId("version-row-2")).toContainText("1 changed");
    await expect(page.getByTestId("version-row-1")).toContainText("e2e: billing refunds — 1 added");
    await expect(page.getByTestId("version-row-1")).toContainText(owner.email);

    await page.getByRole("link", { name: "Version 2", exact: true }).click();
    await expect(page.getByRole("heading", { level: 2, name: "Version 2" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Changes in version 2" })).toContainText("argument constraints");
    const diff = page.getByTestId("cedar-diff");
    await expect(diff.locator('tr[data-kind="del"]')).toContainText('context.args["currency"] == "usd"');
    await expect(diff.locator('tr[data-kind="add"]')).toContainText('["usd", "eur"].contains(context.args["currency"])');
    await page.getByRole("button", { name: "Whole document" }).click();
    const cedar = page.getByTestId("cedar-document");
    await expect(cedar).toContainText('permit (principal, action in [Gatehouse::Action::"payments/refund"], resource)');
    await expect(cedar).toContainText('principal in Gatehouse::Group::"billing"');
  });

  await test.step("roll back to version 1 (confirmed): version 3 carries its rules", async () => {
    await openTab(page, "Versions");
    await page.getByRole("link", { name: "Version 1", exact: true }).click();
    await page.getByRole("button", { name: "Roll back to this version" }).click();
    const dialog = page.getByRole("dialog", { name: "Roll back to version 1?" });
    await expect(dialog).toContainText("as version 3");
    await dialog.getByRole("button", { name: "Roll back to version 1" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("rollback-result")).toContainText("version 3 now enforces the rules of version 1");
    await openTab(page, "Versions");
    await expect(page.getByTestId("version-row-3")).toContainText("current");
    await expect(page.getByTestId("version-row-3")).toContainText("Rollback to version 1 — 1 changed");
    await openTab(page, "Allowlist");
    await expect(ruleRows(page).first()).toContainText('currency = "usd"');
    await expect.poll(async () => (await propose({ amount_cents: 2500, currency: "eur" })).decision, { timeout: 5_000, intervals: [200, 500] }).toBe("deny");
  });
});
