import { afterEach, describe, expect, it, vi } from "vitest";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

/** A fresh lib/env (it caches the parsed configuration). */
async function freshEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.resetModules();
  return (await import("./env")).env;
}

describe("env: the master key", () => {
  it("refuses to start in production without a master key, naming what to set", async () => {
    const env = await freshEnv({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: undefined, GATEHOUSE_MASTER_KEY_FILE: undefined });
    expect(() => env()).toThrow(/GATEHOUSE_MASTER_KEY/);
  });

  it("refuses a malformed key in production", async () => {
    const env = await freshEnv({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: "changeme" });
    expect(() => env()).toThrow(/not a 32-byte key/);
  });

  it("starts in production with a key", async () => {
    const env = await freshEnv({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
    expect(env().NODE_ENV).toBe("production");
  });
});
