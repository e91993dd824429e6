/**
 * The MCP revisions Gatehouse speaks, as a server (lib/mcp/handle-message.ts) and as a client
 * of MCP upstreams (lib/gateway/mcp-upstream.ts).
 */

/**
 * The stateless revision: no initialize handshake; every request names its revision, client
 * and capabilities in `params._meta` and repeats revision, method and tool name in headers.
 * What @modelcontextprotocol/client 2.x speaks when asked to (versionNegotiation), and the Go SDK 1.7 by default.
 */
export const STATELESS_VERSION = "2026-07-28";

/** Revisions with the initialize handshake, newest first: what @modelcontextprotocol/sdk 1.x clients negotiate. */
export const HANDSHAKE_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;

/** The `_meta` keys of 2026-07-28. */
export const META = {
  version: "io.modelcontextprotocol/protocolVersion",
  capabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  /** On a subscriptions/listen stream's messages: the listen request's id. */
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** Gatehouse as an MCP implementation (initialize's serverInfo; 2026-07-28's `_meta` on every result). */
export const SERVER_INFO = { name: "gatehouse", title: "Gatehouse", version: "0.1.0" };

/** 2026-07-28's JSON-RPC error for a revision the other side does not speak; its `data.supported` lists the ones it does. */
export const UNSUPPORTED_VERSION = -32022;

/** A header value as 2026-07-28 sends it: plain printable ASCII as it is, anything else as `=?base64?…?=`. */
export function encodeHeaderValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !value.startsWith("=?") ? value : `=?base64?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

/** A header value as sent (see encodeHeaderValue). */
export function decodeHeaderValue(value: string | null): string | null {
  const encoded = value === null ? null : /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/i.exec(value);
  return encoded ? Buffer.from(encoded[1]!, "base64").toString("utf8") : value;
}
