// Shared by `npm run up` and `npm test`: plain Node (no dependencies), because on a fresh
// clone nothing is installed yet. Installs packages when needed and generates the client.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

export function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: "inherit", ...opts, env: { ...process.env, ...opts.env } });
  if (result.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

export function ensureInstalled() {
  const stamp = "node_modules/.package-lock.json";
  const stale = !existsSync(stamp) || statSync("package-lock.json").mtimeMs > statSync(stamp).mtimeMs;
  if (stale) {
    console.log("› installing dependencies");
    installDependencies();
  }
  generatePrismaClient();
}

/**
 * `npm install` from the committed lockfile (its pinned versions are what installs).
 * Not `npm ci`: npm 11 here leaves other platforms' optional binaries (@next/swc-darwin-…)
 * out of the lockfile, and `npm ci` then refuses the lockfile as out of sync.
 * Playwright's own browser download cannot work here; Debian's Chromium is used instead.
 */
export function installDependencies() {
  run("npm", ["install", "--no-audit", "--no-fund"], { env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } });
}

/**
 * `prisma generate` offline: these variables must name an existing file (neither is run)
 * or the CLI tries to download engines; the datasource url only has to parse.
 */
export function generatePrismaClient() {
  run("npx", ["prisma", "generate"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PRISMA_SCHEMA_ENGINE_BINARY: "package.json",
      PRISMA_QUERY_ENGINE_LIBRARY: "package.json",
      DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://unused/unused",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
}

/** Debian's package: Playwright's own browser download cannot work here (playwright.config.ts reads the same variable). */
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * What the e2e stage needs done about Chromium: nothing, Debian's package installed (as
 * root, like `npm run up` sets up Postgres and Redis), or a stop naming the one command to run.
 */
export function chromiumPlan({ path = DEBIAN_CHROMIUM, present, root }) {
  if (present) return { action: "none" };
  if (path !== DEBIAN_CHROMIUM) return { action: "stop", message: `Chromium is missing at CHROMIUM_PATH=${path}: point CHROMIUM_PATH at a Chromium, or unset it to use Debian's.` };
  if (root) return { action: "install" };
  return { action: "stop", message: `Chromium is missing at ${DEBIAN_CHROMIUM} (the e2e tests drive it). Install it once with:\n  sudo apt-get install -y chromium` };
}

export function ensureChromium() {
  const path = process.env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
  const plan = chromiumPlan({ path, present: existsSync(path), root: process.getuid?.() === 0 });
  if (plan.action === "install") {
    console.log("› installing Chromium from Debian (the e2e tests drive it)");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "chromium"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
  } else if (plan.action === "stop") {
    console.error(`\n✗ ${plan.message}`);
    process.exit(1);
  }
}
