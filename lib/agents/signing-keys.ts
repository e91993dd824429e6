import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { openSecret, sealSecret } from "@/lib/secrets/envelope";

export const TOKEN_ALG = "ES256";
export const TOKEN_ISSUER = "gatehouse";
export const TOKEN_AUDIENCE = "gatehouse-api";

// The private half stays sealed in memory too; only signing opens it (activeSigningKey).
type LoadedKey = { kid: string; publicKey: CryptoKey; privateJwkSealed: string; retiredAt: Date | null; publicJwk: JWK };

let cache: { at: number; keys: LoadedKey[] } | undefined;
const CACHE_MS = 60_000;

/** Creates the first ES256 signing key if there is none yet (setup and seed call this). */
export async function ensureSigningKey(): Promise<string> {
  const active = await db().signingKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: "desc" } });
  if (active) return active.kid;
  return rotateSigningKey();
}

/** A new active key; older keys stay published so tokens already issued keep verifying. */
export async function rotateSigningKey(): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALG, { extractable: true });
  const kid = `key_${randomBytes(8).toString("hex")}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALG, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: TOKEN_ALG };
  await db().$transaction([
    db().signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: new Date() } }),
    db().signingKey.create({ data: { kid, publicJwk, privateJwkSealed: sealSecret(JSON.stringify(privateJwk), signingKeyContext(kid)) } }),
  ]);
  cache = undefined;
  return kid;
}

/**
 * Keys that verify tokens: the active one and those retired within the longest token
 * lifetime. Read again in the background once half the cache's life has passed, so no
 * token check waits for the clock (at hundreds of checks per second, an expiry made every
 * request in the next few ms run its own query).
 */
export async function verificationKeys(): Promise<LoadedKey[]> {
  const age = cache ? Date.now() - cache.at : Infinity;
  if (age >= CACHE_MS) return loadKeys();
  if (age >= CACHE_MS / 2) loadKeys().catch(() => {}); // a failed read leaves the cache to expire
  return cache!.keys;
}

let loading: { startedAt: number; keys: Promise<LoadedKey[]> } | undefined;

/** The keys from a read that began at `notBefore` (performance.now()) or later, shared by everyone who asks meanwhile. */
function loadKeys(notBefore = 0): Promise<LoadedKey[]> {
  if (loading && loading.startedAt >= notBefore) return loading.keys;
  const read = { startedAt: performance.now(), keys: readKeys() };
  loading = read;
  const done = () => {
    if (loading === read) loading = undefined;
  };
  read.keys.then(done, done);
  return read.keys;
}

async function readKeys(): Promise<LoadedKey[]> {
  const since = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const rows = await db().signingKey.findMany({
    where: { OR: [{ retiredAt: null }, { retiredAt: { gt: since } }] },
    orderBy: { createdAt: "desc" },
  });
  const keys = await Promise.all(
    rows.map(async (row) => ({
      kid: row.kid,
      publicJwk: row.publicJwk as JWK,
      privateJwkSealed: row.privateJwkSealed ?? (await sealPlaintext(row)),
      retiredAt: row.retiredAt,
      publicKey: (await importJWK(row.publicJwk as JWK, TOKEN_ALG)) as CryptoKey,
    })),
  );
  cache = { at: Date.now(), keys };
  return keys;
}

export const signingKeyContext = (kid: string) => `signing_key/${kid}`;

/** A row still in plaintext (from before envelope encryption): sealed and its plaintext cleared now. */
async function sealPlaintext(row: { kid: string; privateJwk: Prisma.JsonValue | null }): Promise<string> {
  const sealed = sealSecret(JSON.stringify(row.privateJwk), signingKeyContext(row.kid));
  await db().signingKey.updateMany({ where: { kid: row.kid, privateJwkSealed: null }, data: { privateJwkSealed: sealed, privateJwk: Prisma.DbNull } });
  return sealed;
}

export async function keyForKid(kid: string | undefined): Promise<CryptoKey | undefined> {
  const asked = performance.now();
  let key = (await verificationKeys()).find((k) => k.kid === kid);
  // A key rotated in another process: read once more, from a read that began after this check did.
  if (!key) key = (await loadKeys(asked)).find((k) => k.kid === kid);
  return key?.publicKey;
}

export async function activeSigningKey(): Promise<{ kid: string; privateKey: CryptoKey }> {
  const key = (await verificationKeys()).find((k) => !k.retiredAt);
  if (!key) throw new Error("No active signing key: run `npm run db:migrate` and the seed, or ensureSigningKey().");
  const privateJwk = JSON.parse(openSecret(key.privateJwkSealed, signingKeyContext(key.kid))) as JWK;
  return { kid: key.kid, privateKey: (await importJWK(privateJwk, TOKEN_ALG)) as CryptoKey };
}

export async function publicJwks(): Promise<{ keys: JWK[] }> {
  return { keys: (await verificationKeys()).map((k) => k.publicJwk) };
}
