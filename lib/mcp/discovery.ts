/** OAuth discovery for MCP clients (MCP authorization spec): RFC 9728 and RFC 8414 documents. */
import { GRANT_CLIENT_CREDENTIALS, GRANT_TOKEN_EXCHANGE } from "@/lib/agents/issue-token";
import { publicOrigin as configuredOrigin } from "@/lib/http/client-address";
import { MCP_PATH } from "./resource";

/** PUBLIC_URL's origin when configured (never the Host header then); else the URL the request reached. */
export function publicOrigin(request: Request): string {
  return configuredOrigin() ?? new URL(request.url).origin;
}

/**
 * Cache-Control of the discovery documents: cacheable only when they name the configured
 * origin. Without PUBLIC_URL (or NEXTAUTH_URL) they echo the request's Host, and a shared
 * cache that keys on another header than the one echoed would hand one client's Host to
 * every other client (a token endpoint of the attacker's choosing).
 */
export const discoveryCacheControl = () => (configuredOrigin() ? "public, max-age=300" : "no-store");

export const protectedResourceMetadataUrl = (request: Request) => `${publicOrigin(request)}/.well-known/oauth-protected-resource${MCP_PATH}`;

export function protectedResourceMetadata(request: Request) {
  const origin = publicOrigin(request);
  return {
    resource: `${origin}${MCP_PATH}`,
    authorization_servers: [origin],
    bearer_methods_supported: ["header"],
    resource_name: "Gatehouse MCP gateway",
    resource_documentation: `${origin}/docs/agents`,
  };
}

export function authorizationServerMetadata(request: Request) {
  const origin = publicOrigin(request);
  return {
    issuer: origin,
    token_endpoint: `${origin}/api/v1/oauth/token`,
    jwks_uri: `${origin}/api/v1/oauth/jwks`,
    grant_types_supported: [GRANT_CLIENT_CREDENTIALS, GRANT_TOKEN_EXCHANGE],
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt"],
    response_types_supported: [],
  };
}

