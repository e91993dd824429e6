import { randomUUID } from "node:crypto";
import { isDependencyUnavailable } from "./dependency-errors";
import { LeanRequest } from "./lean-request";
import { AppError } from "@/lib/errors";
import { ERROR_STATUS, statusOf } from "./errors";
import { logger } from "@/lib/logger";

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * Sees every answer a route gives, before it is sent. Only the tests set it: they check each
 * machine-API answer against the responses the contract declares (lib/testing/contract-check.ts).
 */
export const answerObserver: { current?: (request: Request, response: Response) => void } = {};

/** The last step of every route: hands the answer to the observer, if any. */
export function answered(request: Request, response: Response): Response {
  answerObserver.current?.(request, response);
  return response;
}

/** The caller's request id when it is sane, else a fresh one. */
export function requestIdFrom(request: { headers: Headers }): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  return given && /^[\w.:-]{8,128}$/.test(given) ? given : `req_${randomUUID().replaceAll("-", "")}`;
}

/**
 * The JSON of answers made here (text or bytes), so the lean server (./node-handler.ts)
 * writes it as it is instead of reading the Response's body stream back: that read was
 * about 2 % of the agent API's CPU per gateway call, and for a large tools/list a second
 * copy of the answer.
 */
const jsonBodies = new WeakMap<Response, string | Buffer>();

/**
 * Whether the answer to `request` may leave its body out: the lean server made the request
 * (./lean-request.ts) and writes the remembered JSON itself. undici wraps a body in a
 * ReadableStream, which on Node 20 is also a C++-backed transferable object per answer.
 */
export const isLean = (request: Request) => (request as unknown) instanceof LeanRequest;

/** Response.json, remembering the text (see `jsonBody`); `lean`: without a body stream, for the lean server only. */
export function jsonResponse(body: unknown, init: ResponseInit = {}, lean = false): Response {
  return remembered(JSON.stringify(body), init, lean);
}

/** A JSON answer whose bytes are already made (an MCP tools/list spliced around its cached listing). */
export function jsonBytesResponse(json: Buffer, init: ResponseInit = {}, lean = false): Response {
  return remembered(json, init, lean);
}

function remembered(json: string | Buffer, init: ResponseInit, lean: boolean): Response {
  const body = lean ? null : typeof json === "string" ? json : new Uint8Array(json.buffer as ArrayBuffer, json.byteOffset, json.byteLength);
  const response = new Response(body, { ...init, headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) } });
  jsonBodies.set(response, json);
  return response;
}

/** The JSON of an answer made by `jsonResponse` or `jsonBytesResponse`; undefined for any other. */
export const jsonBody = (response: Response): string | Buffer | undefined => jsonBodies.get(response);

export function json(body: unknown, init: { status?: number; requestId: string; headers?: Record<string, string>; lean?: boolean }): Response {
  return jsonResponse(
    body,
    {
      status: init.status ?? 200,
      headers: { [REQUEST_ID_HEADER]: init.requestId, "cache-control": "no-store", ...init.headers },
    },
    init.lean,
  );
}

/**
 * Maps any thrown value to the API error shape. Postgres or Redis failing to answer is a
 * 503 with Retry-After; other unknown errors become a generic 500: logged with the request
 * id, never echoed to the caller.
 */
export function errorResponse(error: unknown, requestId: string, lean = false): Response {
  if (error instanceof AppError) {
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
    return json(
      { error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) } },
      { status: statusOf(error), requestId, headers, lean },
    );
  }
  if (isDependencyUnavailable(error)) {
    logger.warn("dependency unavailable", { requestId, error });
    return errorResponse(new AppError("dependency_unavailable", "A service Gatehouse depends on did not answer in time. Retry shortly.", undefined, 2), requestId, lean);
  }
  logger.error("unhandled error", { requestId, error });
  return json(
    { error: { code: "internal_error", message: `Internal error. Quote request id ${requestId} when reporting it.` } },
    { status: ERROR_STATUS.internal_error, requestId, lean },
  );
}
