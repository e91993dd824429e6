import { randomBytes, randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

/**
 * Random bytes drawn 4 KB at a time, as crypto.randomUUID does: a call to the system's
 * generator per id cost about 10 µs, a few per gateway call.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** An opaque, URL-safe id with a type prefix, e.g. `ten_8f3k…` (80 random bits). */
export function newId(prefix: string): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let out = "";
  for (let i = 0; i < 16; i++) out += ALPHABET[pool[used + i]! & 31];
  used += 16;
  return `${prefix}_${out}`;
}

/** A secret token: 256 random bits, base64url. */
export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}
