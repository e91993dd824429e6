import { NextResponse, type NextRequest } from "next/server";
import { refuseMalformedEscapes } from "@/lib/http/malformed-escapes";
import { HSTS, contentSecurityPolicy, newNonce } from "@/lib/http/security-headers";

/**
 * Runs before Next.js matches routes, so it is the one place that can answer a path Next
 * cannot decode (a malformed %-escape). Pages also get a fresh CSP nonce per request: on
 * the request (Next.js reads it from there to mark its scripts) and on the response. Pages
 * are rendered per request (app/layout.tsx), so every page carries its own response's nonce.
 */
export function proxy(request: NextRequest) {
  const refused = refuseMalformedEscapes(request);
  if (refused) return refused;
  // The JSON API needs no CSP; prefetches reuse the page's nonce.
  if (request.nextUrl.pathname.startsWith("/api/") || request.headers.has("next-router-prefetch")) return NextResponse.next();
  const nonce = newNonce();
  const https = request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  if (https) response.headers.set("strict-transport-security", HSTS);
  return response;
}

export const config = {
  // Static assets carry no scripts of their own and their paths are Next's.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
