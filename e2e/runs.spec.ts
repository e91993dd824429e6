import { expect, test } from "@playwright/test";
import { seedLargeRun } from "../lib/testing/seed-large-run";
import { signIn, signUpUser } from "./support/session";

/**
 * A 100,000-event run in the test's own tenant (seeded straight into Postgres: the ingest
 * path has its own integration and durability tests): the list finds it, the run page
 * paints its header and first events at once, scrolls to the very end fetching only the
 * pages in view, and replay steps and scrubs with the state panel following.
 */
test("a 100,000-event run: find it, scroll its timeline to the end, and step through replay", async ({ page, request }) => {
  test.setTimeout(90_000);
  const user = await signUpUser(request, "runs");
  const run = await seedLargeRun({ ownerUrl: process.env.MIGRATE_DATABASE_URL!, tenantSlug: user.slug, events: 100_000 });
  await signIn(page, user.email, user.password);

  // The list: search by a side effect's object id (event #6 is refund re_<suffix>_6).
  await page.goto(`/t/${user.slug}/runs`);
  const rows = page.getByTestId("run-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(run.externalId);
  await expect(rows.first()).toContainText("100,000");
  const suffix = run.externalId.replace("run_large_", "");
  await page.getByLabel("Search runs").fill(`re_${suffix}_6`);
  await expect(rows).toHaveCount(1);
  await page.getByLabel("Search runs").fill("re_nothing_matches");
  await expect(page.getByText("No runs match these filters.")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByLabel("Denials").selectOption("true");
  await expect(rows).toHaveCount(1);
  await page.getByLabel("Approvals").selectOption("true");
  await expect(page.getByText("No runs match these filters.")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();

  // The run page: header from the summary, first rows painted quickly.
  const started = Date.now();
  await rows.first().getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/t/${user.slug}/runs/${run.runId}$`));
  const timeline = page.getByTestId("timeline");
  await expect(timeline.locator('[data-index="0"]')).toContainText("run.started");
  const firstPaintMs = Date.now() - started;
  console.log(`run page: first timeline rows painted ${firstPaintMs} ms after the click`);
  const header = page.getByTestId("run-header");
  await expect(header).toContainText("succeeded");
  await expect(header).toContainText("100,000");
  await expect(header).toContainText("Policy v3");
  // Only a couple of rows' worth of DOM, not 100,000.
  expect(await page.getByTestId("timeline-row").count()).toBeLessThan(100);

  // Server-attested decisions look different from agent events.
  const decision = timeline.locator('[data-index="9"]');
  await expect(decision).toContainText("decision");
  await expect(decision).toContainText("server");
  await expect(timeline.locator('[data-index="8"]')).toContainText("agent");

  // Scroll to the very end: the last page is fetched and shown.
  await timeline.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(timeline.locator('[data-index="99999"]')).toContainText("run.finished");
  await expect(timeline.locator('[data-index="99999"]')).toContainText("all refunds processed");

  // Payload viewer: a tool call's stored payload is redacted and links to its decision.
  await timeline.evaluate((el) => el.scrollTo({ top: 0 }));
  await timeline.locator('[data-index="13"]').click();
  const viewer = page.getByTestId("payload-viewer");
  await expect(viewer).toContainText("tool.call");
  await expect(viewer).toContainText('"[REDACTED]"');
  await expect(viewer).toContainText("Redacted before storage: args.api_key");
  await viewer.getByRole("button", { name: /Go to its decision/ }).click();
  await expect(page.getByTestId("payload-viewer")).toContainText("dec_10");
  // The link landed: another row is selected (its lookup answered before replay starts below).
  await expect(timeline.locator('[aria-selected="true"]')).not.toHaveAttribute("data-index", "13");

  // Replay: step, then scrub; the state panel follows.
  await page.getByRole("button", { name: "Replay" }).click();
  const position = page.getByTestId("replay-position");
  await page.getByRole("button", { name: "First event" }).click();
  await expect(position).toHaveText("Event 1 of 100,000");
  await page.getByRole("button", { name: "Step ▶" }).click();
  await page.getByRole("button", { name: "Step ▶" }).click();
  await page.getByRole("button", { name: "Step ▶" }).click();
  await expect(position).toHaveText("Event 4 of 100,000");
  // Events 1–4: run.started, a model call (100 in / 20 out, $0.001), two tool calls (the first failed).
  const state = page.getByTestId("replay-state");
  await expect(state.getByTestId("replay-tokens")).toHaveText("100 in / 20 out");
  await expect(state.getByTestId("replay-tool-calls")).toHaveText("2");
  await expect(state.getByTestId("replay-errors")).toHaveText("1");
  await expect(state.getByTestId("replay-cost-so-far")).toHaveText("$0.0010");
  await page.getByRole("button", { name: "◀ Step back" }).click();
  await expect(position).toHaveText("Event 3 of 100,000");
  await expect(state.getByTestId("replay-tool-calls")).toHaveText("1");

  await page.getByLabel("Scrub through the run").fill("49999");
  await expect(position).toHaveText("Event 50,000 of 100,000");
  // 50,000 events: 5,000 decisions (1,666 denied), 15,000 tool calls, 9,999 model calls ($0.001 each).
  await expect(state.getByTestId("replay-tool-calls")).toHaveText("15,000");
  await expect(state.getByTestId("replay-decisions")).toHaveText("5,000 (1,666 denied)");
  await expect(state.getByTestId("replay-cost-so-far")).toHaveText("$10.00");
  await expect(timeline.locator('[data-index="49999"]')).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "Last event" }).click();
  await expect(position).toHaveText("Event 100,000 of 100,000");
  await expect(state.getByTestId("replay-cost-so-far")).toHaveText("$20.00");
});
