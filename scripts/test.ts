/**
 * Every check, in order: type check, lint, vitest (unit + integration against real
 * Postgres and Redis in a fresh database), Playwright e2e against a production build.
 * Ends with one summary line: `tests: N passed, N failed`.
 * `npm test -- --only=unit` (or lint, typecheck, e2e) runs one stage; file arguments narrow
 * the e2e stage to those specs (`npm test -- --only=e2e e2e/usage.spec.ts`).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { Redis } from "ioredis";
import pg from "pg";
import { ensureDatabase, migrate } from "@/lib/db/migrate";
import { deleteKeysWithPrefix } from "@/lib/redis";
import { databaseUrls, ensureServices } from "./services";

type Stage = { name: string; ok: boolean; passed: number; failed: number; seconds: number; note?: string; tests?: string[] };
const stages: Stage[] = [];
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const specs = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const RESULTS = ".data/test-results";
const E2E_PORT = 3100;

function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } }).status === 0;
}

function stage(name: string, fn: () => Promise<Omit<Stage, "name" | "seconds">> | Omit<Stage, "name" | "seconds">) {
  return async () => {
    if (only && only !== name) return;
    console.log(`\n━━ ${name} ━━`);
    const started = Date.now();
    const result = await fn();
    stages.push({ name, seconds: Math.round((Date.now() - started) / 1000), ...result });
  };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

const typecheck = stage("typecheck", () => {
  const ok = sh("npx", ["tsc", "--noEmit"]);
  return { ok, passed: 0, failed: 0 };
});

const lint = stage("lint", () => {
  const ok = sh("npx", ["eslint", "--max-warnings=0", "."]);
  return { ok, passed: 0, failed: 0 };
});

const unit = stage("unit", () => {
  const out = `${RESULTS}/vitest.json`;
  rmSync(out, { force: true });
  const outcomes = `${RESULTS}/vitest-outcomes.json`;
  rmSync(outcomes, { force: true });
  const ok = sh("npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--reporter=./scripts/outcome-reporter.ts", `--outputFile.json=${out}`]);
  const report = readJson<{ numPassedTests: number; numFailedTests: number; numTotalTests: number }>(out);
  if (!report) return { ok: false, passed: 0, failed: 1, note: "vitest wrote no report" };
  const { failed = [], flaky = [] } = readJson<{ failed: string[]; flaky: string[] }>(outcomes) ?? {};
  const named = [...failed.map((t) => `failed: ${t}`), ...flaky.map((t) => `flaky (passed on retry): ${t}`)];
  return { ok: ok && report.numFailedTests === 0 && report.numTotalTests > 0, passed: report.numPassedTests, failed: report.numFailedTests, tests: named };
});

const e2e = stage("e2e", async () => {
  const services = await ensureServices();
  const database = `gh_e2e_${process.pid}_${randomBytes(3).toString("hex")}`;
  const { adminUrl, appUrl } = databaseUrls(services.serverUrl, database);
  const env: Record<string, string> = {
    DATABASE_URL: appUrl,
    MIGRATE_DATABASE_URL: adminUrl,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: `gh-e2e-${process.pid}`,
    NEXTAUTH_URL: `http://localhost:${E2E_PORT}`,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    NEXT_DIST_DIR: ".next-e2e",
    E2E_PORT: String(E2E_PORT),
    DEMO_AGENTS_FILE: ".data/e2e/demo-agents.json",
    OIDC_ISSUER: "http://127.0.0.1:5599",
    OIDC_CLIENT_ID: "gatehouse-e2e",
    OIDC_CLIENT_SECRET: "e2e-client-secret-0123456789",
    OIDC_NAME: "Test IdP",
    NODE_ENV: "production",
    // A fresh master key per run: production refuses to start without one.
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
    // The specs' webhook receivers listen on loopback, which outbound requests refuse otherwise.
    OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
  };
  try {
    await ensureDatabase(adminUrl);
    await migrate({ adminUrl, appUrl });
    if (!sh("npx", ["tsx", "prisma/seed.ts"], env)) return { ok: false, passed: 0, failed: 1, note: "demo seed failed" };
    console.log("› next build (.next-e2e)");
    if (!sh("npx", ["next", "build"], env)) return { ok: false, passed: 0, failed: 1, note: "next build failed" };
    const out = `${RESULTS}/playwright.json`;
    rmSync(out, { force: true });
    const ok = sh("npx", ["playwright", "test", ...specs], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
    const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(out);
    if (!report) return { ok: false, passed: 0, failed: 1, note: "playwright wrote no report" };
    const passed = report.stats.expected + report.stats.flaky;
    return { ok: ok && report.stats.unexpected === 0 && passed > 0, passed, failed: report.stats.unexpected, note: report.stats.flaky ? `${report.stats.flaky} flaky` : undefined };
  } finally {
    const server = new pg.Client({ connectionString: databaseUrls(services.serverUrl, "postgres").adminUrl });
    await server.connect();
    await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`).catch(() => {});
    await server.end();
    const redis = new Redis(services.redisUrl);
    await deleteKeysWithPrefix(redis, env.REDIS_PREFIX!).catch(() => {});
    redis.disconnect();
  }
});

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  if (!existsSync("lib/db/generated")) throw new Error("Prisma client missing: run through `npm test`.");
  for (const s of [typecheck, lint, unit, e2e]) await s();
  console.log("\n━━ summary ━━");
  for (const s of stages) {
    const counts = s.passed || s.failed ? ` ${s.passed} passed, ${s.failed} failed` : "";
    console.log(`${s.ok ? "✓" : "✗"} ${s.name.padEnd(10)}${counts} (${s.seconds}s)${s.note ? ` — ${s.note}` : ""}`);
    for (const test of s.tests ?? []) console.log(`    ${test}`);
  }
  const passed = stages.reduce((n, s) => n + s.passed, 0);
  const failed = stages.reduce((n, s) => n + s.failed + (s.ok ? 0 : s.failed ? 0 : 1), 0);
  const allOk = stages.length > 0 && stages.every((s) => s.ok);
  console.log(`${allOk ? "PASS" : "FAIL"}: every stage ${allOk ? "passed" : "did not pass"}`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(allOk ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  console.log("tests: 0 passed, 1 failed");
  process.exit(1);
});
