/**
 * Serves route handlers (the same `app/api/**\/route.ts` exports Next.js serves) from a
 * plain `node:http` server: the Node request becomes a Web `Request`, the handler's
 * `Response` is written back. No logic of its own, so both servers answer identically.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { AppError } from "./errors";
import { errorResponse, requestIdFrom } from "./respond";

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type RouteEntry = { method: string; pattern: RegExp; handler: RouteHandler };

export async function serveRoute(routes: RouteEntry[], req: IncomingMessage, res: ServerResponse) {
  let response: Response;
  try {
    response = await handle(routes, req, res);
  } catch (error) {
    // A request Node parsed but a Web Request refuses (a mangled Host header, say).
    response = errorResponse(new AppError("validation_failed", `Malformed request: ${(error as Error).message}`), `req_${Date.now().toString(36)}`);
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  Readable.fromWeb(response.body as WebReadableStream)
    .on("error", () => res.destroy())
    .pipe(res);
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
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    ...(hasBody && { body: Readable.toWeb(req) as ReadableStream, duplex: "half" }),
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

/** Aborts the Web request when the client goes away (a long poll stops waiting). */
function abortOnClose(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on("error", () => controller.abort());
  return controller.signal;
}
