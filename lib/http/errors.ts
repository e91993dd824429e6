import type { AppError, ErrorCode } from "@/lib/errors";

/** Every error code (lib/errors.ts) and the HTTP status it answers with. One table, one place. */
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
  request_timeout: 408,
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
} as const satisfies Record<ErrorCode, number>;

/** The HTTP status an error answers with. */
export const statusOf = (error: AppError): number => ERROR_STATUS[error.code];
