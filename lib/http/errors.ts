import type { z } from "zod";

/** Every error the API can answer with, and its HTTP status. One table, one place. */
export const ERROR_STATUS = {
  malformed_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  invalid_token: 401,
  forbidden: 403,
  agent_suspended: 403,
  agent_decommissioned: 403,
  tenant_killed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  dependency_unavailable: 503,
  internal_error: 500,
  // The gateway (API.md §7): the tool's upstream failed; the call is still recorded.
  upstream_unreachable: 502,
  upstream_error: 502,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = "Resource") => new AppError("not_found", `${what} not found.`);
export const forbidden = (message = "You are not allowed to do this.") => new AppError("forbidden", message);

/** zod issues as `{path, message}` pairs: what `details` carries for validation failures. */
export function zodDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

export function validationError(error: z.ZodError, what = "Request"): AppError {
  return new AppError("validation_failed", `${what} failed validation.`, zodDetails(error));
}
