import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { buildUpstreamRequest } from "./build-request";

const build = (method: string, path: string, args: Record<string, unknown>) => buildUpstreamRequest({ baseUrl: "https://api.example.com/base/", method, path, args });

describe("buildUpstreamRequest", () => {
  it("fills the path, and sends the rest as a JSON body (POST) or a query (GET)", () => {
    expect(build("post", "/v1/charges/{charge_id}/refunds", { charge_id: "ch_1", amount: 5, meta: { a: 1 } })).toEqual({
      method: "POST",
      url: "https://api.example.com/base/v1/charges/ch_1/refunds",
      urlWithoutQuery: "https://api.example.com/base/v1/charges/ch_1/refunds",
      body: JSON.stringify({ amount: 5, meta: { a: 1 } }),
    });
    const get = build("GET", "/v1/repos/{repo}", { repo: "acme/web", state: "open", labels: ["a", "b"], filter: { x: 1 } });
    expect(get.url).toBe("https://api.example.com/base/v1/repos/acme%2Fweb?state=open&labels=a&labels=b&filter=%7B%22x%22%3A1%7D");
    expect(get.urlWithoutQuery).toBe("https://api.example.com/base/v1/repos/acme%2Fweb");
    expect(get.body).toBeUndefined();
  });

  it("keeps path arguments inside their segment: no extra segments, no query, no climbing out", () => {
    expect(build("GET", "/v1/charges/{id}", { id: "x/../../admin?all=1#f" }).url).toBe("https://api.example.com/base/v1/charges/x%2F..%2F..%2Fadmin%3Fall%3D1%23f");
    expect(build("GET", "/v1/charges/{id}", { id: "%2e%2e" }).url).toBe("https://api.example.com/base/v1/charges/%252e%252e");
    for (const id of ["..", ".", ""]) expect(() => build("GET", "/v1/charges/{id}/refunds", { id })).toThrow(AppError);
  });

  it("refuses missing or non-scalar path arguments", () => {
    expect(() => build("GET", "/v1/charges/{id}", {})).toThrow(/required by the operation's path/);
    expect(() => build("GET", "/v1/charges/{id}", { id: { nested: true } })).toThrow(/string, number or boolean/);
  });
});
