/**
 * Whether an error means Postgres or Redis could not serve the request in time (overload,
 * a lost connection, a pool with no free connection), rather than a bug: such a request
 * answers 503 dependency_unavailable with Retry-After, never a 500. Seen in the soak: under
 * overload a Prisma transaction outlived its 5 s timeout and the caller got a 500.
 */
const PRISMA_UNAVAILABLE = new Set([
  "P1001", // can't reach the database server
  "P1002", // the database server timed out
  "P1008", // operation timed out
  "P1017", // the server closed the connection
  "P2024", // timed out fetching a connection from the pool
  "P2028", // transaction API error: could not start, or expired before commit
]);
const UNAVAILABLE_MESSAGES = [
  /Connection is closed/i, // ioredis
  /Reached the max retries per request limit/i, // ioredis
  /Command timed out/i, // ioredis commandTimeout
  /timeout exceeded when trying to connect/i, // pg pool
  /Connection terminated/i, // pg
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT/,
];

export function isDependencyUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && PRISMA_UNAVAILABLE.has(code)) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
