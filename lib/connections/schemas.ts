import { z } from "zod";

export const CONNECTION_KINDS = ["api_key", "bearer", "basic", "oauth2_client_credentials"] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** Longest rotation overlap: the previous secret stays valid at most this long. */
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

/** A host the credential may be sent to: "api.example.com" or "api.example.com:8443" (no scheme, no path). */
const allowedHost = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/, "Use a host name, optionally with a port, e.g. api.stripe.com or localhost:4010.");

const name = z.string().trim().min(1, "Name the connection.").max(100);
/** Headers that frame the request or that Gatehouse sets itself: a credential in one of them would break or redirect the call. */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "content-type", "accept", "mcp-session-id", "mcp-protocol-version"]);
const headerName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "Use a valid HTTP header name, e.g. X-Api-Key.")
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), "This header frames the request or is set by Gatehouse; name the header the upstream reads the credential from, e.g. X-Api-Key.");
const secret = z.string().min(1, "Enter the secret.").max(8192);

/** What an HTTP header value cannot carry: line breaks, other control characters, anything past Latin-1. */
export const UNSENDABLE_IN_HEADER = /[^\t\x20-\x7e\x80-\xff]/;

/** Why `secret` cannot be a connection of `kind`, or null: API keys and bearer tokens travel in a header as they are. */
export function secretProblem(kind: string, secret: string): string | null {
  if (kind !== "api_key" && kind !== "bearer") return null;
  if (UNSENDABLE_IN_HEADER.test(secret)) return "The secret has a line break or another character an HTTP header cannot carry (often a newline copied with the key); remove it.";
  // A header value loses them on the way (the upstream would see another secret than the one Gatehouse scrubs from its answers).
  if (secret !== secret.trim()) return "The secret starts or ends with a space or tab, which a header value cannot carry; remove it.";
  return null;
}
const tokenUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const createConnectionInput = z
  .object({
    name,
    kind: z.enum(CONNECTION_KINDS),
    secret,
    headerName: headerName.optional(),
    username: z.string().min(1).max(200).optional(),
    tokenUrl: tokenUrl.optional(),
    clientId: z.string().min(1).max(500).optional(),
    scopes: z.string().max(2000).optional(),
    allowedHosts: z.array(allowedHost).min(1, "Name at least one host the credential may be sent to.").max(20),
  })
  .superRefine((input, ctx) => {
    const problem = secretProblem(input.kind, input.secret);
    if (problem) ctx.addIssue({ code: "custom", path: ["secret"], message: problem });
    if (input.kind === "api_key" && !input.headerName) ctx.addIssue({ code: "custom", path: ["headerName"], message: "An API key needs the header it is sent in." });
    if (input.kind === "basic" && !input.username) ctx.addIssue({ code: "custom", path: ["username"], message: "Basic authentication needs a username." });
    if (input.kind === "oauth2_client_credentials" && (!input.tokenUrl || !input.clientId))
      ctx.addIssue({ code: "custom", path: ["tokenUrl"], message: "OAuth 2.0 client credentials need a token URL and a client id." });
  });

export const updateConnectionInput = z
  .object({
    name,
    allowedHosts: z.array(allowedHost).min(1).max(20),
    status: z.enum(["active", "disabled"]),
    headerName,
    username: z.string().min(1).max(200),
    tokenUrl,
    clientId: z.string().min(1).max(500),
    scopes: z.string().max(2000),
  })
  .partial();

export const rotateConnectionInput = z.object({ secret, overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(0) });

export const testConnectionInput = z.object({ url: z.url({ protocol: /^https?$/ }).max(2000).optional() });

export type CreateConnectionInput = z.infer<typeof createConnectionInput>;
export type UpdateConnectionInput = z.infer<typeof updateConnectionInput>;

/** The AAD a connection's secrets are sealed under: a ciphertext copied to another row or tenant does not open. */
export const secretContext = (tenantId: string, connectionId: string) => `${tenantId}/connection/${connectionId}`;
