/**
 * With PUBLIC_URL configured, the discovery documents name that origin whatever Host the
 * request carried, and may be cached (app/api/v1/mcp/mcp.int.test.ts covers the unconfigured case:
 * Host-derived and never cacheable).
 */
import { describe, expect, it, vi } from "vitest";
import { GET as authorizationServer } from "@/app/api/well-known/oauth-authorization-server/route";
import { GET as protectedResource } from "@/app/api/well-known/oauth-protected-resource/route";

const ORIGIN = vi.hoisted(() => (process.env.PUBLIC_URL = "https://gatehouse.discovery.test"));

describe("OAuth discovery with a configured origin", () => {
  it("names PUBLIC_URL's origin, never the Host header, and is cacheable", async () => {
    const spoofed = { headers: { host: "evil.example", "x-forwarded-host": "evil.example" } };
    const as = authorizationServer(new Request("http://evil.example/.well-known/oauth-authorization-server", spoofed));
    expect(as.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await as.json()).toMatchObject({ issuer: ORIGIN, token_endpoint: `${ORIGIN}/api/v1/oauth/token`, jwks_uri: `${ORIGIN}/api/v1/oauth/jwks` });
    const resource = protectedResource(new Request("http://evil.example/.well-known/oauth-protected-resource/api/v1/mcp", spoofed));
    expect(resource.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await resource.json()).toMatchObject({ resource: `${ORIGIN}/api/v1/mcp`, authorization_servers: [ORIGIN] });
  });
});
