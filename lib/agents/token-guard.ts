/**
 * Brute-force protection for the token endpoint (lib/auth/failure-backoff.ts). A client id
 * is not secret, so failures back off per (client id, source address), never per client
 * alone: failures from one address never lock the real agent out from its own. Each address
 * also backs off across all clients past a higher count (spraying many client ids).
 */
import { countFailure, waitingFor, type BackoffRule } from "@/lib/auth/failure-backoff";

export { MAX_BACKOFF_SECONDS } from "@/lib/auth/failure-backoff";
export const LIMITS = { freeFailures: 5, perAddress: 100, auditAfter: 5 } as const;

const SCOPE = "token-fail";
const rules = (clientId: string, address: string): BackoffRule[] => [
  { key: ["pair", clientId, address], free: LIMITS.freeFailures },
  { key: ["addr", address], free: LIMITS.perAddress },
];

/** Seconds until this client may try again from this address, or 0 when not blocked. */
export function blockedFor(clientId: string, address: string): Promise<number> {
  return waitingFor(SCOPE, rules(clientId, address));
}

/** Counts one failure; returns the (client, address) pair's failure count. */
export async function recordFailure(clientId: string, address: string): Promise<number> {
  const [pair] = await countFailure(SCOPE, rules(clientId, address));
  return pair!;
}
