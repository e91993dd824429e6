import { describe, expect, it } from "vitest";
import { buildSnippets, PLACEHOLDER_BASE_URL, sampleArgs } from "./build-snippets";

const refund = {
  tool: "stripe",
  operation: "refunds.create",
  executes: true,
  inputSchema: { type: "object", properties: { charge_id: { type: "string" }, amount_cents: { type: "integer", minimum: 1 }, note: { type: "string" } }, required: ["charge_id", "amount_cents"] },
};

describe("buildSnippets", () => {
  const snippets = buildSnippets({ baseUrl: "https://gh.acme.test", agent: { id: "agt_123", name: "refund-bot" }, example: refund });
  const byId = Object.fromEntries(snippets.map((s) => [s.id, s]));

  it("fills every snippet with the base URL and the client id, and none with a secret", () => {
    expect(Object.keys(byId)).toEqual(["curl", "claude-code", "claude-desktop", "cursor", "openai-agents", "langchain"]);
    for (const s of snippets) {
      expect(s.code, s.id).toContain("https://gh.acme.test");
      expect(s.code, s.id).not.toMatch(/ghs\./);
    }
    for (const id of ["curl", "claude-code", "openai-agents", "langchain"]) expect(byId[id]!.code, id).toContain("agt_123");
    for (const id of ["claude-code", "claude-desktop", "cursor", "openai-agents", "langchain"]) expect(byId[id]!.code, id).toContain("/api/v1/mcp");
  });

  it("curl gets a token, then calls the gateway with arguments the schema requires", () => {
    const curl = byId.curl!.code;
    expect(curl).toContain("curl -s https://gh.acme.test/api/v1/oauth/token");
    expect(curl).toContain("client_id=agt_123");
    expect(curl).toContain('--data-urlencode client_secret="$GATEHOUSE_CLIENT_SECRET"');
    expect(curl).toContain("curl -s https://gh.acme.test/api/v1/gateway/stripe/refunds.create");
    expect(curl).toContain(`-d '{"run_id":"first-run","args":{"charge_id":"<charge_id>","amount_cents":1}}'`);
  });

  it("asks the decisions API when the gateway cannot execute the operation", () => {
    const [curl] = buildSnippets({ baseUrl: "https://gh.acme.test", agent: null, example: { ...refund, executes: false } });
    expect(curl!.code).toContain("https://gh.acme.test/api/v1/decisions");
    expect(curl!.code).toContain(`"tool":"stripe","operation":"refunds.create"`);
    expect(curl!.code).toContain("client_id=<client id>");
  });

  it("binds MCP tokens to the MCP endpoint and keeps the JSON configurations valid", () => {
    expect(byId["claude-code"]!.code).toContain("--data-urlencode resource=https://gh.acme.test/api/v1/mcp");
    expect(byId["openai-agents"]!.code).toContain("resource: `${base}/api/v1/mcp`");
    expect(JSON.parse(byId.cursor!.code)).toEqual({ mcpServers: { gatehouse: { url: "https://gh.acme.test/api/v1/mcp", headers: { Authorization: "Bearer ${env:GATEHOUSE_TOKEN}" } } } });
    expect(JSON.parse(byId["claude-desktop"]!.code).mcpServers.gatehouse.args).toContain("https://gh.acme.test/api/v1/mcp");
  });

  it("names a placeholder origin when no public URL is configured, never a guessed host", () => {
    for (const s of buildSnippets({ baseUrl: null, agent: null, example: null })) expect(s.code).toContain(PLACEHOLDER_BASE_URL);
  });

  it("quotes arguments for the shell", () => {
    const [curl] = buildSnippets({ baseUrl: "https://x.test", agent: null, example: { ...refund, inputSchema: { required: ["q"], properties: { q: { type: "string", default: "it's" } } } } });
    expect(curl!.code).toContain(`-d '{"run_id":"first-run","args":{"q":"it'\\''s"}}'`);
  });
});

describe("sampleArgs", () => {
  it("fills required properties only, from defaults, examples, enums and types", () => {
    expect(
      sampleArgs({
        required: ["a", "b", "c", "d", "e", "f", "g"],
        properties: { a: { type: "string", enum: ["x", "y"] }, b: { type: "number" }, c: { type: "boolean" }, d: { type: "array" }, e: { default: 7 }, f: { examples: ["ex"] }, g: { type: ["integer", "null"], minimum: 5 }, h: { type: "string" } },
      }),
    ).toEqual({ a: "x", b: 1, c: false, d: [], e: 7, f: "ex", g: 5 });
    expect(sampleArgs(null)).toEqual({});
  });
});
