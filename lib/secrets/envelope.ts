import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * The one way Gatehouse stores a secret (docs/SECURITY.md): AES-256-GCM under a master key
 * from the environment, never the database. A sealed value reads
 *
 *   gh1.<keyId>.<iv b64url>.<ciphertext+tag b64url>
 *
 * keyId (first 8 hex digits of sha256 of the key) names the master key that sealed it, so
 * the key can rotate: GATEHOUSE_MASTER_KEYS_OLD keeps old keys for opening only, and
 * `npm run secrets:rotate` re-seals everything under the current one. `context` (for example
 * `${tenantId}/webhook`) is bound as additional authenticated data together with the
 * version and key id: a ciphertext copied into another row or tenant does not open.
 */

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretError";
  }
}

const VERSION = "gh1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

type MasterKey = { id: string; key: Buffer };
type Keyring = { current: MasterKey; byId: Map<string, MasterKey> };

export const MASTER_KEY_HELP =
  "Set GATEHOUSE_MASTER_KEY to 32 random bytes, base64 or hex (`openssl rand -base64 32`), or GATEHOUSE_MASTER_KEY_FILE to a file holding one. `npm run up` writes one into .env.";

/** 32 bytes from 64 hex digits or base64/base64url; anything else is refused. */
export function parseMasterKey(text: string, name = "GATEHOUSE_MASTER_KEY"): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, "hex")
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(value)
      ? Buffer.from(value, "base64")
      : undefined;
  if (!key || key.length !== 32) throw new SecretError(`${name} is not a 32-byte key. ${MASTER_KEY_HELP}`);
  return key;
}

export const keyIdOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

/** Random key text for a new installation (`npm run up`, tests). */
export const generateMasterKey = () => randomBytes(32).toString("base64");

type KeySource = { GATEHOUSE_MASTER_KEY?: string; GATEHOUSE_MASTER_KEY_FILE?: string; GATEHOUSE_MASTER_KEYS_OLD?: string };

function buildKeyring(source: KeySource): Keyring {
  const currentText = source.GATEHOUSE_MASTER_KEY?.trim()
    ? source.GATEHOUSE_MASTER_KEY
    : source.GATEHOUSE_MASTER_KEY_FILE?.trim()
      ? readKeyFile(source.GATEHOUSE_MASTER_KEY_FILE.trim())
      : undefined;
  if (!currentText) throw new SecretError(`No master key is configured. ${MASTER_KEY_HELP}`);
  const key = parseMasterKey(currentText);
  const current = { id: keyIdOf(key), key };
  const byId = new Map([[current.id, current]]);
  for (const old of (source.GATEHOUSE_MASTER_KEYS_OLD ?? "").split(",").filter((s) => s.trim())) {
    const oldKey = parseMasterKey(old, "An entry of GATEHOUSE_MASTER_KEYS_OLD");
    const id = keyIdOf(oldKey);
    if (!byId.has(id)) byId.set(id, { id, key: oldKey });
  }
  return { current, byId };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new SecretError(`GATEHOUSE_MASTER_KEY_FILE (${path}) cannot be read.`);
  }
}

// Rebuilt when the variables change (tests and the rotate command set them in-process).
let cached: { fingerprint: string; keyring: Keyring } | undefined;

function keyring(): Keyring {
  const source: KeySource = {
    GATEHOUSE_MASTER_KEY: process.env.GATEHOUSE_MASTER_KEY,
    GATEHOUSE_MASTER_KEY_FILE: process.env.GATEHOUSE_MASTER_KEY_FILE,
    GATEHOUSE_MASTER_KEYS_OLD: process.env.GATEHOUSE_MASTER_KEYS_OLD,
  };
  const fingerprint = JSON.stringify(source);
  if (cached?.fingerprint !== fingerprint) cached = { fingerprint, keyring: buildKeyring(source) };
  return cached.keyring;
}

/** Throws SecretError with operator instructions when the master key is missing or malformed. */
export function assertMasterKeyConfigured(): void {
  keyring();
}

/** The id of the key new secrets are sealed with. */
export const currentKeyId = () => keyring().current.id;

const aad = (keyId: string, context: string) => Buffer.from(`${VERSION}.${keyId}.${context}`, "utf8");

export function sealSecret(plaintext: string, context: string): string {
  const { current } = keyring();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(aad(current.id, context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, current.id, iv.toString("base64url"), body.toString("base64url")].join(".");
}

function parts(sealed: string): { keyId: string; iv: Buffer; body: Buffer } {
  const [version, keyId, iv, body, ...rest] = sealed.split(".");
  if (version !== VERSION || !keyId || !iv || !body || rest.length) throw new SecretError("Not a sealed secret.");
  return { keyId, iv: Buffer.from(iv, "base64url"), body: Buffer.from(body, "base64url") };
}

export function openSecret(sealed: string, context: string): string {
  const { keyId, iv, body } = parts(sealed);
  const master = keyring().byId.get(keyId);
  if (!master) throw new SecretError(`The secret was sealed with master key ${keyId}, which is not configured (GATEHOUSE_MASTER_KEYS_OLD keeps old keys).`);
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SecretError("The sealed secret is damaged.");
  try {
    const decipher = createDecipheriv("aes-256-gcm", master.key, iv);
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretError("The sealed secret does not open: it was altered or belongs to another record.");
  }
}

export const sealedKeyId = (sealed: string) => parts(sealed).keyId;

/** True for a value in the sealed format (whether or not it opens). */
export function isSealed(value: string): boolean {
  try {
    parts(value);
    return true;
  } catch {
    return false;
  }
}

/** A sealed value re-sealed under the current key; unchanged when it already is. */
export function resealSecret(sealed: string, context: string): string {
  return sealedKeyId(sealed) === currentKeyId() ? sealed : sealSecret(openSecret(sealed, context), context);
}
