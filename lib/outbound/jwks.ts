import { createRemoteJWKSet, customFetch, type FetchImplementation } from "jose";
import { outboundFetch } from "./fetch";

const JWKS_TIMEOUT_MS = 3_000;
// A key set is a few kilobytes; more is not a key set.
const JWKS_MAX_BYTES = 64 * 1024;

/**
 * jose's remote key set, fetched through outboundFetch: a federated credential's jwksUrl is
 * fetched when an unauthenticated caller posts a token exchange, so it must not reach the
 * instance's own network (SSRF, issue 13). jose caches the keys and refetches on an unknown
 * kid at most every 30 s.
 */
const fetchThroughOutbound: FetchImplementation = async (url, options) => {
  const res = await outboundFetch({ url, method: "GET", headers: Object.fromEntries(options.headers), timeoutMs: JWKS_TIMEOUT_MS, maxResponseBytes: JWKS_MAX_BYTES });
  // jose accepts only a 200; any other answer (a redirect too) is refused without its body.
  return new Response(res.status === 200 ? new Uint8Array(res.body) : null, { status: res.status, headers: res.headers });
};

const byUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

export function remoteJwks(url: string): ReturnType<typeof createRemoteJWKSet> {
  let set = byUrl.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS, cooldownDuration: 30_000, [customFetch]: fetchThroughOutbound });
    byUrl.set(url, set);
  }
  return set;
}
