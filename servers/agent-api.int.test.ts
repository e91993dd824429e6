import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveRoute } from "@/lib/http/node-handler";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { AGENT_API_ROUTES } from "./agent-api-routes";

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the agent API server (node:http, same route handlers as Next.js)", () => {
  it("answers decisions, approvals and whoami exactly as the contract says", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["charges.retrieve"] }), rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always" } })]);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const post = (body: unknown) => fetch(`${base}/api/v1/decisions`, { method: "POST", headers: auth, body: JSON.stringify(body) });

    const allowed = await post({ run_id: "run_srv", tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("x-request-id")).toMatch(/^req_/);
    expect(allowed.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d\d$/);
    expect(await allowed.json()).toMatchObject({ decision: "allow", quota: [] });

    const pending = (await (await post({ run_id: "run_srv", tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 5 } })).json()) as { approval: { id: string } };
    const poll = await fetch(`${base}/api/v1/approvals/${pending.approval.id}?wait=1`, { headers: auth });
    expect(await poll.json()).toMatchObject({ id: pending.approval.id, status: "pending" });

    expect((await fetch(`${base}/api/v1/whoami`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/whoami`)).status).toBe(401);
  });

  it("gives bad input the API's error shape and keeps serving", async () => {
    const { token } = await createPolicyTenant();
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const broken = await fetch(`${base}/api/v1/decisions`, { method: "POST", headers: auth, body: "{not json" });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });

    const huge = await fetch(`${base}/api/v1/events`, { method: "POST", headers: auth, body: JSON.stringify({ events: [], pad: "x".repeat(6 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);

    const unknown = await fetch(`${base}/api/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });

    // A Host header a Web Request refuses: a 400, not a crashed process.
    const mangled = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/health`, { headers: { host: "exa mple:99999" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(mangled).toBe(400);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });
});
