import { describe, expect, it } from "vitest";
import { refuseMalformedEscapes } from "./malformed-escapes";

describe("refuseMalformedEscapes", () => {
  it.each(["/api/v1/runs/%E0%A4%A", "/api/v1/runs/%zz/events", "/api/console/t/%/runs", "/%ED%A0%80"])("answers %s with a 404 in the error shape", async (path) => {
    const res = refuseMalformedEscapes(new Request(`http://localhost${path}`))!;
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found: the path has a malformed %-escape." } });
  });

  it.each(["/api/v1/runs/run_1", "/api/v1/runs/run%2F1", "/api/v1/runs/%E2%9C%93", "/t/x?q=%zz"])("lets %s through", (path) => {
    expect(refuseMalformedEscapes(new Request(`http://localhost${path}`))).toBeNull();
  });
});
