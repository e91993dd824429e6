import { expect, test, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { registerAgentWithToken } from "./support/agent";
import { addTool, publishRules } from "./support/policy";
import { joinAs, signIn, signUpUser } from "./support/session";

test("a two-person request appears live in two approvers' queues, the first approval leaves it pending, the second releases it and wakes the agent's long poll", async ({ browser, page, request }) => {
  test.setTimeout(120_000);
  // A tenant of its own: specs run in parallel and this one publishes a policy.
  const owner = await signUpUser(request, "approvals");
  await signIn(page, owner.email, owner.password);
  const slug = owner.slug;

  // The tool registry: github pulls.merge, a deploy-class operation.
  await addTool(page.request, slug, { name: "github", displayName: "GitHub" }, [
    {
      name: "pulls.merge",
      riskClass: "deploy",
      reversible: false,
      argsSchema: { type: "object", properties: { repo: { type: "string" }, base: { type: "string" }, pull_number: { type: "integer" } }, required: ["repo", "base"] },
    },
  ]);

  // An agent owned by the signing-up owner, with a client secret exchanged for a token.
  const { token } = await registerAgentWithToken(page.request, request, slug, { name: "merge-bot" });
  const auth = { authorization: `Bearer ${token}` };

  // The policy: merges to main need two distinct approvers.
  const rule = {
    id: `r_e2e${randomBytes(4).toString("hex")}`,
    name: "Merges to main need two approvers",
    tool: "github",
    operations: ["pulls.merge"],
    constraints: [{ op: "equals", arg: "base", value: "main" }],
    approval: { tier: "two_person", expiresInMinutes: 30 },
  };
  await publishRules(page.request, slug, [rule]);

  // Two approvers, each in a browser context of their own, watching the queue.
  const first = await joinAs(browser, request, page, slug, "approver-one", "approver");
  const second = await joinAs(browser, request, page, slug, "approver-two", "approver");
  for (const p of [first.page, second.page]) {
    await p.goto(`/t/${slug}/approvals`);
    await expect(p.getByTestId("queue-empty")).toBeVisible();
    await expect(p.getByTestId("shortcut-legend")).toContainText("approve");
  }

  // The agent asks; the decision needs approval.
  const action = { tool: "github", operation: "pulls.merge", resource: { type: "repository", id: "acme/api" }, args: { repo: "acme/api", base: "main", pull_number: 42 } };
  const asked = await request.post("/api/v1/decisions", { headers: auth, data: { run_id: "run_e2e_release_24", ...action, context: { reason: "Release 2.4, signed off in the release review" } } });
  expect(asked.status()).toBe(200);
  const answer = (await asked.json()) as { decision: string; approval: { id: string; status: string; required_approvals: number } };
  expect(answer.decision).toBe("pending_approval");
  expect(answer.approval).toMatchObject({ status: "pending", required_approvals: 2 });
  const approvalId = answer.approval.id;

  // The agent's long poll, with a plain HTTP client, not awaited.
  let polled = false;
  const longPoll = request.get(`/api/v1/approvals/${approvalId}?wait=30`, { headers: auth, timeout: 45_000 }).then((res) => {
    polled = true;
    return res;
  });

  // It appears in both queues without a reload, with the sidebar count.
  const rowIn = (p: Page) => p.getByTestId(`approval-row-${approvalId}`);
  for (const p of [first.page, second.page]) {
    await expect(rowIn(p)).toBeVisible();
    await expect(rowIn(p)).toContainText("merge-bot");
    await expect(rowIn(p)).toContainText("github · pulls.merge");
    await expect(rowIn(p)).toContainText("deploy");
    await expect(rowIn(p).getByTestId("approval-progress")).toHaveText("0 of 2");
    await expect(p.getByTestId("pending-approvals-badge")).toContainText("1");
  }

  // The owner sees it but may not decide it (separation of duties).
  await page.goto(`/t/${slug}/approvals/${approvalId}`);
  await expect(page.getByTestId("cannot-decide")).toHaveText("You own this agent, so you cannot decide its requests (separation of duties).");
  await expect(page.getByRole("button", { name: "Approve…" })).toHaveCount(0);

  // A single keystroke never decides: d opens the deny dialog, Escape leaves it pending.
  await second.page.keyboard.press("d");
  const denyDialog = second.page.getByRole("dialog", { name: "Deny this request?" });
  await expect(denyDialog).toBeVisible();
  await second.page.keyboard.press("Escape");
  await expect(denyDialog).toBeHidden();

  // Approver 1 approves from the queue with the keyboard (a → dialog → comment → Approve).
  await first.page.keyboard.press("a");
  const approveDialog = first.page.getByRole("dialog", { name: "Approve this request?" });
  await expect(approveDialog).toContainText("Yours is approval 1 of 2");
  await approveDialog.getByLabel("Comment (optional)").fill("Release notes checked");
  await approveDialog.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(approveDialog).toBeHidden();
  await expect(first.page.getByText("Approved (1 of 2): it stays pending")).toBeVisible();

  // Still pending in both queues (the other one updates live); the long poll is still waiting.
  for (const p of [first.page, second.page]) await expect(rowIn(p).getByTestId("approval-progress")).toHaveText("1 of 2");
  await expect(rowIn(first.page)).toContainText("you approved");
  expect(polled).toBe(false);

  // Approver 2 opens the request: exactly what will execute, the rule, the justification, the first vote.
  await rowIn(second.page).getByRole("link", { name: "github · pulls.merge" }).click();
  await expect(second.page).toHaveURL(new RegExp(`/t/${slug}/approvals/${approvalId}$`));
  const args = second.page.getByRole("group", { name: "Arguments" });
  await expect(args).toContainText('"repo": "acme/api"');
  await expect(args).toContainText('"pull_number": 42');
  await expect(second.page.getByTestId("resource")).toHaveText("repository acme/api");
  await expect(second.page.getByTestId("rule-name")).toHaveText("Merges to main need two approvers");
  await expect(second.page.getByTestId("approval-reason")).toContainText("requires two approvers");
  await expect(second.page.getByTestId("justification")).toHaveText("Release 2.4, signed off in the release review");
  await expect(second.page.getByTestId("agent-owner")).toHaveText(owner.email);
  await expect(second.page.getByTestId("votes")).toContainText(first.user.email);
  await expect(second.page.getByTestId("votes")).toContainText("Release notes checked");
  await expect(second.page.getByTestId("approval-state")).toContainText("1 of 2 approvals · 1 more needed");
  expect(polled).toBe(false);

  await second.page.getByRole("button", { name: "Approve…" }).click();
  const finalDialog = second.page.getByRole("dialog", { name: "Approve this request?" });
  await expect(finalDialog).toContainText("Yours is approval 2 of 2");
  await finalDialog.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(finalDialog).toBeHidden();
  await expect(second.page.getByTestId("approval-status")).toHaveText("approved");
  await expect(second.page.getByTestId("approval-state")).toContainText("2 of 2 approvals");

  // The agent's long poll answers "approved".
  const released = await longPoll;
  expect(released.status()).toBe(200);
  expect(await released.json()).toMatchObject({ id: approvalId, status: "approved" });
  expect(((await released.json()) as { decided_by: unknown[] }).decided_by).toHaveLength(2);

  // The first approver's queue drops it live; the decided history keeps it.
  await expect(rowIn(first.page)).toHaveCount(0);
  await expect(first.page.getByTestId("pending-approvals-badge")).toHaveCount(0);
  await first.page.getByRole("button", { name: /^All decided/ }).click();
  await expect(rowIn(first.page)).toContainText("approved");

  // Redemption: the same action with the approval id is allowed once, then denied.
  const redeem = () => request.post("/api/v1/decisions", { headers: auth, data: { run_id: "run_e2e_release_24", ...action, approval_id: approvalId } });
  const once = (await (await redeem()).json()) as { decision: string; reasons: { code: string }[] };
  expect(once.decision).toBe("allow");
  expect(once.reasons[0]!.code).toBe("approval_redeemed");
  const twice = (await (await redeem()).json()) as { decision: string; reasons: { code: string }[] };
  expect(twice.decision).toBe("deny");
  expect(twice.reasons[0]!.code).toBe("approval_already_used");

  // Another tenant (the approver's own) gets 404 for this request, page and route alike.
  const elsewhere = await first.page.request.get(`/api/console/t/${first.user.slug}/approvals/${approvalId}`);
  expect(elsewhere.status()).toBe(404);
  expect((await first.page.goto(`/t/${first.user.slug}/approvals/${approvalId}`))?.status()).toBe(404);

  await first.context.close();
  await second.context.close();
});
