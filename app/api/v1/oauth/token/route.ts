import { OAuthError, issueToken } from "@/lib/agents/issue-token";
import { readFormCapped } from "@/lib/http/body";
import { clientAddress, publicOrigin } from "@/lib/http/client-address";
import { AppError } from "@/lib/errors";
import { statusOf } from "@/lib/http/errors";
import { logger } from "@/lib/logger";
import { answered, requestIdFrom } from "@/lib/http/respond";

const MAX_FORM_BYTES = 64 * 1024;

/** RFC 6749 §5.2 error body, never the API's error shape (API.md §1). */
function oauthError(error: string, description: string, status: number, requestId: string, retryAfter?: number) {
  return Response.json(
    { error, error_description: description },
    { status, headers: { "cache-control": "no-store", "x-request-id": requestId, ...(retryAfter && { "retry-after": String(retryAfter) }) } },
  );
}

export async function POST(request: Request) {
  return answered(request, await issue(request));
}

async function issue(request: Request): Promise<Response> {
  const requestId = requestIdFrom(request);
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")) {
    return oauthError("invalid_request", "Send the request as application/x-www-form-urlencoded.", 400, requestId);
  }
  try {
    const form = await readFormCapped(request, MAX_FORM_BYTES);
    const origin = publicOrigin();
    const tokenEndpoint = origin && `${origin}/api/v1/oauth/token`;
    const token = await issueToken({ form, address: clientAddress(request), tokenEndpoint });
    return Response.json(token, { headers: { "cache-control": "no-store", pragma: "no-cache", "x-request-id": requestId } });
  } catch (error) {
    if (error instanceof OAuthError) return oauthError(error.error, error.description, error.status, requestId, error.retryAfterSeconds);
    if (error instanceof AppError && error.code === "payload_too_large") return oauthError("invalid_request", "The request is too large.", 413, requestId);
    if (error instanceof AppError) return oauthError("invalid_request", error.message, statusOf(error), requestId);
    logger.error("token endpoint failed", { requestId, error });
    return oauthError("server_error", `Internal error. Quote request id ${requestId}.`, 500, requestId);
  }
}
