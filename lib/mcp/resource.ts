/** The MCP endpoint as an OAuth protected resource (RFC 8707 / RFC 9728). */
export const MCP_PATH = "/api/v1/mcp";

/**
 * RFC 8707: is `resource` this server's MCP endpoint? Same host and path as seen by the
 * request (the token endpoint or the MCP endpoint); the scheme may differ behind TLS termination.
 */
export function isMcpResource(resource: string, requestUrl: string): boolean {
  try {
    const url = new URL(resource);
    return url.pathname.replace(/\/$/, "") === MCP_PATH && url.host === new URL(requestUrl).host && !url.search && !url.hash;
  } catch {
    return false;
  }
}
