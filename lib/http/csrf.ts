/**
 * Cross-site request forgery guard for console mutations, which a browser authenticates with
 * the session cookie whoever's page sends them. Browsers say where a request comes from
 * (Origin on every cross-origin POST, Sec-Fetch-Site on all requests): a mutation from
 * another site is refused, whatever its content type or body. Requests without either header
 * do not come from a browser page (scripts, the e2e API client) and carry no ambient cookie risk.
 */
import { publicOrigin } from "./client-address";
import { AppError } from "@/lib/errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function assertSameOrigin(request: Request) {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") throw refused();
  const origin = request.headers.get("origin");
  if (origin === null) return;
  // The configured public origin, or this request's own (a console reached on another name, e.g. 127.0.0.1).
  if (origin !== publicOrigin() && origin !== new URL(request.url).origin) throw refused();
}

const refused = () => new AppError("forbidden", "Cross-origin requests may not change anything here. Use the console.");
