// The shapes of the console's tool registry routes, declared here because client code
// never imports lib/ services (see eslint.config.mjs). Keep in step with lib/tools/*.

// Risk classes, their labels and import previews come from the zod-only schemas module,
// which client code may import; the rest are route answers, declared here.
export { RISK_CLASSES, RISK_LABEL, type PlannedOperation, type RiskClass } from "@/lib/tools/schemas";
import type { PlannedOperation, RiskClass } from "@/lib/tools/schemas";

/** One operation of GET /api/console/t/[tenant]/tools (lib/tools/tool-audit.ts describeOperation). */
export type Operation = {
  id: string;
  name: string;
  description: string;
  argsSchema: Record<string, unknown>;
  riskClass: RiskClass;
  reversible: boolean;
  /** How the gateway calls it; null until mapped. */
  http: { method: string; path: string } | null;
  /** Which response fields name the side effect it creates. */
  sideEffectFields: { object_type: string; id?: string; url?: string } | null;
  /** Where a gateway call's cost is read (settled against spend limits). */
  spendField: { source: "args" | "response"; field: string; unit: "usd" | "cents" } | null;
};

/** Where the gateway sends a tool's calls (lib/gateway/coverage.ts describeUpstream). */
export type Upstream = { kind: "http" | "mcp"; baseUrl: string; connectionId: string | null; timeoutMs: number; maxResponseBytes: number };

/** One tool of GET /api/console/t/[tenant]/tools (lib/tools/list-tools.ts). */
export type Tool = {
  id: string;
  name: string;
  displayName: string;
  description: string;
  createdAt: string;
  operations: Operation[];
  upstream: Upstream | null;
  /** "enforced" when calls go through the gateway with a vaulted, active credential. */
  coverage: "enforced" | "advisory";
};

/** The answer of POST /api/console/t/[tenant]/tools/import (preview or applied). */
export type ImportResult = {
  applied: boolean;
  tool: { id: string | null; name: string; displayName: string; exists: boolean };
  plan: {
    format: "mcp" | "openapi";
    title?: string;
    add: PlannedOperation[];
    update: (PlannedOperation & { changes: ("description" | "argsSchema")[] })[];
    unchanged: string[];
    kept: string[];
    warnings: { operation?: string; message: string; skipped?: true }[];
    fingerprint: string;
  };
};

/** The top-level argument names of a schema, required ones first. */
export function argumentNames(schema: unknown): { name: string; required: boolean }[] {
  const s = (schema ?? {}) as { properties?: unknown; required?: unknown };
  const properties = s.properties && typeof s.properties === "object" && !Array.isArray(s.properties) ? Object.keys(s.properties) : [];
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []);
  return properties.map((name) => ({ name, required: required.has(name) })).sort((a, b) => Number(b.required) - Number(a.required));
}
