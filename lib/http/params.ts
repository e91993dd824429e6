import { AppError } from "@/lib/errors";

/** ES2024's String.prototype.isWellFormed (native since Node 20; tsconfig's lib predates it). */
type WellFormedCheck = string & { isWellFormed(): boolean };

/**
 * Whether Postgres can store (and so compare) this text: text columns refuse NUL, and a
 * lone surrogate has no UTF-8 form. Such a string in a query fails there, as a 500.
 */
export function storableText(value: string): boolean {
  return !value.includes("\u0000") && (value as WellFormedCheck).isWellFormed();
}

/** No id or slug is longer: a longer path segment names nothing. */
const MAX_PARAM_LENGTH = 512;

/**
 * Path parameters as the handlers see them. One that could never name a stored resource
 * (NUL, lone surrogate, absurd length) is a 404 here, not a failed query later.
 */
export function checkedParams(params: Record<string, string>): Record<string, string> {
  for (const value of Object.values(params)) {
    if (value.length > MAX_PARAM_LENGTH || !storableText(value)) throw new AppError("not_found", "Not found.");
  }
  return params;
}

/** Query parameters as an object; a value Postgres could not compare is a 400. */
export function queryParams(url: URL): Record<string, string> {
  const params = Object.fromEntries(url.searchParams);
  const bad = Object.keys(params).filter((name) => !storableText(params[name]!) || !storableText(name));
  if (bad.length) {
    throw new AppError(
      "validation_failed",
      "Query failed validation.",
      bad.map((name) => ({ path: storableText(name) ? name : "(name)", message: "Must not contain NUL or ill-formed Unicode." })),
    );
  }
  return params;
}
