import { AppError } from "@/lib/errors";
import { errorResponse, requestIdFrom } from "./respond";

/**
 * A 404 in the API's error shape for a path with a malformed %-escape (`/runs/%E0%A4%A`),
 * else null. Next.js fails to decode such a path while matching routes, before any route
 * handler runs, and answers with its own HTML error page, or a plain-text 500 when that
 * page cannot render; the proxy runs before route matching, so it answers here instead.
 */
export function refuseMalformedEscapes(request: Request): Response | null {
  try {
    decodeURIComponent(new URL(request.url).pathname);
    return null;
  } catch {
    return errorResponse(new AppError("not_found", "Not found: the path has a malformed %-escape."), requestIdFrom(request));
  }
}
