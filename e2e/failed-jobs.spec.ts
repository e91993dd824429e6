import { expect, test } from "@playwright/test";
import { Queue } from "bullmq";
import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import { registerAgentWithToken } from "./support/agent";
import { joinAs, signIn, signUpUser } from "./support/session";

/**
 * Settings → Failed jobs: a job Postgres refuses (here an event batch with a NUL byte,
 * queued straight into Redis as an older release or a bug could have) is dead-lettered by
 * the real worker after one attempt, shown to the owner, and re-driven: the event is then
 * stored with U+FFFD. A viewer has no such tab.
 */
test("failed jobs: empty state, a poison job dead-lettered and shown, re-driven after confirmation, stored sanitized", async ({ page, request, browser }) => {
  test.setTimeout(90_000);
  const owner = await signUpUser(request, "dlq");
  await signIn(page, owner.email, owner.password);
  await page.goto(`/t/${owner.slug}/settings`);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Failed jobs" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${owner.slug}/settings/failed-jobs$`));
  await expect(page.getByRole("heading", { name: "No failed jobs" })).toBeVisible();

  const { agentId, token } = await registerAgentWithToken(page.request, request, owner.slug, { name: `dlq-bot-${randomBytes(3).toString("hex")}` });
  const db = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await db.connect();
  const tenantId = (await db.query<{ id: string }>("SELECT id FROM tenants WHERE slug = $1", [owner.slug])).rows[0]!.id;
  await db.end();

  const run = `run_dlq_${randomBytes(4).toString("hex")}`;
  const message = "before\u0000after";
  const queue = new Queue("ingest", { connection: { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }, prefix: `{${process.env.REDIS_PREFIX ?? "gh"}:bull}` });
  try {
    await queue.add(
      "events.write",
      {
        tenantId,
        agentId,
        receivedAt: new Date().toISOString(),
        events: [{ key: "evt_poison", run, type: "log", ts: new Date().toISOString(), payload: { level: "info", message }, hash: createHash("sha256").update(message).digest("hex") }],
      },
      { attempts: 200, backoff: { type: "capped" } },
    );
  } finally {
    await queue.close();
  }

  const row = page.locator('[data-testid^="failed-job-"]');
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row).toContainText("ingest");
  await expect(row).toContainText("events.write");
  await expect(row).toContainText("22P05");

  await row.getByRole("button", { name: "Re-drive" }).click();
  const dialog = page.getByRole("dialog", { name: "Re-drive this job?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Re-drive" }).click();
  await expect(row).toContainText("re-driven");
  await expect(row.getByRole("button", { name: "Re-drive" })).toHaveCount(0);

  // Stored, once, with the NUL replaced.
  await expect
    .poll(async () => {
      const res = await request.get(`/api/v1/runs/${run}/events`, { headers: { authorization: `Bearer ${token}` } });
      return res.ok() ? ((await res.json()) as { events: { message?: string }[] }).events.map((e) => e.message) : [];
    }, { timeout: 20_000 })
    .toEqual(["before\uFFFDafter"]);

  const viewer = await joinAs(browser, request, page, owner.slug, "dlq-viewer", "viewer");
  await viewer.page.goto(`/t/${owner.slug}/settings`);
  await expect(viewer.page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Failed jobs" })).toHaveCount(0);
  expect((await viewer.page.request.get(`/api/console/t/${owner.slug}/failed-jobs`)).status()).toBe(403);
});
