/**
 * Serves route handlers (the same `app/api/**\/route.ts` exports Next.js serves) from a
 * plain `node:http` server: the Node request becomes a Web `Request`, the handler's
 * `Response` is written back. No logic of its own, so both servers answer identically.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { env } from "@/lib/env";
import { LeanRequest } from "./lean-request";
import { PEER_HEADER } from "./client-address";
import { AppError } from "@/lib/errors";
import { errorResponse, jsonBody, requestIdFrom } from "./respond";

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type RouteEntry = {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
  /** Checks the caller's credentials from the headers alone (throws an AppError): run before a large body is read. */
  authenticate?: (headers: Headers) => Promise<unknown>;
};

/**
 * How much body a caller may send, and how long it may take: a declared Content-Length
 * past the cap is refused before a byte is read, a slow sender gets 408.
 */
export type BodyLimits = { maxBytes: number; timeoutMs: number };

/** Bodies up to this size are read before authenticating (the route authenticates first thing after). */
const READ_BEFORE_AUTH_BYTES = 64 * 1024;
/** A 5 MB event batch takes under 2 s at 25 Mbit/s; a sender still going after 30 s is stalling a process. */
const BODY_TIMEOUT_MS = 30_000;

export async function serveRoute(routes: RouteEntry[], req: IncomingMessage, res: ServerResponse, limits?: BodyLimits) {
  const started = performance.now();
  let response: Response;
  try {
    response = await handle(routes, req, res, limits ?? { maxBytes: env().MAX_BODY_BYTES, timeoutMs: BODY_TIMEOUT_MS });
  } catch (error) {
    // A request Node parsed but URL or Headers refuse (a mangled Host header, say).
    response = errorResponse(new AppError("validation_failed", `Malformed request: ${(error as Error).message}`), `req_${Date.now().toString(36)}`, true);
  }
  if (response.body && response.headers.get("content-type")?.startsWith("text/event-stream")) return streamEvents(response, res, started);
  try {
    // Machine API answers are JSON: one buffered write beats piping a web stream, and the
    // text of an answer made by jsonResponse needs no reading back at all.
    const json = jsonBody(response);
    const body = typeof json === "string" ? Buffer.from(json) : (json ?? (response.body ? Buffer.from(await response.arrayBuffer()) : undefined));
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

/** An event stream (an MCP call waiting for an approval sends progress): written as it comes, cancelled if the caller leaves. */
async function streamEvents(response: Response, res: ServerResponse, started: number) {
  const reader = response.body!.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  try {
    res.writeHead(response.status, { ...Object.fromEntries(response.headers), "server-timing": `app;dur=${(performance.now() - started).toFixed(2)}` });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  } catch {
    res.destroy();
  }
}

async function handle(routes: RouteEntry[], req: IncomingMessage, res: ServerResponse, limits: BodyLimits): Promise<Response> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  headers.set(PEER_HEADER, req.socket.remoteAddress ?? "unknown"); // the TCP peer, for clientAddress; never the client's word
  // Only error answers given here need it (the route reads its own): computed when needed.
  const requestId = () => requestIdFrom({ headers });
  // HEAD is GET without the body (Node drops what is written to a HEAD response), as Next.js serves it.
  const method = req.method === "HEAD" ? "GET" : req.method;
  const matched = routes.find((route) => route.method === method && route.pattern.test(url.pathname));
  if (!matched) {
    const allowed = routes.filter((route) => route.pattern.test(url.pathname)).map((route) => route.method);
    if (allowed.length) {
      const response = errorResponse(new AppError("method_not_allowed", `${req.method} is not served at ${url.pathname}; use ${allowed.join(" or ")}.`), requestId(), true);
      response.headers.set("allow", allowed.join(", "));
      return response;
    }
    return errorResponse(new AppError("not_found", `No route ${req.method} ${url.pathname} on the agent API server; the console and the rest of the API are on the web server.`), requestId(), true);
  }
  let params: Record<string, string>;
  try {
    const groups = matched.pattern.exec(url.pathname)!.groups ?? {};
    params = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    return errorResponse(new AppError("not_found", "Not found: the path has a malformed %-escape."), requestId(), true);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  let body: Buffer | undefined;
  if (hasBody) {
    try {
      body = await readBodyFor(matched, req, headers, limits);
    } catch (error) {
      // Refused before the body was read to its end: close the connection rather than read the rest.
      const response = errorResponse(error, requestId(), true);
      response.headers.set("connection", "close");
      return response;
    }
  }
  // Not a Web Request (./lean-request.ts); its JSON answers come without a body stream, as this server writes their remembered JSON.
  // The connection closed before the answer was written: the client went away.
  const clientGone = (abort: () => void) => res.once("close", () => void (res.writableFinished || abort()));
  const request = new LeanRequest(url.href, req.method!, headers, body ?? Buffer.alloc(0), clientGone).asRequest();
  try {
    return await matched.handler(request, { params: Promise.resolve(params) });
  } catch (error) {
    return errorResponse(error, requestIdFrom(request), true);
  }
}

/**
 * The body, read into one buffer (much cheaper than a web stream over the Node request),
 * after refusing what can be refused unread: a declared size past the cap (413), and a
 * large or unsized body from a caller whose credentials fail (401).
 */
async function readBodyFor(route: RouteEntry, req: IncomingMessage, headers: Headers, limits: BodyLimits): Promise<Buffer> {
  const declared = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
  if (declared !== undefined && declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  if (route.authenticate && (declared === undefined || declared > READ_BEFORE_AUTH_BYTES)) await route.authenticate(headers);
  return readBody(req, limits);
}

const tooLarge = (maxBytes: number) => new AppError("payload_too_large", `The request body exceeds ${maxBytes} bytes.`);

/** The request body; 413 once it passes the cap, 408 when it has not arrived in time. */
function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error?: AppError) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      if (error) {
        req.pause(); // the rest is never read: the answer closes the connection
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return stop(tooLarge(limits.maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => stop();
    const timer = setTimeout(() => stop(new AppError("request_timeout", `The request body did not arrive within ${limits.timeoutMs / 1000} s.`)), limits.timeoutMs);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
