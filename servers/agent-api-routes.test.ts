/**
 * The machine API is declared once (OPERATIONS, lib/api/contract.ts) and the lean server
 * takes each operation's handler from the route module Next.js serves it from. This checks
 * the other direction: no route module serves what no operation declares.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OPERATIONS, pathPattern } from "@/lib/api/contract";
import nextConfig from "@/next.config.mjs";
import { AGENT_API_ROUTES, HANDLERS, operationKey, routeModuleFor } from "./agent-api-routes";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every route.ts under `dir`, as [module file, URL path with `{param}` segments]. */
function routeModules(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => path.basename(file) === "route.ts" && !file.includes("[..."))
    .map((file) => [path.join(dir, file), `/${path.dirname(path.join(dir, file))}`.replace(/^\/app/, "").replace(/\[(\w+)\]/g, "{$1}")]);
}

/** What Next.js serves: each module's exported methods at its path, and at every rewrite source pointing there. */
async function nextOperations(): Promise<Map<string, unknown>> {
  const rewrites = (await nextConfig.rewrites!()) as { source: string; destination: string }[];
  const served = new Map<string, unknown>();
  for (const [file, urlPath] of [...routeModules("app/api/v1"), ...routeModules("app/api/health"), ...routeModules("app/api/well-known")]) {
    const mod = (await import(/* @vite-ignore */ path.resolve(file))) as Record<string, unknown>;
    const paths = urlPath.startsWith("/api/well-known/") ? rewrites.filter((r) => r.destination === urlPath).map((r) => r.source) : [urlPath];
    expect(paths.length, `${file} is reachable`).toBeGreaterThan(0);
    for (const p of paths) for (const method of METHODS) if (typeof mod[method] === "function") served.set(`${method} ${p}`, mod[method]);
  }
  return served;
}

describe("the machine API's one list of operations", () => {
  it("is what the Next.js route modules serve, with the same handler as the lean server", async () => {
    const served = await nextOperations();
    expect([...served.keys()].sort()).toEqual(OPERATIONS.map(operationKey).sort());
    for (const [key, handler] of served) expect(HANDLERS.get(key), key).toBe(handler);
  }, 60_000);

  it("finds an operation's route module from its path, through a rewrite for /.well-known", () => {
    expect(path.relative(process.cwd(), routeModuleFor("/api/v1/runs/{run_id}/events"))).toBe(path.join("app/api/v1/runs/[run_id]/events/route.ts"));
    expect(path.relative(process.cwd(), routeModuleFor("/.well-known/oauth-protected-resource/api/v1/mcp"))).toBe(path.join("app/api/well-known/oauth-protected-resource/route.ts"));
  });

  it("gives the lean server one route per operation, matching its paths and naming its params", () => {
    expect(AGENT_API_ROUTES).toHaveLength(OPERATIONS.length);
    expect(pathPattern("/api/v1/runs/{run_id}/events").exec("/api/v1/runs/r-1/events")?.groups).toEqual({ run_id: "r-1" });
    expect(pathPattern("/api/v1/openapi.json").test("/api/v1/openapiXjson")).toBe(false);
    expect(pathPattern("/.well-known/oauth-authorization-server").test("/.well-known/oauth-authorization-server")).toBe(true);
  });
});
