/** The MCP endpoint as an OAuth protected resource (RFC 8707 / RFC 9728). */
export const MCP_PATH = "/api/v1/mcp";

/**
 * RFC 8707: is `resource` this server's MCP endpoint? Its path, on this deployment's host
 * when `base` (a URL of this deployment) is known; the scheme may differ behind TLS termination.
 */
export function isMcpResource(resource: string, base: string | null): boolean {
  try {
    const url = new URL(resource);
    return url.pathname.replace(/\/$/, "") === MCP_PATH && (base === null || url.host === new URL(base).host) && !url.search && !url.hash;
  } catch {
    return false;
  }
}
