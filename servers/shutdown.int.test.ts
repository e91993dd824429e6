/**
 * Stopping the agent API server (servers/agent-api.ts, as deployed: a cluster primary and its
 * serving process): an MCP subscription stream, which would otherwise stay open, is ended with
 * its listen request's result, and the server exits promptly rather than at its forced exit.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { expect, it } from "vitest";
import { createPolicyTenant } from "@/lib/testing/policy";

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };

it("ends MCP subscription streams with their result when stopped, and exits within seconds", async () => {
  const { token } = await createPolicyTenant();
  const port = await freePort();
  const server = spawn(process.execPath, ["--import", "tsx", "servers/agent-api.ts"], { env: { ...process.env, AGENT_API_PORT: String(port), AGENT_API_PROCESSES: "1" }, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => server.on("exit", resolve));
  try {
    const base = `http://127.0.0.1:${port}`;
    await expect.poll(() => fetch(`${base}/api/v1/oauth/jwks`).then((r) => r.status, () => 0), { timeout: 30_000, interval: 200 }).toBe(200);
    const listen = await fetch(`${base}/api/v1/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
      body: JSON.stringify({ jsonrpc: "2.0", id: "listen-1", method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: META } }),
    });
    expect(listen.status).toBe(200);
    const reader = listen.body!.getReader();
    let text = "";
    // The acknowledgement first: the stream is open and held.
    while (!text.includes("notifications/subscriptions/acknowledged")) text += new TextDecoder().decode((await reader.read()).value);
    const stopped = Date.now();
    server.kill("SIGTERM");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
    expect(text).toMatch(/"id":"listen-1","result":\{"resultType":"complete"/);
    await exited;
    expect(Date.now() - stopped).toBeLessThan(10_000);
  } finally {
    server.kill("SIGKILL");
  }
}, 60_000);
