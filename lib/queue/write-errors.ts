/**
 * Whether a failed write is the data's fault, so that writing the same data again fails
 * again: Postgres' data exceptions (SQLSTATE class 22, e.g. 22P05 "unsupported Unicode
 * escape sequence" for a NUL in jsonb), integrity violations (23) and program limits (54,
 * e.g. stack depth on deep jsonb); Prisma's query engine refusing ill-formed JSON before
 * Postgres sees it; a payload too deep to serialize (RangeError) or that fails its job
 * schema (ZodError). Anything else (a lost connection, a deadlock, a timeout) may pass
 * on a later attempt.
 */
export function isDataError(error: unknown): boolean {
  if (error instanceof RangeError || (error instanceof Error && error.name === "ZodError")) return true;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(code)) return true;
    const message = (current as { message?: unknown }).message;
    if (typeof message === "string" && message.includes("JSON Error:")) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A short, single-line description of a write failure, for the dead-letter row and logs. */
export function describeWriteError(error: unknown): string {
  const issues = (error as { issues?: unknown } | null)?.issues;
  if (error instanceof Error && error.name === "ZodError" && Array.isArray(issues)) {
    const list = issues as { path: PropertyKey[]; message: string }[];
    return `Invalid job payload: ${list.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ")}`.slice(0, 1000);
  }
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    // Prisma's message begins with the invocation's source excerpt: its last line is the cause.
    const text = typeof message === "string" ? message.trim().split("\n").filter(Boolean).pop() ?? "" : "";
    const line = [typeof code === "string" ? code : "", text].filter(Boolean).join(" ");
    if (line && !parts.includes(line)) parts.push(line);
    current = (current as { cause?: unknown }).cause;
  }
  return (parts.join(" ← ") || String(error)).slice(0, 1000);
}
