/** The bench's remote MCP server (lib/testing/mcp-upstream.ts: the SDK's McpServer) in its own process: `tsx bench/mcp-upstream.ts <port> <token>`. */
import { startMcpUpstream } from "@/lib/testing/mcp-upstream";

const [port, token] = process.argv.slice(2);
const upstream = await startMcpUpstream({ token: token!, port: Number(port) });
// The bench counts nothing here; forget the calls so a long run does not grow memory.
setInterval(() => (upstream.calls.length = 0), 1_000).unref();
process.on("SIGTERM", () => void upstream.close().finally(() => process.exit(0)));
