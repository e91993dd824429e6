import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { findUnstorable } from "@/lib/json/storable";
import { argsValidator, checkArgsSchema } from "./args-schema";
import type { Catalogue, CatalogueOperation } from "./catalogue";
import { planImport } from "./import-operations";
import { detectFormat, parseCatalogue } from "./parse-catalogue";
import { operationHttpInput } from "./schemas";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8");
const GITHUB_MCP = fixture("github-mcp-tools-list.json");
const STRIPE_OPENAPI = fixture("stripe-openapi.json");

const byName = (catalogue: Catalogue) => new Map(catalogue.operations.map((op) => [op.name, op]));
const op = (catalogue: Catalogue, name: string): CatalogueOperation => {
  const found = byName(catalogue).get(name);
  if (!found) throw new Error(`no operation ${name} in ${[...byName(catalogue).keys()].join(", ")}`);
  return found;
};
const valid = (operation: CatalogueOperation, args: unknown) => argsValidator(operation.argsSchema)(args);

/** The validation error a call throws (and fails the test if it throws anything else). */
function rejection(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("validation_failed");
    return error as AppError;
  }
  throw new Error("expected a validation error");
}

describe("MCP tools/list", () => {
  const catalogue = parseCatalogue({ document: GITHUB_MCP });

  it("reads every tool of a JSON-RPC tools/list response, with no warnings", () => {
    expect(catalogue.format).toBe("mcp");
    expect(catalogue.operations.map((o) => o.name)).toEqual(["get_file_contents", "list_issues", "create_issue", "merge_pull_request", "delete_file"]);
    expect(catalogue.warnings).toEqual([]);
  });

  it("guesses the risk class from the annotations", () => {
    expect(op(catalogue, "get_file_contents")).toMatchObject({ riskClass: "read", reversible: true, basis: "readOnlyHint" });
    expect(op(catalogue, "list_issues")).toMatchObject({ riskClass: "read", reversible: true });
    expect(op(catalogue, "create_issue")).toMatchObject({ riskClass: "write", reversible: true });
    expect(op(catalogue, "merge_pull_request")).toMatchObject({ riskClass: "write", reversible: true, basis: "no annotations" });
    expect(op(catalogue, "delete_file")).toMatchObject({ riskClass: "delete", reversible: false, basis: "destructiveHint" });
  });

  it("keeps the inputSchema as the argument schema, and it checks arguments", () => {
    const getFile = op(catalogue, "get_file_contents");
    expect(getFile.description).toBe("Get the contents of a file or directory from a GitHub repository");
    expect(getFile.argsSchema).toMatchObject({ type: "object", required: ["owner", "repo"] });
    expect(valid(getFile, { owner: "acme", repo: "web", path: "README.md" })).toBe(true);
    expect(valid(getFile, { owner: "acme" })).toBe(false);
    // A draft-07 schema (as zod-to-json-schema writes them) keeps its dialect.
    const create = op(catalogue, "create_issue");
    expect(create.argsSchema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(valid(create, { owner: "acme", repo: "web", title: "Bug" })).toBe(true);
    expect(valid(create, { owner: "acme", repo: "web", title: "Bug", extra: 1 })).toBe(false);
    expect(valid(op(catalogue, "list_issues"), { owner: "acme", repo: "web", perPage: 500 })).toBe(false);
  });

  it("reads a bare tools/list result and a bare array of tools, and detects them", () => {
    const result = JSON.parse(GITHUB_MCP).result;
    expect(detectFormat(result)).toBe("mcp");
    expect(parseCatalogue({ document: result, format: "mcp" }).operations).toHaveLength(5);
    expect(parseCatalogue({ document: result.tools }).operations).toHaveLength(5);
    // Pasted with a byte-order mark.
    expect(parseCatalogue({ document: `\uFEFF${JSON.stringify(result)}` }).operations).toHaveLength(5);
  });

  it("keeps only what Postgres can store: NUL and lone surrogates replaced, a long description never cut through an emoji", () => {
    const document = {
      tools: [
        { name: "nul", description: "a\u0000b", inputSchema: { type: "object", properties: { x: { type: "string", description: "\ud800" } } } },
        { name: "emoji", description: "😀".repeat(1_100) },
      ],
    };
    const parsed = parseCatalogue({ document: JSON.stringify(document) });
    expect(parsed.operations).toHaveLength(2);
    expect(findUnstorable(parsed.operations)).toBeNull();
    expect(op(parsed, "nul").description).toBe("a\uFFFDb");
    expect(op(parsed, "emoji").description.endsWith("…")).toBe(true);
  });

  it("uses the title when there is no description", () => {
    const parsed = parseCatalogue({ document: { tools: [{ name: "ping", title: "Ping the server", inputSchema: { type: "object" } }] } });
    expect(parsed.operations[0]).toMatchObject({ name: "ping", description: "Ping the server" });
  });

  it("skips what it cannot use, with a warning for each, and keeps the rest", () => {
    const parsed = parseCatalogue({
      document: {
        tools: [
          { name: "ok", inputSchema: { type: "object" } },
          { description: "no name", inputSchema: { type: "object" } },
          "not a tool",
          { name: "bad_schema", inputSchema: "object" },
          { name: "does_not_compile", inputSchema: { type: "object", properties: { n: { type: "integr" } } } },
          { name: "bad_pattern", inputSchema: { type: "object", properties: { n: { type: "string", pattern: "([a-z]" } } } },
          { name: "ok", inputSchema: { type: "object" } },
          { name: "bad\u0007name", inputSchema: { type: "object" } },
          { name: "unsupported_dialect", inputSchema: { $schema: "http://json-schema.org/draft-04/schema#", type: "object" } },
          { name: "no_schema" },
        ],
        nextCursor: "page-2",
      },
    });
    expect(parsed.operations.map((o) => o.name)).toEqual(["ok", "no_schema"]);
    expect(op(parsed, "no_schema").argsSchema).toEqual({ type: "object" });
    const messages = parsed.warnings.map((w) => w.message);
    expect(messages).toEqual([
      expect.stringContaining("paginated"),
      "tools[1]: skipped, it has no name.",
      "tools[2]: skipped, not an object.",
      "bad_schema: skipped, its inputSchema is not a JSON object.",
      expect.stringMatching(/^does_not_compile: skipped, its argument schema does not compile: \/properties\/n\/type: /),
      expect.stringMatching(/^bad_pattern: skipped, its argument schema does not compile: .*regular expression/i),
      "tools[6]: skipped, a second operation named ok.",
      expect.stringMatching(/^tools\[7\]: skipped, the name .* is not usable/),
      expect.stringMatching(/^unsupported_dialect: skipped, .*Unsupported \$schema/),
      "no_schema: no inputSchema; registered as accepting any object.",
    ]);
    expect(parsed.warnings.filter((w) => w.skipped)).toHaveLength(8);
  });

  it("reads a draft-07 schema that does not say so (tuple items) as draft-07", () => {
    const parsed = parseCatalogue({ document: { tools: [{ name: "point", inputSchema: { type: "object", properties: { xy: { type: "array", items: [{ type: "number" }, { type: "number" }] } } } }] } });
    const point = op(parsed, "point");
    expect(point.argsSchema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(valid(point, { xy: [1, 2] })).toBe(true);
    expect(valid(point, { xy: ["a", 2] })).toBe(false);
  });

  it("explains a JSON-RPC error response instead of importing nothing", () => {
    const error = rejection(() => parseCatalogue({ document: { jsonrpc: "2.0", id: 1, error: { code: -32601, message: "Method not found" } } }));
    expect(error.message).toContain("Method not found");
  });
});

describe("OpenAPI 3.0", () => {
  const catalogue = parseCatalogue({ document: STRIPE_OPENAPI });

  it("turns each operation into one, named by operationId or METHOD /path", () => {
    expect(catalogue.format).toBe("openapi");
    expect(catalogue.title).toBe("Stripe API");
    expect(catalogue.operations.map((o) => o.name)).toEqual([
      "GetCharges",
      "GetChargesCharge",
      "PostRefunds",
      "DELETE /v1/customers/{customer}",
      "PostPayouts",
      "SearchCharges",
      "PostFiles",
    ]);
    expect(op(catalogue, "GetCharges").description).toBe("List all charges"); // the summary, not the HTML description
  });

  it("guesses the risk class from the method, unless the document says", () => {
    expect(op(catalogue, "GetCharges")).toMatchObject({ riskClass: "read", reversible: true, basis: "GET" });
    expect(op(catalogue, "PostRefunds")).toMatchObject({ riskClass: "write", reversible: true, basis: "POST" });
    expect(op(catalogue, "DELETE /v1/customers/{customer}")).toMatchObject({ riskClass: "delete", reversible: false, basis: "DELETE" });
    expect(op(catalogue, "PostPayouts")).toMatchObject({ riskClass: "money", reversible: false, basis: "x-gatehouse-risk" });
  });

  it("builds arguments from query and header parameters, resolving $ref parameters, leaving out cookies and Authorization", () => {
    const list = op(catalogue, "GetCharges");
    expect(list.argsSchema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      additionalProperties: false,
      properties: {
        limit: { type: "integer", minimum: 1, maximum: 100, description: expect.stringContaining("limit on the number") },
        customer: { type: "string", maxLength: 5000 },
        starting_after: { type: "string" },
        "Stripe-Account": { type: "string" },
      },
    });
    expect(Object.keys(list.argsSchema.properties as object)).toEqual(["limit", "customer", "starting_after", "Stripe-Account"]);
    expect(list.argsSchema.required).toBeUndefined();
    expect(valid(list, { limit: 10, customer: "cus_1" })).toBe(true);
    expect(valid(list, { limit: 1000 })).toBe(false);
    expect(valid(list, { unknown: 1 })).toBe(false);
    expect(catalogue.warnings).toContainEqual({ operation: "GetCharges", message: "GetCharges: cookie parameter __stripe_mid is not part of the arguments." });
  });

  it("makes path parameters (also path-level ones) required", () => {
    const retrieve = op(catalogue, "GetChargesCharge");
    expect(retrieve.argsSchema.required).toEqual(["charge"]);
    expect(valid(retrieve, { charge: "ch_1", expand: ["customer"] })).toBe(true);
    expect(valid(retrieve, { expand: ["customer"] })).toBe(false);
  });

  it("flattens a $ref'd JSON request body into the arguments and copies the schemas it reaches under $defs", () => {
    const refund = op(catalogue, "PostRefunds");
    expect(refund.argsSchema).toMatchObject({
      properties: { charge: { type: "string" }, amount_cents: { type: "integer", minimum: 1 }, metadata: { $ref: "#/$defs/Metadata" } },
      required: ["charge"],
      additionalProperties: false,
      $defs: { Metadata: { type: "object", additionalProperties: { type: "string", maxLength: 500 } } },
    });
    expect(Object.keys(refund.argsSchema.$defs as object)).toEqual(["Metadata"]); // only what it reaches
    expect(JSON.stringify(refund.argsSchema)).not.toContain("x-stripe"); // vendor extensions dropped
    expect(valid(refund, { charge: "ch_1", amount_cents: 500, reason: "duplicate", metadata: { ticket: "88421" } })).toBe(true);
    expect(valid(refund, { charge: "ch_1", reason: null })).toBe(true); // nullable: true
    expect(valid(refund, { amount_cents: 500 })).toBe(false);
    expect(valid(refund, { charge: "ch_1", reason: "because" })).toBe(false);
    expect(valid(refund, { charge: "ch_1", metadata: { ticket: 1 } })).toBe(false);
  });

  it("translates OpenAPI 3.0 schema keywords (exclusiveMinimum, nullable, example) and reads form bodies", () => {
    const payout = op(catalogue, "PostPayouts");
    expect(payout.argsSchema.properties).toMatchObject({
      amount: { type: "integer", exclusiveMinimum: 0 },
      currency: { type: "string", examples: ["usd"] },
      statement_descriptor: { type: ["string", "null"] },
    });
    expect(payout.argsSchema.required).toEqual(["amount", "currency"]);
    expect(valid(payout, { amount: 1, currency: "usd", statement_descriptor: null })).toBe(true);
    expect(valid(payout, { amount: 0, currency: "usd" })).toBe(false);
  });

  it("keeps recursive schemas finite through $defs, and inlines other local references", () => {
    const search = op(catalogue, "SearchCharges");
    expect(search.argsSchema.$defs).toEqual({
      SearchFilter: {
        type: "object",
        properties: { field: { type: "string" }, value: { type: "string" }, and: { type: "array", items: { $ref: "#/$defs/SearchFilter" } } },
      },
    });
    expect(search.argsSchema.properties).toMatchObject({ limit: { type: "integer", maximum: 100 } }); // #/components/parameters/Limit/schema
    expect(valid(search, { query: { field: "amount", and: [{ field: "currency", value: "usd", and: [] }] } })).toBe(true);
    expect(valid(search, { query: { and: [{ field: 5 }] } })).toBe(false);
  });

  it("warns about bodies without a schema, external references, and skips schemas that do not compile", () => {
    expect(op(catalogue, "PostFiles").argsSchema.properties).toEqual({});
    const messages = catalogue.warnings.map((w) => w.message);
    expect(messages).toContain("PostFiles: its request body (application/octet-stream) has no JSON or form schema; the arguments cover the parameters only.");
    expect(messages).toContainEqual(expect.stringContaining("external $ref https://schemas.example.com/events.json is not resolved"));
    expect(catalogue.warnings).toContainEqual({
      operation: "PostWebhookEndpoints",
      message: expect.stringMatching(/^PostWebhookEndpoints: skipped, its argument schema does not compile: .*regular expression/i),
      skipped: true,
    });
  });
});

describe("OpenAPI 3.1 and edge cases", () => {
  const doc31 = {
    openapi: "3.1.0",
    info: { title: "Tickets", version: "1" },
    paths: {
      "/tickets/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        patch: {
          requestBody: {
            required: true,
            content: { "application/merge-patch+json": { schema: { type: "object", properties: { id: { type: "string" }, status: { type: ["string", "null"] } } } } },
          },
        },
        put: {
          operationId: "tickets.replaceTags",
          requestBody: { required: true, content: { "application/json": { schema: { type: "array", items: { type: "string" } } } } },
        },
        head: { operationId: "tickets.exists" },
      },
      "/loop": { post: { operationId: "loop", requestBody: { content: { "application/json": { schema: { $ref: "#/paths/~1loop/post/requestBody/content/application~1json/schema" } } } } } },
      "/dangling": { get: { operationId: "dangling", parameters: [{ $ref: "#/components/parameters/Missing" }, { name: "q", in: "query", schema: { $ref: "#/components/schemas/Missing" } }] } },
    },
  };
  const catalogue = parseCatalogue({ document: doc31, format: "openapi" });

  it("nests the body under `body` when it is not a plain object or its names collide with parameters", () => {
    const patch = op(catalogue, "PATCH /tickets/{id}");
    expect(patch.argsSchema.properties).toMatchObject({ id: { type: "string" }, body: { type: "object" } });
    expect(patch.argsSchema.required).toEqual(["id", "body"]);
    expect(valid(patch, { id: "T-1", body: { status: null } })).toBe(true);
    const put = op(catalogue, "tickets.replaceTags");
    expect(put.argsSchema.properties).toMatchObject({ body: { type: "array", items: { type: "string" } } });
    expect(valid(put, { id: "T-1", body: ["urgent"] })).toBe(true);
    expect(valid(put, { id: "T-1", body: [1] })).toBe(false);
    expect(op(catalogue, "tickets.exists")).toMatchObject({ riskClass: "read" });
  });

  it("survives self-referencing and dangling references with warnings", () => {
    expect(op(catalogue, "loop").argsSchema).toBeDefined();
    expect(op(catalogue, "dangling").argsSchema.properties).toEqual({ q: {} });
    const messages = catalogue.warnings.map((w) => w.message).join("\n");
    expect(messages).toContain("refers to itself");
    expect(messages).toContain("#/components/parameters/Missing");
    expect(messages).toContain("#/components/schemas/Missing names no schema");
  });

  it("refuses malformed documents with a clear validation error", () => {
    expect(rejection(() => parseCatalogue({ document: "{not json" })).message).toMatch(/^The document is not valid JSON: /);
    expect(rejection(() => parseCatalogue({ document: "   " })).message).toContain("empty");
    expect(rejection(() => parseCatalogue({ document: { swagger: "2.0", paths: {} } })).message).toContain("Swagger 2.0");
    expect(rejection(() => parseCatalogue({ document: { openapi: "2.5", paths: {} } })).message).toContain('"openapi" must be a version');
    expect(rejection(() => parseCatalogue({ document: { openapi: "3.0.0", paths: [] } })).message).toBe('"paths" must be an object.');
    expect(rejection(() => parseCatalogue({ document: { hello: "world" } })).message).toMatch(/^Neither an MCP tool list/);
    expect(rejection(() => parseCatalogue({ document: [1, 2] , format: "openapi" })).message).toContain("This looks like an MCP tool list");
    expect(rejection(() => parseCatalogue({ document: STRIPE_OPENAPI, format: "mcp" })).message).toContain("choose OpenAPI");
    expect(rejection(() => parseCatalogue({ document: "[".repeat(5000) + "]".repeat(5000) })).message).toContain("nests deeper");
    const error = rejection(() => parseCatalogue({ document: "null" }));
    expect(error.details).toEqual([{ path: "document", message: error.message }]);
  });

  it("never fails with anything but a validation error, whatever the document (property)", () => {
    const shapes = fc.oneof(
      fc.jsonValue(),
      fc.record({ tools: fc.array(fc.record({ name: fc.string(), inputSchema: fc.jsonValue(), annotations: fc.jsonValue() }, { requiredKeys: [] })) }),
      fc.record({
        openapi: fc.constantFrom("3.0.3", "3.1.0"),
        paths: fc.dictionary(
          fc.string(),
          fc.dictionary(fc.constantFrom("get", "post", "delete", "parameters", "$ref"), fc.oneof(fc.jsonValue(), fc.record({ parameters: fc.jsonValue(), requestBody: fc.jsonValue(), operationId: fc.jsonValue() }, { requiredKeys: [] }))),
        ),
        components: fc.record({ schemas: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
      }),
    );
    fc.assert(
      fc.property(shapes, fc.boolean(), (document, asText) => {
        try {
          const parsed = parseCatalogue({ document: asText ? JSON.stringify(document) : document });
          for (const o of parsed.operations) expect(checkArgsSchema(o.argsSchema).ok).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe("validation_failed");
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("planImport", () => {
  const catalogue = parseCatalogue({ document: GITHUB_MCP });
  const stored = (name: string, overrides: Partial<{ description: string; argsSchema: unknown; riskClass: string; reversible: boolean }> = {}) => {
    const o = op(catalogue, name);
    return { id: `op_${name}`, name, description: o.description, argsSchema: o.argsSchema, riskClass: o.riskClass, reversible: o.reversible, ...overrides };
  };

  it("adds everything to an empty tool, with the guessed risk and the argument names", () => {
    const plan = planImport([], catalogue);
    expect(plan.add.map((p) => p.name)).toEqual(catalogue.operations.map((o) => o.name));
    expect(plan.add[0]).toMatchObject({ name: "get_file_contents", riskClass: "read", arguments: ["owner", "repo", "path", "ref"], required: ["owner", "repo"] });
    expect(plan).toMatchObject({ update: [], unchanged: [], kept: [] });
    expect(plan.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is idempotent: the same document again changes nothing", () => {
    const existing = catalogue.operations.map((o) => stored(o.name, { argsSchema: JSON.parse(JSON.stringify(o.argsSchema)) }));
    const plan = planImport(existing, catalogue);
    expect(plan.add).toEqual([]);
    expect(plan.update).toEqual([]);
    expect(plan.unchanged).toHaveLength(5);
  });

  it("updates descriptions and schemas but keeps the stored risk class, and never drops operations the document lacks", () => {
    const existing = [
      stored("get_file_contents"),
      stored("create_issue", { description: "old text", riskClass: "money", reversible: false }),
      stored("merge_pull_request", { argsSchema: { type: "object" } }),
      { id: "op_legacy", name: "legacy_tool", description: "", argsSchema: {}, riskClass: "write", reversible: true },
    ];
    const plan = planImport(existing, catalogue);
    expect(plan.add.map((p) => p.name)).toEqual(["list_issues", "delete_file"]);
    expect(plan.update).toEqual([
      expect.objectContaining({ name: "create_issue", changes: ["description"], riskClass: "money", reversible: false, basis: "kept" }),
      expect.objectContaining({ name: "merge_pull_request", changes: ["argsSchema"], riskClass: "write" }),
    ]);
    expect(plan.unchanged).toEqual(["get_file_contents"]);
    expect(plan.kept).toEqual(["legacy_tool"]);
  });

  it("fingerprints what would be written: same state, same fingerprint; changed state, another", () => {
    const a = planImport([stored("get_file_contents")], catalogue);
    expect(planImport([stored("get_file_contents")], catalogue).fingerprint).toBe(a.fingerprint);
    expect(planImport([stored("get_file_contents", { description: "edited" })], catalogue).fingerprint).not.toBe(a.fingerprint);
    expect(planImport([], catalogue, true).fingerprint).not.toBe(planImport([], catalogue, false).fingerprint);
  });
});

describe("gateway methods", () => {
  it("imports every method as the gateway can send it back, except TRACE, which it never sends", () => {
    const catalogue = parseCatalogue({
      document: { openapi: "3.1.0", info: { title: "x", version: "1" }, paths: { "/a": { head: { operationId: "exists" }, options: { operationId: "allowed" }, trace: { operationId: "echo" } } } },
      format: "openapi",
    });
    const http = Object.fromEntries(catalogue.operations.map((o) => [o.name, o.http]));
    expect(http).toEqual({ exists: { method: "HEAD", path: "/a" }, allowed: { method: "OPTIONS", path: "/a" }, echo: undefined });
    for (const o of catalogue.operations) if (o.http) expect(operationHttpInput.safeParse(o.http).success).toBe(true);
  });
});
