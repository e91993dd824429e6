import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { readJsonBody } from "./body";

const post = (body: BodyInit, type = "application/json", headers: Record<string, string> = {}) =>
  new Request("http://x/api/v1/test", { method: "POST", body, headers: { "content-type": type, ...headers } });

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof AppError ? e.code : "unexpected";
  }
}

describe("readJsonBody", () => {
  it("parses JSON, including +json media types", async () => {
    expect(await readJsonBody(post('{"a":1}'), 100)).toEqual({ a: 1 });
    expect(await readJsonBody(post("[1]", "application/vnd.api+json"), 100)).toEqual([1]);
  });
  it("answers 415 for another content type", async () => {
    expect(await codeOf(readJsonBody(post("{}", "text/plain"), 100))).toBe("unsupported_media_type");
  });
  it("answers 413 past the cap, declared or streamed", async () => {
    expect(await codeOf(readJsonBody(post("x".repeat(200)), 100))).toBe("payload_too_large");
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode("x".repeat(50)));
        c.close();
      },
    });
    const req = new Request("http://x", { method: "POST", body: stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
    expect(await codeOf(readJsonBody(req, 100))).toBe("payload_too_large");
  });
  it("answers 400 malformed_json for broken or empty bodies", async () => {
    expect(await codeOf(readJsonBody(post("{"), 100))).toBe("malformed_json");
    expect(await codeOf(readJsonBody(post(""), 100))).toBe("malformed_json");
  });
});
