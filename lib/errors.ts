import type { z } from "zod";

/**
 * What a domain service throws when it refuses: a code from this list and a message a
 * person can act on. Services know nothing of HTTP; the route wrapper maps each code to a
 * status through the one table in lib/http/errors.ts.
 */
export const ERROR_CODES = [
  "malformed_json",
  "validation_failed",
  "unauthenticated",
  "invalid_token",
  "forbidden",
  "agent_suspended",
  "agent_decommissioned",
  "tenant_killed",
  "not_found",
  "method_not_allowed",
  "request_timeout",
  "conflict",
  "idempotency_conflict",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "dependency_unavailable",
  "internal_error",
  "upstream_unreachable",
  "upstream_error",
  "upstream_timeout",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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

/** 400 validation_failed: what failed, with `{path, message}` for each problem. */
export function validationFailed(details: { path: string; message: string }[], what = "Request"): AppError {
  return new AppError("validation_failed", `${what} failed validation.`, details);
}

export function validationError(error: z.ZodError, what = "Request"): AppError {
  return validationFailed(zodDetails(error), what);
}
