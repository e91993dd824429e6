import { createHash } from "node:crypto";
import { BoundedMap } from "@/lib/bounded-map";
import type { Connection } from "@/lib/db/generated/client";
import { outboundFetch, OutboundError } from "@/lib/outbound/fetch";
import { openSecret } from "@/lib/secrets/envelope";
import { secretContext } from "./schemas";

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
 * OAuth 2.0 access tokens, in this process's memory only (never Redis, never Postgres):
 * keyed by connection and a hash of the sealed secret, so a rotation fetches a new one.
 */
const accessTokens = new Map<string, { token: string; expiresAtMs: number; connectionId: string }>();

export function forgetAccessTokens(connectionId: string) {
  for (const [key, entry] of accessTokens) if (entry.connectionId === connectionId) accessTokens.delete(key);
}

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
  return { headers: await headersFor(c, sealed, secret), secret };
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

async function accessToken(c: Connection, sealed: string, clientSecret: string): Promise<string> {
  const key = `${c.id}:${createHash("sha256").update(sealed).digest("hex").slice(0, 16)}`;
  const cached = accessTokens.get(key);
  // Renew a little early so a token does not expire between here and the upstream.
  if (cached && cached.expiresAtMs - 30_000 > Date.now()) return cached.token;
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
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(response.body.toString("utf8"));
  } catch {
    parsed = {};
  }
  if (response.status >= 300 || typeof parsed.access_token !== "string")
    throw new CredentialError(`The token endpoint answered HTTP ${response.status} without an access token.`, false);
  const lifetimeS = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in : 300;
  accessTokens.set(key, { token: parsed.access_token, expiresAtMs: Date.now() + lifetimeS * 1000, connectionId: c.id });
  return parsed.access_token;
}
