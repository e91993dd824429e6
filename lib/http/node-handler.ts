/**
 * Serves route handlers (the same `app/api/**\/route.ts` exports Next.js serves) from a
 * plain `node:http` server: the Node request becomes a Web `Request`, the handler's
 * `Response` is written back. No logic of its own, so both servers answer identically.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PEER_HEADER } from "./client-address";
import { AppError } from "./errors";
import { errorResponse, requestIdFrom } from "./respond";

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type RouteEntry = { method: string; pattern: RegExp; handler: RouteHandler };

export async function serveRoute(routes: RouteEntry[], req: IncomingMessage, res: ServerResponse) {
  const started = performance.now();
  let response: Response;
  try {
    response = await handle(routes, req, res);
  } catch (error) {
    // A request Node parsed but a Web Request refuses (a mangled Host header, say).
    response = errorResponse(new AppError("validation_failed", `Malformed request: ${(error as Error).message}`), `req_${Date.now().toString(36)}`);
  }
  try {
    // Machine API answers are small JSON: one buffered write beats piping a web stream.
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
    // Server-Timing: the time this process spent on the request, so callers can tell it from the network's.
    res.writeHead(response.status, {
      ...Object.fromEntries(response.headers),
      "content-length": body?.length ?? 0, // known: no chunked framing
      "server-timing": `app;dur=${(performance.now() - started).toFixed(2)}`,
    });
    res.end(body);
  } catch {
    res.destroy(); // the answer could not be produced or sent; never an unhandled rejection
  }
}

async function handle(routes: RouteEntry[], req: IncomingMessage, res: ServerResponse): Promise<Response> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  let matched: RouteEntry | undefined;
  let params: Record<string, string> = {};
  for (const route of routes) {
    const m = route.pattern.exec(url.pathname);
    if (m && route.method === req.method) {
      matched = route;
      params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      break;
    }
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  headers.set(PEER_HEADER, req.socket.remoteAddress ?? "unknown"); // the TCP peer, for clientAddress; never the client's word
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    // Read up to the largest body any route accepts (the route enforces its own cap, with the
    // API's 413); a buffer is much cheaper than a web stream over the Node request.
    ...(hasBody && { body: await readBody(req, MAX_BODY_BYTES) }),
    signal: abortOnClose(req, res),
  } as RequestInit);
  if (!matched) {
    return errorResponse(new AppError("not_found", `No route ${req.method} ${url.pathname} on the agent API server; the console and the rest of the API are on the web server.`), requestIdFrom(request));
  }
  try {
    return await matched.handler(request, { params: Promise.resolve(params) });
  } catch (error) {
    return errorResponse(error, requestIdFrom(request));
  }
}

/** The largest body a machine API route accepts (events: 5 MB), with room for the route to say 413 itself. */
const MAX_BODY_BYTES = 5 * 1024 * 1024 + 1;

/** The request body, or its first `max` bytes: past those the route answers 413 from what it got. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      chunks.push(chunk.subarray(0, chunk.length - (size - max)));
      // Enough to refuse it: the rest is drained unread (the socket must stay writable for the 413).
      req.off("data", onData);
      req.resume();
      resolve(Buffer.concat(chunks));
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Aborts the Web request when the client goes away (a long poll stops waiting). */
function abortOnClose(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on("error", () => controller.abort());
  return controller.signal;
}
