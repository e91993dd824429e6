import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { SecretError, currentKeyId, generateMasterKey, isSealed, keyIdOf, openSecret, parseMasterKey, resealSecret, sealSecret, sealedKeyId } from "./envelope";

const saved = { ...process.env };
const keyA = generateMasterKey();
const keyB = randomBytes(32).toString("hex");

beforeEach(() => {
  process.env.GATEHOUSE_MASTER_KEY = keyA;
  delete process.env.GATEHOUSE_MASTER_KEY_FILE;
  delete process.env.GATEHOUSE_MASTER_KEYS_OLD;
});
afterEach(() => {
  process.env = { ...saved };
});

describe("sealSecret / openSecret", () => {
  it("round-trips and hides the plaintext", () => {
    const sealed = sealSecret("whsec_topsecret", "t1/webhook");
    expect(sealed).toMatch(/^gh1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("topsecret");
    expect(sealedKeyId(sealed)).toBe(keyIdOf(parseMasterKey(keyA)));
    expect(openSecret(sealed, "t1/webhook")).toBe("whsec_topsecret");
    expect(sealSecret("whsec_topsecret", "t1/webhook")).not.toBe(sealed); // fresh IV each time
    expect(isSealed(sealed)).toBe(true);
    expect(isSealed("whsec_plain")).toBe(false);
  });

  it("refuses a ciphertext that was altered", () => {
    const sealed = sealSecret("secret", "ctx");
    const [v, id, iv, body] = sealed.split(".") as [string, string, string, string];
    const raw = Buffer.from(body, "base64url");
    raw[0]! ^= 1;
    expect(() => openSecret([v, id, iv, raw.toString("base64url")].join("."), "ctx")).toThrow(SecretError);
    const tag = Buffer.from(body, "base64url");
    tag[tag.length - 1]! ^= 1;
    expect(() => openSecret([v, id, iv, tag.toString("base64url")].join("."), "ctx")).toThrow(SecretError);
    expect(() => openSecret([v, id, Buffer.alloc(12).toString("base64url"), body].join("."), "ctx")).toThrow(SecretError);
    expect(() => openSecret("gh1.nonsense", "ctx")).toThrow(SecretError);
  });

  it("refuses a ciphertext moved to another context (row or tenant)", () => {
    const sealed = sealSecret("secret", "tenantA/webhook");
    expect(() => openSecret(sealed, "tenantB/webhook")).toThrow(/does not open/);
  });

  it("refuses a ciphertext relabelled with another key id", () => {
    process.env.GATEHOUSE_MASTER_KEYS_OLD = keyB;
    const sealed = sealSecret("secret", "ctx");
    const relabelled = sealed.replace(`.${currentKeyId()}.`, `.${keyIdOf(parseMasterKey(keyB))}.`);
    expect(() => openSecret(relabelled, "ctx")).toThrow(SecretError);
  });

  it("rotates: old keys open (decrypt-only), new seals use the current key, an unknown key is refused", () => {
    const underA = sealSecret("secret", "ctx");
    process.env.GATEHOUSE_MASTER_KEY = keyB;
    expect(() => openSecret(underA, "ctx")).toThrow(/not configured/);
    process.env.GATEHOUSE_MASTER_KEYS_OLD = keyA;
    expect(openSecret(underA, "ctx")).toBe("secret");
    const resealed = resealSecret(underA, "ctx");
    expect(sealedKeyId(resealed)).toBe(keyIdOf(parseMasterKey(keyB)));
    expect(resealSecret(resealed, "ctx")).toBe(resealed);
    delete process.env.GATEHOUSE_MASTER_KEYS_OLD;
    expect(openSecret(resealed, "ctx")).toBe("secret");
  });

  it("reads the key from GATEHOUSE_MASTER_KEY_FILE", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gh-key-"));
    writeFileSync(path.join(dir, "key"), `${keyB}\n`);
    delete process.env.GATEHOUSE_MASTER_KEY;
    process.env.GATEHOUSE_MASTER_KEY_FILE = path.join(dir, "key");
    expect(sealedKeyId(sealSecret("x", "c"))).toBe(keyIdOf(parseMasterKey(keyB)));
  });

  it("refuses to seal without a key or with a malformed one", () => {
    delete process.env.GATEHOUSE_MASTER_KEY;
    expect(() => sealSecret("x", "c")).toThrow(/No master key/);
    process.env.GATEHOUSE_MASTER_KEY = "too-short";
    expect(() => sealSecret("x", "c")).toThrow(/not a 32-byte key/);
    process.env.GATEHOUSE_MASTER_KEY = randomBytes(16).toString("base64");
    expect(() => sealSecret("x", "c")).toThrow(/not a 32-byte key/);
  });
});
