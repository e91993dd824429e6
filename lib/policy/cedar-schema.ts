import type { SchemaJson } from "@cedar-policy/cedar-wasm/nodejs";
import { NS, actionId } from "./compile-rules";

export type RegistryOperation = { tool: string; name: string; argsSchema: unknown };

type CedarType = { type: "Long" | "String" | "Boolean" } | { type: "Set"; element: { type: "Long" | "String" | "Boolean" } };

/** The Cedar type of a JSON Schema property, or null when Cedar cannot represent it (floats, objects). */
function cedarType(prop: unknown): CedarType | null {
  const p = (prop ?? {}) as { type?: unknown; items?: unknown };
  const t = Array.isArray(p.type) ? p.type.find((x) => x !== "null") : p.type;
  if (t === "integer") return { type: "Long" };
  if (t === "string") return { type: "String" };
  if (t === "boolean") return { type: "Boolean" };
  if (t === "array") {
    const element = cedarType(p.items);
    return element && element.type !== "Set" ? { type: "Set", element } : null;
  }
  return null;
}

export function argAttributes(argsSchema: unknown) {
  const properties = ((argsSchema ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
  const attributes: Record<string, CedarType & { required: false }> = {};
  for (const [name, prop] of Object.entries(properties)) {
    const type = cedarType(prop);
    if (type) attributes[name] = { ...type, required: false };
  }
  return attributes;
}

/**
 * The Cedar schema of a tenant's tool registry: Agent (member of Group), Resource, one
 * action per operation (member of an action group per tool), and a typed context. Raw
 * Cedar in the advanced editor is validated against it, so a typo in an argument name or
 * a comparison of a string with a number is caught before publishing.
 */
export function cedarSchema(operations: RegistryOperation[]): SchemaJson<string> {
  const actions: Record<string, object> = {};
  for (const tool of new Set(operations.map((o) => o.tool))) actions[tool] = {};
  for (const op of operations) {
    const args = argAttributes(op.argsSchema);
    const hosts = Object.fromEntries(Object.entries(args).filter(([, t]) => t.type === "String").map(([n]) => [n, { type: "String", required: false }]));
    actions[actionId(op.tool, op.name)] = {
      memberOf: [{ id: op.tool }],
      appliesTo: {
        principalTypes: ["Agent"],
        resourceTypes: ["Resource"],
        context: {
          type: "Record",
          attributes: {
            args: { type: "Record", attributes: args },
            hosts: { type: "Record", attributes: hosts },
            resource_type: { type: "String" },
            resource_id: { type: "String" },
            weekday: { type: "Long" },
            minute_of_day: { type: "Long" },
          },
        },
      },
    };
  }
  return { [NS]: { entityTypes: { Agent: { memberOfTypes: ["Group"] }, Group: {}, Resource: {} }, actions } } as SchemaJson<string>;
}

type CedarValue = string | number | boolean | (string | number | boolean)[];

/** The request context for an action: only values Cedar can represent (integers, strings, booleans, sets of them). */
export function requestContext(input: { args: Record<string, unknown>; resource?: { type?: string; id?: string } | null; now: Date }) {
  const args: Record<string, CedarValue> = {};
  const hosts: Record<string, string> = {};
  const representable = (v: unknown): v is string | number | boolean =>
    typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v));
  for (const [name, value] of Object.entries(input.args)) {
    if (representable(value)) args[name] = value;
    else if (Array.isArray(value) && value.every(representable)) args[name] = value;
    if (typeof value === "string" && /^https?:\/\//i.test(value)) {
      try {
        hosts[name] = new URL(value).hostname.toLowerCase();
      } catch {
        // not a URL after all
      }
    }
  }
  return {
    args,
    hosts,
    resource_type: input.resource?.type ?? "",
    resource_id: input.resource?.id ?? "",
    weekday: input.now.getUTCDay(),
    minute_of_day: input.now.getUTCHours() * 60 + input.now.getUTCMinutes(),
  };
}
