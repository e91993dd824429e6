/**
 * Every console page and console API route of a tenant, read from the app directory, so the
 * cross-tenant and role tests cover an endpoint the day it is added. Dynamic segments
 * become "anything": a foreign tenant or a missing permission is refused before any id is looked up.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PERMISSIONS, type Permission } from "../../lib/auth/roles";

export type ConsoleRoute = { method: string; path: string; permission: Permission };

const API_ROOT = "app/api/console/t/[tenant]";
const PAGE_ROOT = "app/t/[tenant]";

function files(root: string, name: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => path.basename(file) === name)
    .map((file) => path.dirname(file));
}

/** `runs/[runId]/events` → `/runs/anything/events`; the root is "". */
const urlPath = (dir: string) => (dir === "." ? "" : `/${dir.split(path.sep).join("/")}`.replace(/\[[^\]]+\]/g, "anything"));

/** Each method a route module exports through memberRoute, with the permission it demands. */
export function consoleRoutes(): ConsoleRoute[] {
  return files(API_ROOT, "route.ts").flatMap((dir) => {
    const source = readFileSync(path.join(API_ROOT, dir, "route.ts"), "utf8");
    const exports = source.split(/(?=^export )/m).filter((part) => part.startsWith("export "));
    return exports.map((part) => {
      const found = /^export const (GET|POST|PUT|PATCH|DELETE) = memberRoute\(\s*\{[^]*?permission: "([\w.]+)"/.exec(part);
      if (!found || !(found[2]! in PERMISSIONS)) throw new Error(`${API_ROOT}/${dir}/route.ts: every export must be memberRoute({ permission: "…" }), got: ${part.slice(0, 120)}`);
      return { method: found[1]!, path: urlPath(dir), permission: found[2] as Permission };
    });
  });
}

/** Every console page under /t/[tenant]. */
export function consolePages(): string[] {
  return files(PAGE_ROOT, "page.tsx").map(urlPath);
}
