/** OAuth discovery for MCP clients (MCP authorization spec): RFC 9728 and RFC 8414 documents. */
import { GRANT_CLIENT_CREDENTIALS, GRANT_TOKEN_EXCHANGE } from "@/lib/agents/issue-token";
import { MCP_PATH } from "./resource";


/** The public origin, as the client reached us (a proxy in front sets the forwarded headers). */
export function publicOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto.split(",")[0]!.trim()}://${host.split(",")[0]!.trim()}`;
}

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

