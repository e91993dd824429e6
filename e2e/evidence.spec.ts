import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn } from "./support/session";

test("an auditor requests an export, watches it finish, downloads it and the offline verifier accepts it", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, "auditor@acme.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Evidence" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Evidence" })).toBeVisible();

  const form = page.getByRole("form", { name: "New export" });
  await form.getByLabel("Format").selectOption("jsonl");
  const before = await page.getByTestId("export-row").count();
  await form.getByRole("button", { name: "Request export" }).click();

  // The new export appears at the top and moves to succeeded by itself (the table polls).
  await expect(page.getByTestId("export-row")).toHaveCount(before + 1);
  const row = page.getByTestId("export-row").first();
  await expect(row).toContainText("auditor@acme.test");
  await expect(row.getByTestId("export-status")).toHaveText(/queued|running|succeeded/);
  await expect(row.getByTestId("export-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(row.getByTestId("export-sha256")).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Download" }).click()]);
  const dir = mkdtempSync(path.join(tmpdir(), "gh-e2e-evidence-"));
  const bundle = path.join(dir, download.suggestedFilename());
  await download.saveAs(bundle);
  expect(download.suggestedFilename()).toMatch(/^gatehouse-evidence-acme-exp_\w+\.tar\.gz$/);
  const sha = createHash("sha256").update(readFileSync(bundle)).digest("hex");
  await expect(row.getByTestId("export-sha256")).toHaveAttribute("title", sha);

  // The public key comes from the instance's public endpoint, as an auditor would fetch it.
  const key = await page.request.get("/api/v1/evidence/public-key");
  expect(key.status()).toBe(200);
  const keyFile = path.join(dir, "gatehouse-key.json");
  writeFileSync(keyFile, await key.text());

  const run = spawnSync(process.execPath, ["scripts/verify-evidence.mjs", bundle, "--public-key", keyFile], { encoding: "utf8" });
  expect(run.stdout, run.stderr).toContain("VERDICT: VALID");
  expect(run.stdout).toContain("✓ manifest signature");
  expect(run.status).toBe(0);

  // A changed byte in the download is refused.
  const bytes = readFileSync(bundle);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  writeFileSync(bundle, bytes);
  const tampered = spawnSync(process.execPath, ["scripts/verify-evidence.mjs", bundle, "--public-key", keyFile], { encoding: "utf8" });
  expect(tampered.stdout).toContain("VERDICT: INVALID");
  expect(tampered.status).toBe(1);

  // The export and the download are in the audit log; the digest chain verifies.
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" }).click();
  await page.getByLabel("Action").selectOption("evidence.export_downloaded");
  await expect(page.getByTestId("audit-row").first()).toContainText("auditor@acme.test");
  await page.getByRole("button", { name: "Verify digests" }).click();
  await expect(page.getByTestId("digest-status")).toContainText(/Digest chain verified: \d+ digests signed and linked/, { timeout: 20_000 });
});

test("a viewer has no Evidence section and cannot reach its API", async ({ page }) => {
  await signIn(page, "viewer@acme.test");
  await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Runs" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Evidence" })).toHaveCount(0);
  expect((await page.request.get("/api/console/t/acme/evidence/exports")).status()).toBe(403);
  expect((await page.request.post("/api/console/t/acme/evidence/exports", { data: { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString() } })).status()).toBe(403);
});
