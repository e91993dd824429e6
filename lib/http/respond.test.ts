import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, validationError } from "@/lib/errors";
import { ERROR_STATUS } from "./errors";
import { errorResponse, jsonBody, jsonBytesResponse, jsonResponse, requestIdFrom } from "./respond";

describe("errorResponse", () => {
  it("maps AppError to its status and the API error shape", async () => {
    const res = errorResponse(new AppError("rate_limited", "Slow down.", undefined, 7), "req_12345678");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("x-request-id")).toBe("req_12345678");
    expect(await res.json()).toEqual({ error: { code: "rate_limited", message: "Slow down." } });
  });

  it("turns unknown errors into a generic 500 that echoes nothing", async () => {
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const res = errorResponse(new Error("password=hunter2 in stack"), "req_abcdefgh");
    spy.mockRestore();
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("internal_error");
    expect(body.error.message).not.toContain("hunter2");
    expect(body.error.message).toContain("req_abcdefgh");
  });

  it("answers 503 with Retry-After when Postgres or Redis did not answer in time, never a 500", async () => {
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const expired = Object.assign(new Error("Transaction API error: A commit cannot be executed on an expired transaction."), { code: "P2028" });
    const pool = new Error("timeout exceeded when trying to connect");
    const redis = new Error("wrapped", { cause: new Error("Connection is closed.") });
    const answers = [expired, pool, redis].map((error) => errorResponse(error, "req_abcdefgh"));
    spy.mockRestore();
    expect(answers.map((r) => [r.status, r.headers.get("retry-after")])).toEqual([["503", "2"], ["503", "2"], ["503", "2"]].map(([s, r]) => [Number(s), r]));
    expect(((await answers[0]!.json()) as { error: { code: string } }).error.code).toBe("dependency_unavailable");
  });

  it("lists zod paths in details for validation failures", async () => {
    const parsed = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } });
    const res = errorResponse(validationError(parsed.error!), "req_abcdefgh");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe("a.b");
  });

  it("has a status for every code", () => {
    for (const status of Object.values(ERROR_STATUS)) expect(status).toBeGreaterThanOrEqual(400);
  });
});

describe("requestIdFrom", () => {
  it("keeps a sane caller id and replaces a hostile one", () => {
    expect(requestIdFrom(new Request("http://x", { headers: { "x-request-id": "abc-12345678" } }))).toBe("abc-12345678");
    expect(requestIdFrom(new Request("http://x", { headers: { "x-request-id": "<script>" } }))).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe("jsonResponse", () => {
  it("answers what Response.json answers, and keeps the text for the lean server to write as it is", async () => {
    const body = { a: "é\u2028", n: [1, null], nested: { ok: true } };
    const ours = jsonResponse(body, { status: 201, headers: { "x-one": "1" } });
    const theirs = Response.json(body, { status: 201, headers: { "x-one": "1" } });
    expect(ours.status).toBe(201);
    expect(Object.fromEntries(ours.headers)).toEqual(Object.fromEntries(theirs.headers));
    expect(jsonBody(ours)).toBe(JSON.stringify(body));
    expect(await ours.text()).toBe(await theirs.text());
    expect(jsonBody(theirs)).toBeUndefined();
  });

  it("sends bytes already made as they are", async () => {
    const bytes = Buffer.from('{"tools":[]}');
    const response = jsonBytesResponse(bytes, { headers: { "x-one": "1" } });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(jsonBody(response)).toBe(bytes);
    expect(await response.json()).toEqual({ tools: [] });
  });
});
