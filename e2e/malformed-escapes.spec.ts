import { expect, test } from "@playwright/test";

// Next.js fails to decode these paths while matching routes, before any handler runs;
// proxy.ts answers them in the API's error shape instead of Next.js' own error page.
test("paths with malformed %-escapes answer a JSON 404 in the error shape, never a 500", async ({ request }) => {
  for (const path of ["/api/v1/runs/%E0%A4%A", "/api/v1/runs/%zz/events", "/api/v1/approvals/%", "/api/console/t/%E0%A4%A/runs", "/runs/%E0%A4%A"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(404);
    expect(res.headers()["content-type"], path).toContain("application/json");
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found: the path has a malformed %-escape." } });
  }
});
