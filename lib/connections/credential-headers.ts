import { sha256 } from "@/lib/sha256";
import { BoundedMap } from "@/lib/bounded-map";
import type { Connection } from "@/lib/db/generated/client";
import { outboundFetch, OutboundError } from "@/lib/outbound/fetch";
import { openSecret } from "@/lib/secrets/envelope";
import { UNSENDABLE_IN_HEADER, secretContext } from "./schemas";

/** Why a credential could not be produced (e.g. the token endpoint refused the client); never carries the secret. */
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
    this.name = "CredentialError";
  }
}

/**
 * OAuth 2.0 access tokens, in this process's memory only (never Redis, never Postgres), until
 * shortly before they expire. Keyed by everything a token was fetched with (connection,
 * sealed secret, token URL, client id, scopes): a rotation or an edit made through any
 * process fetches a new token in every process, and the old entry ages out.
 */
const accessTokens = new BoundedMap<string, string>(1_000);
/** Token requests under way: the calls that need the same token meanwhile share one request (a token endpoint rate-limits its clients). */
const fetchingTokens = new Map<string, Promise<string>>();
/** Renew this long before expiry (at most half the lifetime), so a token does not expire between here and the upstream. */
const RENEW_EARLY_MS = 30_000;

/** The sealed secrets to try, newest first: the previous one only while its overlap lasts. */
export function usableSecrets(c: Connection, now = new Date()): string[] {
  return c.previousSealed && c.previousValidUntil && c.previousValidUntil > now ? [c.sealedSecret, c.previousSealed] : [c.sealedSecret];
}

/**
 * Opened secrets, for a minute, in this process's memory only (as the access tokens are):
 * opening one was ~40 µs of every gateway call. Keyed by the sealed value and its context,
 * so a rotated secret or a value copied from another row is opened (or refused) afresh.
 */
const openedSecrets = new BoundedMap<string, string>(1_000, 60_000);

/** The headers that carry one sealed secret of the connection to its upstream, and the opened secret (for callers that scrub it from what they show). */
export async function credentialHeaders(c: Connection, sealed: string): Promise<{ headers: Record<string, string>; secret: string }> {
  const context = secretContext(c.tenantId, c.id);
  const key = `${context}\n${sealed}`;
  let secret = openedSecrets.get(key);
  if (secret === undefined) openedSecrets.set(key, (secret = openSecret(sealed, context)));
  const headers = await headersFor(c, sealed, secret);
  // Stored secrets are checked when saved; this catches an access token a token endpoint sent, and rows saved before that check.
  if (Object.values(headers).some((v) => UNSENDABLE_IN_HEADER.test(v)))
    throw new CredentialError(`The connection's ${c.kind === "oauth2_client_credentials" ? "access token (from its token endpoint)" : "secret"} has a line break or another character an HTTP header cannot carry; rotate it.`, false);
  return { headers, secret };
}

async function headersFor(c: Connection, sealed: string, secret: string): Promise<Record<string, string>> {
  switch (c.kind) {
    case "api_key":
      return { [c.headerName ?? "X-Api-Key"]: secret };
    case "bearer":
      return bearerHeader(c, secret);
    case "basic":
      return { authorization: `Basic ${Buffer.from(`${c.username ?? ""}:${secret}`).toString("base64")}` };
    case "oauth2_client_credentials":
      return bearerHeader(c, await accessToken(c, sealed, secret));
    default:
      throw new CredentialError(`Unknown connection kind ${c.kind}.`, false);
  }
}

function bearerHeader(c: Connection, token: string): Record<string, string> {
  const header = c.headerName ?? "Authorization";
  return { [header]: header.toLowerCase() === "authorization" ? `Bearer ${token}` : token };
}

const tokenKey = (c: Connection, sealed: string) => sha256(JSON.stringify([c.id, sealed, c.tokenUrl, c.clientId, c.scopes]));

/**
 * When a token was last dropped after a refusal, per key. A token refused again within the
 * minute is kept: then the refusal comes from the connection's setup (scopes, the upstream's
 * configuration), not from a revocation, and a new token per call would only flood the
 * token endpoint.
 */
const refusedRecently = new BoundedMap<string, true>(1_000, 60_000);

/** After the upstream refused a call: the access token it carried may have been revoked before its expiry, so the next call fetches another (at most once a minute). */
export function forgetAccessToken(c: Connection, sealed: string) {
  if (c.kind !== "oauth2_client_credentials") return; // only these hold a token
  const key = tokenKey(c, sealed);
  if (refusedRecently.get(key)) return;
  refusedRecently.set(key, true);
  accessTokens.delete(key);
}

async function accessToken(c: Connection, sealed: string, clientSecret: string): Promise<string> {
  const key = tokenKey(c, sealed);
  const cached = accessTokens.get(key);
  if (cached !== undefined) return cached;
  let fetching = fetchingTokens.get(key);
  if (!fetching) {
    fetching = fetchAccessToken(c, clientSecret)
      .then(({ token, lifetimeMs }) => {
        accessTokens.set(key, token, Date.now() + lifetimeMs - Math.min(RENEW_EARLY_MS, lifetimeMs / 2));
        return token;
      })
      .finally(() => fetchingTokens.delete(key));
    fetchingTokens.set(key, fetching);
  }
  return fetching;
}

async function fetchAccessToken(c: Connection, clientSecret: string): Promise<{ token: string; lifetimeMs: number }> {
  if (!c.tokenUrl || !c.clientId) throw new CredentialError("The connection has no token URL or client id.", false);
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: c.clientId, client_secret: clientSecret });
  if (c.scopes) form.set("scope", c.scopes);
  let response;
  try {
    response = await outboundFetch({
      url: c.tokenUrl,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
      timeoutMs: 10_000,
      maxResponseBytes: 64 * 1024,
    });
  } catch (error) {
    throw new CredentialError(error instanceof OutboundError ? `The token endpoint could not be reached: ${error.publicMessage}` : "The token endpoint could not be reached.", false);
  }
  if (response.status === 400 || response.status === 401 || response.status === 403)
    throw new CredentialError(`The token endpoint refused the client credentials (HTTP ${response.status}).`, true);
  let parsed: { access_token?: unknown; expires_in?: unknown } = {};
  try {
    const answer: unknown = JSON.parse(response.body.toString("utf8"));
    // Any JSON may come back (null, a number, an array): only an object carries a token.
    if (typeof answer === "object" && answer !== null) parsed = answer;
  } catch {
    // not JSON: no token, said below
  }
  if (response.status >= 300 || typeof parsed.access_token !== "string")
    throw new CredentialError(`The token endpoint answered HTTP ${response.status} without an access token.`, false);
  const lifetimeS = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? Math.min(parsed.expires_in, 86_400) : 300;
  return { token: parsed.access_token, lifetimeMs: lifetimeS * 1000 };
}
