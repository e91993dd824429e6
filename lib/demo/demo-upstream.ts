/**
 * The Gatehouse demo upstream: a fake payments, code-hosting, ticketing and chat service the
 * seeded demo tools call through the gateway (servers/demo-upstream.ts runs it beside
 * `npm run up`). It is a demo: nothing is charged, merged or posted anywhere. It checks the
 * credential of each service (so a missing or wrong vaulted secret shows as a refusal) and
 * keeps what it was sent, without the credential, at GET /_demo/received.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { DEMO_CREDENTIALS, expectedAuthorization, type DemoService } from "./demo-upstream-credentials";

export const DEMO_UPSTREAM_NAME = "Gatehouse demo upstream";

export type ReceivedRequest = {
  at: string;
  service: DemoService | null;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Whether the request carried the service's credential; the credential itself is never kept. */
  credential: "accepted" | "refused" | "missing";
  status: number;
};

type Reply = { status: number; body: unknown };
type Route = { service: DemoService; method: string; pattern: RegExp; handle: (m: string[], body: Record<string, unknown>, query: URLSearchParams) => Reply };

const KEEP = 500;
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;
const notFound = (what: string): Reply => ({ status: 404, body: { error: "not_found", message: `${DEMO_UPSTREAM_NAME}: no such ${what}.` } });

export function createDemoUpstream(opts: { publicUrl?: string; credentials?: typeof DEMO_CREDENTIALS } = {}) {
  const credentials = opts.credentials ?? DEMO_CREDENTIALS;
  const received: ReceivedRequest[] = [];
  const refunds = new Map<string, Record<string, unknown>>();
  const pulls = new Map<string, Record<string, unknown>[]>();
  const comments = new Map<string, Record<string, unknown>[]>();
  const messages: Record<string, unknown>[] = [];
  let base = opts.publicUrl ?? "";

  // A charge's amount follows from its id, so looking the same charge up twice agrees.
  const chargeAmount = (id: string) => 1_500 + ([...id].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 28_500, 7));

  const routes: Route[] = [
    {
      service: "payments",
      method: "GET",
      pattern: /^\/v1\/charges\/([^/]+)$/,
      handle: ([id]) => ({ status: 200, body: { id, object: "charge", amount: chargeAmount(id!), currency: "usd", status: "succeeded", customer: `cus_${id!.slice(-6)}`, livemode: false, description: DEMO_UPSTREAM_NAME } }),
    },
    {
      service: "payments",
      method: "POST",
      pattern: /^\/v1\/refunds$/,
      handle: (_, body) => {
        const charge = String(body.charge_id ?? body.charge ?? "");
        const amount = Number(body.amount_cents ?? body.amount);
        if (!charge || !Number.isInteger(amount) || amount <= 0) return { status: 400, body: { error: { type: "invalid_request_error", message: "charge_id and a positive amount_cents are required." } } };
        const id = newId("re");
        const refund = { id, object: "refund", charge, amount, currency: "usd", status: "succeeded", created: Math.floor(Date.now() / 1000), url: `${base}/v1/refunds/${id}`, livemode: false };
        refunds.set(id, refund);
        return { status: 200, body: refund };
      },
    },
    { service: "payments", method: "GET", pattern: /^\/v1\/refunds\/([^/]+)$/, handle: ([id]) => (refunds.has(id!) ? { status: 200, body: refunds.get(id!) } : notFound("refund")) },
    {
      service: "code",
      method: "GET",
      pattern: /^\/repos\/([^/]+)\/([^/]+)$/,
      handle: ([owner, repo]) => ({ status: 200, body: { full_name: `${owner}/${repo}`, default_branch: "main", private: true, html_url: `${base}/repos/${owner}/${repo}` } }),
    },
    { service: "code", method: "GET", pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, handle: ([owner, repo]) => ({ status: 200, body: pulls.get(`${owner}/${repo}`) ?? [] }) },
    {
      service: "code",
      method: "POST",
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      handle: ([owner, repo], body) => {
        if (typeof body.title !== "string" || typeof body.head !== "string") return { status: 422, body: { message: "Validation Failed: title and head are required." } };
        const list = pulls.get(`${owner}/${repo}`) ?? [];
        const number = 100 + list.length + 1;
        const pull = { id: Number.parseInt(randomBytes(4).toString("hex"), 16), number, state: "open", title: body.title, head: { ref: body.head }, base: { ref: body.base ?? "main" }, merged: false, html_url: `${base}/repos/${owner}/${repo}/pull/${number}` };
        pulls.set(`${owner}/${repo}`, [...list, pull]);
        return { status: 201, body: pull };
      },
    },
    {
      service: "code",
      method: "PUT",
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/merge$/,
      handle: ([owner, repo, n]) => {
        const pull = pulls.get(`${owner}/${repo}`)?.find((p) => p.number === Number(n));
        if (!pull) return notFound("pull request");
        if (pull.merged) return { status: 405, body: { message: "Pull Request is not mergeable: already merged." } };
        pull.merged = true;
        pull.state = "closed";
        return { status: 200, body: { sha: randomBytes(20).toString("hex"), merged: true, message: "Pull Request successfully merged", html_url: pull.html_url } };
      },
    },
    {
      service: "tickets",
      method: "GET",
      pattern: /^\/rest\/api\/3\/issue\/([^/]+)$/,
      handle: ([key]) => ({ status: 200, body: { key, summary: "Customer cannot log in", priority: ["P1", "P2", "P3"][key!.length % 3], status: "Open", self: `${base}/rest/api/3/issue/${key}` } }),
    },
    { service: "tickets", method: "GET", pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, handle: ([key]) => ({ status: 200, body: { comments: comments.get(key!) ?? [] } }) },
    {
      service: "tickets",
      method: "POST",
      pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/,
      handle: ([key], body) => {
        if (typeof body.body !== "string" || !body.body) return { status: 400, body: { errorMessages: ["Comment body is required."] } };
        const id = String(10_000 + [...comments.values()].flat().length + 1);
        const comment = { id, body: body.body, created: new Date().toISOString(), self: `${base}/rest/api/3/issue/${key}/comment/${id}` };
        comments.set(key!, [...(comments.get(key!) ?? []), comment]);
        return { status: 201, body: comment };
      },
    },
    {
      service: "chat",
      method: "POST",
      pattern: /^\/chat\.postMessage$/,
      handle: (_, body) => {
        if (typeof body.channel !== "string" || typeof body.text !== "string") return { status: 200, body: { ok: false, error: "invalid_arguments" } };
        const ts = (Date.now() / 1000).toFixed(6);
        const message = { ok: true, channel: body.channel, ts, message: { text: body.text }, permalink: `${base}/archives/${encodeURIComponent(body.channel)}/p${ts.replace(".", "")}` };
        messages.push(message);
        return { status: 200, body: message };
      },
    },
  ];

  const authorizationMatches = (req: IncomingMessage, service: DemoService) => req.headers.authorization === expectedAuthorization(service, credentials);

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 1_000_000) return { error: "body too large for the demo upstream" };
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json", "x-demo-upstream": "gatehouse" });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://demo.invalid");
    // Path arguments arrive encoded (a repository "acme/web" is one segment, acme%2Fweb): match on the decoded path.
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, { error: "bad_path" });
    }
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/_demo/received") return send(res, 200, { service: DEMO_UPSTREAM_NAME, received });
    const body = await readBody(req);
    const record = (service: DemoService | null, credential: ReceivedRequest["credential"], status: number) => {
      received.push({ at: new Date().toISOString(), service, method, path, query: Object.fromEntries(url.searchParams), body, credential, status });
      if (received.length > KEEP) received.splice(0, received.length - KEEP);
    };

    if (method === "GET" && path === "/") {
      // Where a connection test lands: accepted when the credential of any demo service comes along.
      const as = (Object.keys(credentials) as DemoService[]).find((s) => authorizationMatches(req, s));
      record(as ?? null, as ? "accepted" : req.headers.authorization ? "refused" : "missing", as ? 200 : 401);
      if (!as) return send(res, 401, { error: "unauthorized", message: `${DEMO_UPSTREAM_NAME}: missing or unknown credential.` });
      return send(res, 200, { service: DEMO_UPSTREAM_NAME, authenticated_as: as });
    }

    const route = routes.find((r) => r.method === method && r.pattern.test(path)) ?? null;
    if (!route) {
      record(null, "missing", 404);
      return send(res, 404, { error: "not_found", message: `${DEMO_UPSTREAM_NAME}: no ${method} ${path}.` });
    }
    if (!authorizationMatches(req, route.service)) {
      const credential = req.headers.authorization ? "refused" : "missing";
      record(route.service, credential, 401);
      return send(res, 401, { error: "unauthorized", message: `${DEMO_UPSTREAM_NAME}: ${credential === "missing" ? "no credential" : "the credential was refused"} for the demo ${route.service} service.` });
    }
    const reply = route.handle(route.pattern.exec(path)!.slice(1), body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {}, url.searchParams);
    record(route.service, "accepted", reply.status);
    send(res, reply.status, reply.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: "demo_upstream_failed" }));
  });

  return {
    server,
    received,
    /** Starts listening (port 0: any free port); answers the base URL. */
    listen(port: number, host = "127.0.0.1"): Promise<string> {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address();
          const actual = typeof address === "object" && address ? address.port : port;
          base ||= `http://${host}:${actual}`;
          resolve(`http://${host}:${actual}`);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
