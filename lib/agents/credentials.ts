import { randomBytes } from "node:crypto";
import { exportJWK, importJWK, importSPKI, type JWK } from "jose";
import { AppError } from "@/lib/errors";

/**
 * Client secrets read `ghs.<credential id>.<256 random bits>`: the id tells the token
 * endpoint which one slow hash to check, the random part is the secret.
 */
export function newClientSecret(credentialId: string): string {
  return `ghs.${credentialId}.${randomBytes(32).toString("base64url")}`;
}

export function credentialIdOfSecret(secret: string): string | null {
  const match = /^ghs\.([a-z]+_[0-9a-z]{16})\.[\w-]{43}$/.exec(secret);
  return match ? match[1]! : null;
}

const ALGORITHMS: Record<string, string> = { EC: "ES256", RSA: "RS256", OKP: "EdDSA" };

/** A public JWK from a pasted JWK (JSON) or PEM (SPKI); refuses private keys and unusable ones. */
export async function parsePublicKey(text: string): Promise<JWK> {
  const invalid = (why: string) => new AppError("validation_failed", `That public key cannot be used: ${why}`, [{ path: "publicKey", message: why }]);
  let jwk: JWK;
  if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
    let parsed: JWK | undefined;
    for (const alg of ["ES256", "RS256", "EdDSA"]) {
      try {
        parsed = { ...(await exportJWK(await importSPKI(text, alg, { extractable: true }))), alg };
        break;
      } catch {
        // try the next algorithm
      }
    }
    if (!parsed) throw invalid("the PEM is not an EC P-256, RSA or Ed25519 public key.");
    jwk = parsed;
  } else {
    try {
      jwk = JSON.parse(text) as JWK;
    } catch {
      throw invalid("paste a JWK (JSON) or a PEM public key (-----BEGIN PUBLIC KEY-----).");
    }
    if (typeof jwk !== "object" || !jwk || !jwk.kty) throw invalid("the JWK has no kty.");
    if ("d" in jwk || "p" in jwk) throw invalid("this is a private key. Paste only the public half; the private key never leaves the agent.");
    jwk.alg ??= ALGORITHMS[jwk.kty];
  }
  if (!jwk.alg || !Object.values(ALGORITHMS).includes(jwk.alg)) throw invalid("use ES256, RS256 or EdDSA.");
  try {
    await importJWK(jwk, jwk.alg);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const { kid, kty, alg, crv, x, y, n, e } = jwk;
  return Object.fromEntries(Object.entries({ kid, kty, alg, crv, x, y, n, e }).filter(([, v]) => v !== undefined)) as JWK;
}
