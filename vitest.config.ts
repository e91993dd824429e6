import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    environment: "node",
    include: ["lib/**/*.test.ts", "components/**/*.test.ts", "workers/**/*.test.ts", "servers/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts"],
    globalSetup: ["./lib/testing/global-setup.ts"],
    // Every machine-API answer in every test is checked against the contract's declared responses.
    setupFiles: ["./lib/testing/contract-check.ts"],
    // Integration tests share one database per run; files run in parallel across 2 cores.
    pool: "forks",
    testTimeout: 20_000,
    // As Playwright does in CI: one retry, and scripts/test.ts names every test that needed it.
    retry: process.env.CI ? 1 : 0,
    hookTimeout: 60_000,
  },
});
