import { answered } from "@/lib/http/respond";
import { discoveryCacheControl, protectedResourceMetadata } from "@/lib/mcp/discovery";

/**
 * RFC 9728 protected resource metadata for the MCP endpoint, served at
 * /.well-known/oauth-protected-resource and its path-suffixed form /.well-known/oauth-protected-resource/api/v1/mcp
 * (next.config.mjs rewrites: the App Router does not route dot-folders).
 */
export function GET(request: Request) {
  return answered(request, Response.json(protectedResourceMetadata(request), { headers: { "cache-control": discoveryCacheControl() } }));
}
