import { describe, expect, it } from "vitest";
import { PEER_HEADER, clientAddress } from "./client-address";

const request = (headers: Record<string, string>) => new Request("http://gatehouse.test/x", { headers });

describe("clientAddress", () => {
  it("takes the TCP peer and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(clientAddress(request({ [PEER_HEADER]: "198.51.100.4", "x-forwarded-for": "1.2.3.4" }), 0)).toBe("198.51.100.4");
    expect(clientAddress(request({ "x-forwarded-for": "1.2.3.4" }), 0)).toBe("unknown");
  });

  it("with trusted proxies, takes the hop that many from the right, never the client-written leftmost entries", () => {
    // client → proxy (10.0.0.2, appends the client's address) → us; the client spoofs two entries.
    const spoofed = request({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "1.2.3.4, 5.6.7.8, 203.0.113.9" });
    expect(clientAddress(spoofed, 1)).toBe("203.0.113.9");
    // Two proxies: the CDN appended the client, the load balancer appended the CDN.
    expect(clientAddress(request({ [PEER_HEADER]: "10.0.0.3", "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2" }), 2)).toBe("203.0.113.9");
  });

  it("with fewer hops than trusted, falls back to the leftmost known address", () => {
    expect(clientAddress(request({ [PEER_HEADER]: "10.0.0.2" }), 1)).toBe("10.0.0.2");
    expect(clientAddress(request({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "203.0.113.9" }), 3)).toBe("203.0.113.9");
  });
});
