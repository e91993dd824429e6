import { describe, expect, it } from "vitest";
import { hashSecret, verifySecret } from "./password";

describe("password hashing", () => {
  it("verifies the right secret and rejects others", async () => {
    const stored = await hashSecret("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifySecret("correct horse battery", stored)).toBe(true);
    expect(await verifySecret("correct horse batterY", stored)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashSecret("same")).not.toBe(await hashSecret("same"));
  });

  it("rejects malformed stored values instead of throwing", async () => {
    expect(await verifySecret("x", "")).toBe(false);
    expect(await verifySecret("x", "bcrypt$abc")).toBe(false);
  });
});
