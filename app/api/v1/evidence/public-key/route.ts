import { publicEvidenceKeys } from "@/lib/evidence/keys";
import { publicRoute, reply } from "@/lib/http/route";

/** The instance's Ed25519 evidence key (and retired ones): what auditors verify bundles against. */
export const GET = publicRoute({}, async () => {
  const keys = await publicEvidenceKeys();
  const active = keys[0]!;
  return reply(
    { kid: active.kid, alg: "Ed25519", jwk: active.jwk, pem: active.pem, keys: keys.map((k) => ({ ...k.jwk, status: k.active ? "active" : "retired" })) },
    { status: 200, headers: { "cache-control": "public, max-age=300" } },
  );
});
