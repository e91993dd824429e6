/**
 * The address a request came from, for rate limits and logs. Headers a client sends are
 * not evidence: X-Forwarded-For is read only when TRUSTED_PROXY_HOPS says how many proxies
 * in front of us append to it, and then only the entry that many hops from the right (the
 * leftmost entries are whatever the client wrote). Without trusted proxies the address is
 * the TCP peer, which both our servers stamp on every request as PEER_HEADER, overwriting
 * anything the client sent under that name (stamp-peer-address.ts for Next.js, node-handler.ts for the agent API server).
 */
import { env } from "@/lib/env";

export const PEER_HEADER = "x-gatehouse-peer";

export function clientAddress(request: { headers: Headers }, trustedHops = env().TRUSTED_PROXY_HOPS): string {
  const peer = request.headers.get(PEER_HEADER)?.trim() || "unknown";
  if (trustedHops === 0) return peer;
  const forwarded = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  // The chain as the last proxy saw it: [client, proxy 1, …] then the peer (the last proxy).
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
}

/** The canonical public origin of this deployment (never the Host header), or null when not configured. */
export function publicOrigin(): string | null {
  const configured = env().PUBLIC_URL ?? env().NEXTAUTH_URL;
  if (!configured) return null;
  try {
    return new URL(configured).origin;
  } catch {
    return null;
  }
}
