import { NextResponse, type NextRequest } from "next/server";
import { HSTS, contentSecurityPolicy, newNonce } from "@/lib/http/security-headers";

/**
 * A fresh CSP nonce per request: on the request (Next.js reads it from there to mark its
 * scripts) and on the response. Pages are rendered per request (app/layout.tsx), so every
 * page carries the nonce of its own response.
 */
export function proxy(request: NextRequest) {
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
  // Pages only: the JSON API needs none of this, and static assets carry no scripts of their own.
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)", missing: [{ type: "header", key: "next-router-prefetch" }] }],
};
