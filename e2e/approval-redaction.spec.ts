import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { registerAgentWithToken } from "./support/agent";
import { addTool, publishRules } from "./support/policy";
import { signIn, signUpUser } from "./support/session";

test("an approval request with secrets in its arguments shows them redacted and names the redacted fields", async ({ page, request }) => {
  test.setTimeout(90_000);
  const owner = await signUpUser(request, "approval-redaction");
  await signIn(page, owner.email, owner.password);
  const slug = owner.slug;
  await addTool(page.request, slug, { name: "billing", displayName: "Billing" }, [
    { name: "sync", riskClass: "write", reversible: true, argsSchema: { type: "object", properties: { note: { type: "string" }, api_key: { type: "string" } } } },
  ]);
  const { token } = await registerAgentWithToken(page.request, request, slug, { name: "billing-bot" });
  await publishRules(page.request, slug, [{ id: `r_e2e${randomBytes(4).toString("hex")}`, name: "Billing syncs need approval", tool: "billing", operations: ["sync"], approval: { tier: "always" } }]);

  const apiKey = `sk_live_${randomBytes(12).toString("hex")}`;
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const asked = await request.post("/api/v1/decisions", {
    headers: { authorization: `Bearer ${token}` },
    data: { run_id: "run_e2e_redaction", tool: "billing", operation: "sync", args: { api_key: apiKey, note: `retry with password=${password}` } },
  });
  expect(asked.status()).toBe(200);
  const { approval } = (await asked.json()) as { approval: { id: string } };

  await page.goto(`/t/${slug}/approvals/${approval.id}`);
  await expect(page.getByTestId("redacted-fields")).toContainText("args.api_key");
  await expect(page.getByTestId("redacted-fields")).toContainText("args.note");
  const html = await page.content();
  expect(html).not.toContain(apiKey);
  expect(html).not.toContain(password);
});
