import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { openSecret, sealSecret } from "@/lib/secrets/envelope";

/**
 * The instance's Ed25519 evidence key: signs digests and bundle manifests. Created on
 * first use; the public halves of every key (also retired ones, so old bundles keep
 * verifying) are served at GET /api/v1/evidence/public-key.
 *
 * The private key is stored sealed (lib/secrets/envelope.ts): reading evidence_keys
 * without the master key does not let anyone sign.
 */
export type EvidenceKeyPair = { kid: string; privateKey: KeyObject; publicJwk: Record<string, unknown> };

let cached: EvidenceKeyPair | undefined;

/** Key id: "evk_" + the first 16 hex digits of sha256 of the raw public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const x = publicKey.export({ format: "jwk" }).x!;
  return `evk_${createHash("sha256").update(Buffer.from(x, "base64url")).digest("hex").slice(0, 16)}`;
}

export function publicJwkOf(publicKey: KeyObject): Record<string, unknown> {
  const jwk = publicKey.export({ format: "jwk" });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: keyIdOf(publicKey), alg: "EdDSA", use: "sig" };
}

/** The active key, created (race-safe: the primary key decides) when there is none. */
export async function activeEvidenceKey(): Promise<EvidenceKeyPair> {
  if (cached) return cached;
  let row = await db().evidenceKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: "asc" } });
  if (!row) {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const kid = keyIdOf(publicKey);
    await db().evidenceKey.createMany({
      data: [
        {
          kid,
          publicJwk: publicJwkOf(publicKey) as Prisma.InputJsonObject,
          privateKeySealed: sealSecret(privateKey.export({ format: "pem", type: "pkcs8" }) as string, evidenceKeyContext(kid)),
        },
      ],
      skipDuplicates: true,
    });
    // Two processes may have raced: the oldest active key wins for both.
    row = await db().evidenceKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: "asc" } });
  }
  cached = { kid: row.kid, privateKey: createPrivateKey(await privatePemOf(row)), publicJwk: row.publicJwk as Record<string, unknown> };
  return cached;
}

export const evidenceKeyContext = (kid: string) => `evidence_key/${kid}`;

/** The PKCS#8 PEM, opened; a row still in plaintext (from before sealing) is sealed and cleared now. */
async function privatePemOf(row: { kid: string; privateKey: string | null; privateKeySealed: string | null }): Promise<string> {
  if (row.privateKeySealed) return openSecret(row.privateKeySealed, evidenceKeyContext(row.kid));
  const pem = row.privateKey!;
  await db().evidenceKey.updateMany({
    where: { kid: row.kid, privateKeySealed: null },
    data: { privateKeySealed: sealSecret(pem, evidenceKeyContext(row.kid)), privateKey: null },
  });
  return pem;
}

/** Public JWKs of every evidence key, active first. */
export async function publicEvidenceKeys(): Promise<{ kid: string; active: boolean; jwk: Record<string, unknown>; pem: string; createdAt: Date }[]> {
  await activeEvidenceKey();
  const rows = await db().evidenceKey.findMany({ orderBy: { createdAt: "desc" } });
  return rows
    .map((r) => ({
      kid: r.kid,
      active: r.retiredAt === null,
      jwk: r.publicJwk as Record<string, unknown>,
      pem: createPublicKey({ key: r.publicJwk as never, format: "jwk" }).export({ format: "pem", type: "spki" }) as string,
      createdAt: r.createdAt,
    }))
    .sort((a, b) => Number(b.active) - Number(a.active));
}

export async function publicJwkById(kids: string[]): Promise<Record<string, unknown>[]> {
  const rows = await db().evidenceKey.findMany({ where: { kid: { in: kids } } });
  return rows.map((r) => r.publicJwk as Record<string, unknown>);
}

export const signText = (key: KeyObject, text: string) => sign(null, Buffer.from(text), key).toString("base64");

export function verifyText(publicJwk: Record<string, unknown>, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text), createPublicKey({ key: publicJwk as never, format: "jwk" }), Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** Tests only: forget the cached key (a test may retire keys). */
export function resetEvidenceKeyCache() {
  cached = undefined;
}
