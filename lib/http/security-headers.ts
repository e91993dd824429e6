/**
 * The browser-facing security headers of the console, set per request by proxy.ts. Scripts
 * run only from this origin and with the request's nonce (Next.js puts it on its own inline
 * scripts when it finds it in the request's Content-Security-Policy); styles keep
 * 'unsafe-inline' for the style attributes the charts use. HSTS only when served over https.
 * Headers that never change (Permissions-Policy, COOP, …) are in next.config.mjs.
 */
export function contentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    // 'unsafe-eval' only in development: React's dev tooling needs it; production never.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export const HSTS = "max-age=31536000; includeSubDomains";

export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
