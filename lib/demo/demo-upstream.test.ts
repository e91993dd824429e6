import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoUpstream } from "./demo-upstream";
import { DEMO_CREDENTIALS, expectedAuthorization } from "./demo-upstream-credentials";

describe("demo upstream", () => {
  const upstream = createDemoUpstream();
  let base = "";
  beforeAll(async () => {
    base = await upstream.listen(0);
  });
  afterAll(() => upstream.close());

  const call = async (method: string, path: string, authorization?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...(authorization && { authorization }), ...(body !== undefined && { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("refuses a missing or another service's credential, and keeps no credential in what it received", async () => {
    expect((await call("POST", "/v1/refunds", undefined, { charge_id: "ch_1", amount_cents: 100 })).status).toBe(401);
    expect((await call("POST", "/v1/refunds", expectedAuthorization("chat"), { charge_id: "ch_1", amount_cents: 100 })).status).toBe(401);
    const { body } = await call("GET", "/_demo/received");
    const received = body.received as { credential: string }[];
    expect(received.slice(-2).map((r) => r.credential)).toEqual(["missing", "refused"]);
    expect(JSON.stringify(body)).not.toContain(DEMO_CREDENTIALS.payments.secret);
  });

  it("creates side effects with ids and links, and records what it was sent", async () => {
    const refund = await call("POST", "/v1/refunds", expectedAuthorization("payments"), { charge_id: "ch_9", amount_cents: 4200 });
    expect(refund).toMatchObject({ status: 200, body: { object: "refund", charge: "ch_9", amount: 4200 } });
    expect(String(refund.body.id)).toMatch(/^re_/);
    expect((await call("GET", new URL(String(refund.body.url)).pathname, expectedAuthorization("payments"))).body.id).toBe(refund.body.id);

    // A repository given as one encoded path segment (how the gateway fills "/repos/{repo}/pulls").
    const pull = await call("POST", "/repos/acme%2Fweb/pulls", expectedAuthorization("code"), { title: "Bump zod", head: "deps/zod", base: "main" });
    expect(pull).toMatchObject({ status: 201, body: { state: "open" } });
    expect(String(pull.body.html_url)).toContain("/repos/acme/web/pull/");
    expect((await call("PUT", `/repos/acme/web/pulls/${String(pull.body.number)}/merge`, expectedAuthorization("code"))).body.merged).toBe(true);

    expect((await call("POST", "/rest/api/3/issue/SUP-1/comment", expectedAuthorization("tickets"), { body: "Triaged" })).status).toBe(201);
    expect((await call("POST", "/chat.postMessage", expectedAuthorization("chat"), { channel: "#support-eu", text: "hi" })).body.ok).toBe(true);

    const received = (await call("GET", "/_demo/received")).body.received as { service: string; method: string; path: string; body: unknown; credential: string }[];
    expect(received.slice(-6).map((r) => `${r.service} ${r.method} ${r.path} ${r.credential}`)).toEqual([
      "payments POST /v1/refunds accepted",
      `payments GET /v1/refunds/${String(refund.body.id)} accepted`,
      "code POST /repos/acme/web/pulls accepted",
      `code PUT /repos/acme/web/pulls/${String(pull.body.number)}/merge accepted`,
      "tickets POST /rest/api/3/issue/SUP-1/comment accepted",
      "chat POST /chat.postMessage accepted",
    ]);
    expect(received.at(-6)!.body).toEqual({ charge_id: "ch_9", amount_cents: 4200 });
  });

  it("answers a connection test at / for any service's credential", async () => {
    expect(await call("GET", "/", expectedAuthorization("tickets"))).toMatchObject({ status: 200, body: { authenticated_as: "tickets" } });
    expect((await call("GET", "/", "Bearer wrong")).status).toBe(401);
  });
});
