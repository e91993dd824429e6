import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

const scriptSrc = (csp: string) => csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src"))!;

describe("proxy security headers", () => {
  it("sets a CSP with a fresh nonce per request, on the response and on the request Next.js renders from", () => {
    const first = proxy(new NextRequest("http://localhost:3000/t/acme"));
    const second = proxy(new NextRequest("http://localhost:3000/t/acme"));
    const csp = first.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(nonce.length).toBeGreaterThanOrEqual(22);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    // NextResponse.next({ request: { headers } }) forwards overridden request headers like this.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it("allows no inline or eval'd scripts in production, only the nonce", () => {
    const src = scriptSrc(proxy(new NextRequest("http://localhost:3000/signin")).headers.get("content-security-policy")!);
    expect(src).not.toContain("'unsafe-inline'");
    expect(src).not.toContain("'unsafe-eval'");
    expect(src).toMatch(/'nonce-[^']+'/);
  });

  it("adds HSTS and upgrade-insecure-requests only over https", () => {
    const plain = proxy(new NextRequest("http://localhost:3000/signin"));
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    expect(plain.headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
    for (const request of [new NextRequest("https://console.example/signin"), new NextRequest("http://10.0.0.5:3000/signin", { headers: { "x-forwarded-proto": "https" } })]) {
      const secure = proxy(request);
      expect(secure.headers.get("strict-transport-security")).toMatch(/max-age=\d{7,}/);
      expect(secure.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    }
  });
});
