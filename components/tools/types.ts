// The console's tool registry shapes, as the routes answer them (components/api.ts derives
// them from the route modules, so they cannot drift from lib/tools/*).
import type { ConsoleAnswer } from "@/components/api";

// Risk classes and their labels come from the zod-only schemas module, which client code may import.
export { RISK_CLASSES, RISK_LABEL, type RiskClass } from "@/lib/tools/schemas";

/** One tool of GET /api/console/t/[tenant]/tools (lib/tools/list-tools.ts). */
export type Tool = ConsoleAnswer<"GET", "/t/[tenant]/tools">["tools"][number];

/** One operation of a tool (lib/tools/tool-audit.ts describeOperation). */
export type Operation = Tool["operations"][number];

/** The answer of POST /api/console/t/[tenant]/tools/import (preview or applied; lib/tools/import-operations.ts). */
export type ImportResult = ConsoleAnswer<"POST", "/t/[tenant]/tools/import">;

/** One operation of an import preview: what it is, and the top-level arguments its schema names. */
export type PlannedOperation = ImportResult["plan"]["add"][number];

/** The top-level argument names of a schema, required ones first. */
export function argumentNames(schema: unknown): { name: string; required: boolean }[] {
  const s = (schema ?? {}) as { properties?: unknown; required?: unknown };
  const properties = s.properties && typeof s.properties === "object" && !Array.isArray(s.properties) ? Object.keys(s.properties) : [];
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []);
  return properties.map((name) => ({ name, required: required.has(name) })).sort((a, b) => Number(b.required) - Number(a.required));
}
