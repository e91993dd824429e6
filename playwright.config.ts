import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
// The worker records decisions (and runs the other queues) while specs run; it answers
// 200 on this port once started (WORKER_HEALTH_PORT, workers/index.ts).
const workerHealthPort = port + 99;

// Debian's Chromium: Playwright's own browser download cannot work on these machines.
export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: false,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"], ["json"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], viewport: { width: 1440, height: 900 } } }],
  webServer: [
    {
      command: "npx tsx e2e/support/oidc-server.ts",
      url: "http://127.0.0.1:5599/.well-known/openid-configuration",
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The server `npm run up` runs: console and machine API on one port (servers/front-door.ts).
      command: "npx tsx servers/front-door.ts",
      env: { PORT: String(port) },
      url: `http://127.0.0.1:${port}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000, // a process per core, each loading the build, on a busy machine
    },
    {
      command: "npx tsx workers/index.ts",
      env: { WORKER_HEALTH_PORT: String(workerHealthPort) },
      url: `http://127.0.0.1:${workerHealthPort}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    },
  ],
});
