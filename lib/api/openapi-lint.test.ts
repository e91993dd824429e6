/**
 * The OpenAPI document passes Redocly's recommended rules (what `@redocly/cli lint` runs)
 * with no errors and no warnings: every path parameter declared, servers, security on every
 * operation (empty where none is needed), operation ids, a 4xx answer everywhere.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./contract";

describe("the OpenAPI document", () => {
  it("passes Redocly's recommended lint with no problems", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({ source: JSON.stringify(openApiDocument()), absoluteRef: "/api/v1/openapi.json", config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ""}`)).toEqual([]);
  });

  it("declares every path parameter and gives each operation a unique id", () => {
    const doc = openApiDocument();
    const ids: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const op of Object.values(methods) as { operationId: string; parameters?: { name: string; in: string }[] }[]) {
        ids.push(op.operationId);
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared).toEqual([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
