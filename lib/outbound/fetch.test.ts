import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { checkOutboundTarget, OutboundError, outboundFetch, type OutboundRequest } from "./fetch";

let server: http.Server;
let port: number;
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === "/redirect") return res.writeHead(302, { location: "http://example.org/elsewhere" }).end();
    if (req.url === "/hang") return; // never answers
    if (req.url === "/big") return res.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(5000));
    if (req.url === "/big-chunked") {
      res.writeHead(200);
      res.write("y".repeat(3000));
      return res.end("y".repeat(3000));
    }
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.writeHead(200, { "content-type": "application/json", "x-echo": req.headers["x-test"] ?? "" }).end(JSON.stringify({ body })));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  delete process.env.OUTBOUND_ALLOW_HOSTS;
});

async function failure(req: OutboundRequest, deps?: Parameters<typeof outboundFetch>[1]): Promise<OutboundError> {
  const error = await outboundFetch(req, deps).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundError);
  const e = error as OutboundError;
  // What a tenant may see names no address, port or system error.
  expect(e.publicMessage).not.toMatch(/127\.0\.0\.1|ECONN|ENOTFOUND|EHOST|\d{4,}/);
  return e;
}

describe("outboundFetch", () => {
  it("refuses a loopback target without the operator allowlist and reaches it with it", async () => {
    const url = `http://127.0.0.1:${port}/hook`;
    const before = seen.length;
    expect((await failure({ url, method: "POST", body: "{}" })).code).toBe("blocked_address");
    expect(seen.length).toBe(before);

    process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${port}`;
    const res = await outboundFetch({ url, method: "POST", body: "hello", headers: { "x-test": "1" } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ body: "hello" });
    expect(res.headers["x-echo"]).toBe("1");
    expect(res.truncated).toBe(false);

    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.0/8";
    expect((await outboundFetch({ url })).status).toBe(200);
  });

  it.each(["http://0x7f000001/", "http://2130706433/", "http://0177.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fe80::1]/"])(
    "refuses %s before connecting",
    async (url) => {
      expect((await failure({ url })).code).toBe("blocked_address");
    },
  );

  it("checks the address at connect time: a name that resolves to loopback (DNS rebinding) is refused", async () => {
    let lookups = 0;
    const rebinding = async () => {
      lookups++;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const error = await failure({ url: `http://rebind.example.com:${port}/hook` }, { resolve: rebinding });
    expect(error.code).toBe("blocked_address");
    expect(lookups).toBe(1);

    // The same name, allowed by the operator, connects to the address the lookup answered.
    process.env.OUTBOUND_ALLOW_HOSTS = "rebind.example.com";
    const res = await outboundFetch({ url: `http://rebind.example.com:${port}/hook` }, { resolve: rebinding });
    expect(res.status).toBe(200);
  });

  it("keeps connections alive per origin; a new connection is checked again, a pooled one was checked when it opened", async () => {
    let connections = 0;
    const count = () => connections++;
    server.on("connection", count);
    let answer = "127.0.0.1";
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return [{ address: answer, family: 4 }];
    };
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.0/8";
    const url = `http://pooled.example.com:${port}/hook`;
    try {
      for (let i = 0; i < 3; i++) expect((await outboundFetch({ url, method: "POST", body: "x" }, { resolve })).status).toBe(200);
      expect({ connections, lookups }).toEqual({ connections: 1, lookups: 1 });

      // The name now points inside: the pooled socket (to the address checked before) serves
      // one call, the second concurrent call needs a new connection and its lookup refuses it.
      answer = "10.0.0.5";
      const [pooled, fresh] = await Promise.allSettled([outboundFetch({ url }, { resolve }), outboundFetch({ url }, { resolve })]);
      expect(pooled).toMatchObject({ status: "fulfilled", value: { status: 200 } });
      expect(fresh).toMatchObject({ status: "rejected", reason: { code: "blocked_address" } });
      expect({ connections, lookups }).toEqual({ connections: 1, lookups: 2 });
    } finally {
      server.off("connection", count);
    }
  });

  it("refuses a name when any of its addresses is internal", async () => {
    const mixed = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    expect((await failure({ url: "http://mixed.example.com/" }, { resolve: mixed })).code).toBe("blocked_address");
  });

  it("does not follow a redirect to another host", async () => {
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    const before = seen.length;
    const res = await outboundFetch({ url: `http://127.0.0.1:${port}/redirect` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("http://example.org/elsewhere");
    expect(seen.length).toBe(before + 1);
    expect((await failure({ url: `http://127.0.0.1:${port}/redirect`, redirects: "refuse" })).code).toBe("redirect_refused");
  });

  it("gives up after the timeout", async () => {
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    const started = Date.now();
    expect((await failure({ url: `http://127.0.0.1:${port}/hang`, timeoutMs: 300 })).code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("caps the response size: too_large by default, truncated on request", async () => {
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    expect((await failure({ url: `http://127.0.0.1:${port}/big`, maxResponseBytes: 1000 })).code).toBe("too_large");
    expect((await failure({ url: `http://127.0.0.1:${port}/big-chunked`, maxResponseBytes: 1000 })).code).toBe("too_large");
    const res = await outboundFetch({ url: `http://127.0.0.1:${port}/big-chunked`, maxResponseBytes: 1000, onTooLarge: "truncate" });
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(1000);
  });

  it("reports a closed port as unreachable without the system error", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    const error = await failure({ url: `http://127.0.0.1:${closedPort}/` });
    expect(error.code).toBe("unreachable");
    expect(error.message).toMatch(/ECONNREFUSED/); // kept for the server log only
  });

  it("refuses other schemes and hosts outside allowedHosts", async () => {
    for (const url of ["ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "not a url"]) {
      expect((await failure({ url })).code).toBe("invalid_url");
    }
    expect((await failure({ url: "https://evil.example.com/", allowedHosts: ["api.example.com"] })).code).toBe("host_not_allowed");
  });

  it("checkOutboundTarget (save time): refuses a name that resolves inside, passes one that does not resolve yet", async () => {
    const inside = async () => [{ address: "169.254.169.254", family: 4 }];
    await expect(checkOutboundTarget("https://metadata.example.com/", { resolve: inside })).rejects.toMatchObject({ code: "blocked_address" });
    await expect(checkOutboundTarget("http://localhost:8080/")).rejects.toMatchObject({ code: "blocked_address" });
    await expect(checkOutboundTarget("http://0x7f000001/")).rejects.toMatchObject({ code: "blocked_address" });
    const missing = async () => Promise.reject(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));
    await expect(checkOutboundTarget("https://not-yet.example.com/", { resolve: missing })).resolves.toBeUndefined();
    const outside = async () => [{ address: "93.184.215.14", family: 4 }];
    await expect(checkOutboundTarget("https://hooks.example.com/", { resolve: outside })).resolves.toBeUndefined();
    process.env.OUTBOUND_ALLOW_HOSTS = "metadata.example.com";
    await expect(checkOutboundTarget("https://metadata.example.com/", { resolve: inside })).resolves.toBeUndefined();
  });
});
