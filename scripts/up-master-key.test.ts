import { describe, expect, it } from "vitest";
import { parseMasterKey } from "@/lib/secrets/envelope";
import { masterKeyForDotEnv } from "./up-master-key";

describe("npm run up: the master key", () => {
  it("generates a valid random key when none is configured, and says so", () => {
    const first = masterKeyForDotEnv({}, {});
    const second = masterKeyForDotEnv({}, {});
    expect(parseMasterKey(first.values.GATEHOUSE_MASTER_KEY!)).toHaveLength(32);
    expect(first.values.GATEHOUSE_MASTER_KEY).not.toBe(second.values.GATEHOUSE_MASTER_KEY);
    expect(first.notes.join(" ")).toMatch(/generated GATEHOUSE_MASTER_KEY into \.env/);
  });

  it("never replaces a key given in .env or the environment", () => {
    for (const [dotEnv, environment] of [
      [{ GATEHOUSE_MASTER_KEY: "k" }, {}],
      [{}, { GATEHOUSE_MASTER_KEY: "k" }],
      [{ GATEHOUSE_MASTER_KEY_FILE: "/run/secrets/key" }, {}],
      [{}, { GATEHOUSE_MASTER_KEY_FILE: "/run/secrets/key" }],
    ]) {
      expect(masterKeyForDotEnv(dotEnv!, environment!)).toEqual({ values: {}, notes: [] });
    }
  });
});
