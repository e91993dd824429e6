/**
 * A real OpenID Connect provider (panva/oidc-provider) for the e2e suite, started by
 * Playwright's webServer: `npx tsx e2e/support/oidc-server.ts`.
 *
 * - issuer http://127.0.0.1:5599, one confidential client `gatehouse-e2e` (client_secret_basic,
 *   authorization code + PKCE required), redirecting to Gatehouse on E2E_PORT (default 3100);
 * - a fixed in-memory account list; sign-in takes the email only (no password);
 * - its own small login and consent pages under /interaction/:uid, plain HTML forms that
 *   Playwright drives ("Email" + "Sign in", then "Authorize");
 * - email, email_verified and name go into the ID token (conformIdTokenClaims: false),
 *   because next-auth builds the profile from the ID token (`idToken: true`).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
// @ts-expect-error -- oidc-provider ships no type declarations and @types/oidc-provider is not installed; the surface used is typed below.
import Provider from "oidc-provider";

const HOST = "127.0.0.1";
const PORT = 5599;
const ISSUER = `http://${HOST}:${PORT}`;
const APP_ORIGIN = `http://localhost:${Number(process.env.E2E_PORT ?? 3100)}`;

const E2E_CLIENT = {
  client_id: "gatehouse-e2e",
  client_secret: "e2e-client-secret-0123456789",
  redirect_uris: [`${APP_ORIGIN}/api/auth/callback/oidc`],
  post_logout_redirect_uris: [APP_ORIGIN],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
  id_token_signed_response_alg: "RS256",
};

type TestAccount = { sub: string; email: string; email_verified: boolean; name: string };

/** Subjects are fixed strings, so the same person always comes back with the same `sub`. */
const ACCOUNTS: readonly TestAccount[] = [
  { sub: "e2e-user-0001", email: "sso.user@acme.test", email_verified: true, name: "Sam SSO" },
  { sub: "e2e-user-0002", email: "sso.unverified@acme.test", email_verified: false, name: "Uma Unverified" },
];

const bySub = new Map(ACCOUNTS.map((a) => [a.sub, a]));
const byEmail = new Map(ACCOUNTS.map((a) => [a.email, a]));

// ---- the part of oidc-provider's API this file uses -------------------------------------

type Prompt = { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
type InteractionDetails = {
  uid: string;
  prompt: Prompt;
  params: Record<string, unknown> & { client_id: string; scope?: string; login_hint?: string };
  session?: { accountId?: string };
  grantId?: string;
};
type Grant = {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
};
type InteractionResult =
  | { login: { accountId: string } }
  | { consent: { grantId: string } }
  | { error: string; error_description?: string };
type OidcProvider = {
  proxy: boolean;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResult, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: { new (init: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
};

// ---- provider ------------------------------------------------------------------------------

/** A fresh RS256 signing key per run; clients fetch it from jwks_uri. */
function signingKeys() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: "jwk" }), kid: `e2e-${randomUUID()}`, use: "sig", alg: "RS256" }] };
}

const provider: OidcProvider = new Provider(ISSUER, {
  clients: [E2E_CLIENT],
  jwks: signingKeys(),
  cookies: { keys: ["gatehouse-e2e-oidc-cookie-key-0123456789abcdef"] },
  claims: {
    acr: null,
    auth_time: null,
    iss: null,
    sid: null,
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  // Put scope claims into the ID token as well, not only into userinfo.
  conformIdTokenClaims: false,
  // The client must use PKCE (next-auth sends S256 with checks: ["pkce", …]).
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx: unknown, sub: string) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: account.sub,
      async claims() {
        return { sub: account.sub, email: account.email, email_verified: account.email_verified, name: account.name };
      },
    };
  },
});
// Plain http on 127.0.0.1, no reverse proxy in front.
provider.proxy = false;

for (const event of ["server_error", "authorization.error", "grant.error", "userinfo.error", "introspection.error", "end_session.error"]) {
  provider.on(event, (_ctx, error) => console.error(`[oidc] ${event}:`, error));
}

// ---- interaction pages --------------------------------------------------------------------

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, title: string, body: string, status = 200) {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test IdP · ${escape(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;box-sizing:border-box}[role=alert]{color:#b91c1c}</style>
</head>
<body><main><p>Test IdP</p><h1>${escape(title)}</h1>${body}</main></body>
</html>`);
}

function loginPage(res: ServerResponse, details: InteractionDetails, error?: { message: string; email: string }) {
  const value = error?.email ?? details.params.login_hint ?? "";
  page(
    res,
    "Sign in",
    `<form method="post" action="/interaction/${escape(details.uid)}" autocomplete="off">
  <input type="hidden" name="prompt" value="login">
  <label for="login">Email</label>
  <input id="login" name="login" type="email" required autofocus value="${escape(value)}">
  ${error ? `<p role="alert">${escape(error.message)}</p>` : ""}
  <button type="submit">Sign in</button>
</form>`,
  );
}

function consentPage(res: ServerResponse, details: InteractionDetails) {
  const scopes = (details.prompt.details.missingOIDCScope ?? []).filter((s) => s !== "openid");
  const account = details.session?.accountId ? bySub.get(details.session.accountId) : undefined;
  page(
    res,
    "Authorize",
    `<p><strong>${escape(details.params.client_id)}</strong> asks for access${account ? ` as ${escape(account.email)}` : ""}.</p>
${scopes.length ? `<ul>${scopes.map((s) => `<li>${escape(s)}</li>`).join("")}</ul>` : ""}
<form method="post" action="/interaction/${escape(details.uid)}">
  <input type="hidden" name="prompt" value="consent">
  <button type="submit">Authorize</button>
</form>
<form method="post" action="/interaction/${escape(details.uid)}">
  <input type="hidden" name="prompt" value="abort">
  <button type="submit">Cancel</button>
</form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16_384) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function interaction(req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  const { prompt } = details;

  if (req.method === "GET") {
    if (prompt.name === "login") return loginPage(res, details);
    if (prompt.name === "consent") return consentPage(res, details);
    return page(res, "Not supported", `<p>Prompt ${escape(prompt.name)} is not implemented.</p>`, 501);
  }

  const form = await readForm(req);
  const action = form.get("prompt");

  if (action === "abort") {
    return provider.interactionFinished(req, res, { error: "access_denied", error_description: "End-User aborted interaction" }, { mergeWithLastSubmission: false });
  }

  if (action === "login" && prompt.name === "login") {
    const email = (form.get("login") ?? "").trim().toLowerCase();
    const account = byEmail.get(email);
    if (!account) return loginPage(res, details, { message: "No account with that email at this identity provider.", email });
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }

  if (action === "consent" && prompt.name === "consent") {
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error("consent without a signed-in session");
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    if (!grant) throw new Error("grant not found");
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return page(res, "Unexpected step", `<p>Expected the ${escape(prompt.name)} step.</p>`, 400);
}

// ---- server -------------------------------------------------------------------------------

const oidc = provider.callback();
const INTERACTION = /^\/interaction\/[A-Za-z0-9_-]+\/?$/;

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", ISSUER).pathname;
  if (!INTERACTION.test(path) || (req.method !== "GET" && req.method !== "POST")) return oidc(req, res);
  interaction(req, res).catch((error: unknown) => {
    console.error("[oidc] interaction failed:", error);
    if (res.headersSent) return res.end();
    page(res, "Sign-in failed", `<p role="alert">${escape(error instanceof Error ? error.message : String(error))}</p>`, 400);
  });
});

server.listen(PORT, HOST, () => {
  console.log(`[oidc] test provider at ${ISSUER} (client ${E2E_CLIENT.client_id} → ${E2E_CLIENT.redirect_uris[0]})`);
});

function shutdown(signal: string) {
  console.log(`[oidc] ${signal}: stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
