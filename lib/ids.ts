import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

/** An opaque, URL-safe id with a type prefix, e.g. `ten_8f3k…` (80 random bits). */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let out = "";
  for (let i = 0; i < 16; i++) out += ALPHABET[bytes[i]! & 31];
  return `${prefix}_${out}`;
}

/** A secret token: 256 random bits, base64url. */
export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}
