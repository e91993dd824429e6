// The expected URLs are written out by hand on purpose: they are what consoleUrl must build.
/* eslint-disable no-restricted-syntax */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, consoleApi, consoleUrl, type ConsoleAnswer } from "./api";

describe("consoleUrl", () => {
  it("fills and escapes each [param], so an id cannot reach another path", () => {
    expect(consoleUrl("/t/[tenant]/agents/[agentId]", { tenant: "acme", agentId: "../../x y" })).toBe("/api/console/t/acme/agents/..%2F..%2Fx%20y");
  });

  it("adds the query without empty values", () => {
    expect(consoleUrl("/t/[tenant]/runs", { tenant: "acme" }, { status: "failed", agent: "", after: undefined, limit: 50 })).toBe("/api/console/t/acme/runs?status=failed&limit=50");
  });

  it("refuses a path with a parameter left out", () => {
    expect(() => consoleUrl("/t/[tenant]/agents/[agentId]", { tenant: "acme" } as never)).toThrow(/agentId/);
  });
});

describe("consoleApi", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the method, the JSON body and the filled URL, and resolves to the answer", async () => {
    const fetch = vi.fn(async () => Response.json({ agent: { id: "a1", name: "bot" } }, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    const answer = await consoleApi("POST", "/t/[tenant]/agents", { params: { tenant: "acme" }, body: { name: "bot", ownerId: "u1" } });
    expect(answer.agent.id).toBe("a1");
    expect(fetch).toHaveBeenCalledWith("/api/console/t/acme/agents", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "bot", ownerId: "u1" }),
      credentials: "same-origin",
    });
  });

  it("rejects with the API's message, code and validation details", async () => {
    const details = [{ path: "name", message: "Too short" }];
    vi.stubGlobal("fetch", async () => Response.json({ error: { code: "validation_failed", message: "Request body is invalid.", details } }, { status: 400 }));
    const error = await consoleApi("PATCH", "/t/[tenant]/agents/[agentId]", { params: { tenant: "acme", agentId: "a1" }, body: { description: "" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "validation_failed", message: "Request body is invalid. name: Too short", details });
  });

  it("rejects with the status when the answer is not JSON (a proxy's error page)", async () => {
    vi.stubGlobal("fetch", async () => new Response("<html>Bad gateway</html>", { status: 502 }));
    await expect(consoleApi("GET", "/t/[tenant]/agents", { params: { tenant: "acme" } })).rejects.toMatchObject({ status: 502, code: "unknown", message: "Request failed (502)" });
  });
});

// Checked by `tsc` (the typecheck stage of npm test): each line below must stay a type error.
export function typeChecks(slug: string, agent: ConsoleAnswer<"GET", "/t/[tenant]/agents/[agentId]">) {
  // @ts-expect-error no such route
  void consoleApi("GET", "/t/[tenant]/nothing", { params: { tenant: slug } });
  // @ts-expect-error the agents list has no DELETE
  void consoleApi("DELETE", "/t/[tenant]/agents", { params: { tenant: slug } });
  // @ts-expect-error [agentId] left out
  void consoleApi("GET", "/t/[tenant]/agents/[agentId]", { params: { tenant: slug } });
  // @ts-expect-error the create schema requires ownerId
  void consoleApi("POST", "/t/[tenant]/agents", { params: { tenant: slug }, body: { name: "bot" } });
  // @ts-expect-error dates arrive as strings
  const created: Date = agent.createdAt;
  // @ts-expect-error the agent's answer has no secret field
  void agent.clientSecret;
  return created;
}
