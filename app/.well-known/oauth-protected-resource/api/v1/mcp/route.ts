import { protectedResourceMetadata } from "@/lib/mcp/discovery";

/** RFC 9728 protected resource metadata for the MCP endpoint, at its path-suffixed address. */
export function GET(request: Request) {
  return Response.json(protectedResourceMetadata(request), { headers: { "cache-control": "public, max-age=300" } });
}
