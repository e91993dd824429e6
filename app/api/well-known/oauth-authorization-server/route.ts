import { answered } from "@/lib/http/respond";
import { discoveryCacheControl, authorizationServerMetadata } from "@/lib/mcp/discovery";

/** RFC 8414 authorization server metadata at /.well-known/oauth-authorization-server (a next.config.mjs rewrite): the token endpoint of API.md §1 and its grants. */
export function GET(request: Request) {
  return answered(request, Response.json(authorizationServerMetadata(request), { headers: { "cache-control": discoveryCacheControl() } }));
}
