/**
 * Copy-paste snippets that connect an agent to Gatehouse, filled in with the deployment's
 * public base URL and the agent's client id. Never a secret: the client secret was shown
 * once, so every snippet reads it from the environment (GATEHOUSE_CLIENT_SECRET).
 */
import type { OperationListing } from "@/lib/mcp/list-mcp-tools";
import { MCP_PATH } from "@/lib/mcp/resource";

export type SnippetId = "curl" | "claude-code" | "claude-desktop" | "cursor" | "openai-agents" | "langchain";
export type Snippet = { id: SnippetId; label: string; language: "sh" | "json" | "ts"; code: string; note: string };

export type SnippetInput = {
  /** The configured public origin (PUBLIC_URL / NEXTAUTH_URL); null when none is set. */
  baseUrl: string | null;
  agent: { id: string; name: string } | null;
  /** The operation the curl call uses; `executes` picks the gateway over the decisions API. */
  example: { tool: string; operation: string; executes: boolean; inputSchema: Record<string, unknown> | null } | null;
};

export type SnippetExample = NonNullable<SnippetInput["example"]> & { mcpName: string };

/** The operation a first call should use: one in the agent's tools/list the gateway executes, if there is one. */
export function pickExample(listing: OperationListing[]): SnippetExample | null {
  const listed = listing.filter((l) => l.listed);
  const pick = listed.find((l) => !l.upstreamProblem && l.notes.length === 0) ?? listed.find((l) => !l.upstreamProblem) ?? listed[0] ?? listing[0];
  if (!pick) return null;
  return { tool: pick.toolName, operation: pick.operation, mcpName: pick.mcpName, executes: pick.listed && !pick.upstreamProblem, inputSchema: pick.entry?.tool.inputSchema ?? null };
}

export const PLACEHOLDER_BASE_URL = "https://gatehouse.example.com";
const PLACEHOLDER_CLIENT_ID = "<client id>";
const SECRET_LINES = "# The client secret was shown once, when you created the credential.\nexport GATEHOUSE_CLIENT_SECRET='<client secret>'";

/** Arguments that satisfy the schema's required properties, with obvious placeholder values. */
export function sampleArgs(schema: Record<string, unknown> | null): Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]).filter((k): k is string => typeof k === "string") : [];
  const args: Record<string, unknown> = {};
  for (const name of required) args[name] = sampleValue(name, properties[name]);
  return args;
}

function sampleValue(name: string, spec: Record<string, unknown> | undefined): unknown {
  if (!spec || typeof spec !== "object") return `<${name}>`;
  if (spec.default !== undefined) return spec.default;
  if (Array.isArray(spec.examples) && spec.examples.length) return spec.examples[0];
  if (Array.isArray(spec.enum) && spec.enum.length) return spec.enum[0];
  const type = Array.isArray(spec.type) ? spec.type[0] : spec.type;
  switch (type) {
    case "integer":
    case "number":
      return typeof spec.minimum === "number" ? spec.minimum : 1;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return `<${name}>`;
  }
}

/** Single-quoted for a POSIX shell. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function buildSnippets({ baseUrl, agent, example }: SnippetInput): Snippet[] {
  const base = baseUrl ?? PLACEHOLDER_BASE_URL;
  const clientId = agent?.id ?? PLACEHOLDER_CLIENT_ID;
  const mcpUrl = `${base}${MCP_PATH}`;
  const tokenUrl = `${base}/api/v1/oauth/token`;
  const agentName = agent?.name ?? "my-agent";
  const tool = example?.tool ?? "<tool>";
  const operation = example?.operation ?? "<operation>";
  const args = example ? sampleArgs(example.inputSchema) : {};

  // A token for MCP clients is bound to the MCP endpoint (RFC 8707 resource).
  const tokenCurl = (forMcp: boolean) =>
    [
      `curl -s ${tokenUrl} \\`,
      `  -d grant_type=client_credentials \\`,
      `  -d client_id=${clientId} \\`,
      `  --data-urlencode client_secret="$GATEHOUSE_CLIENT_SECRET"${forMcp ? " \\" : ""}`,
      ...(forMcp ? [`  --data-urlencode resource=${mcpUrl}`] : []),
    ].join("\n");
  const tokenTs = [
    `const base = ${JSON.stringify(base)};`,
    `const res = await fetch(\`\${base}/api/v1/oauth/token\`, {`,
    `  method: "POST",`,
    `  body: new URLSearchParams({`,
    `    grant_type: "client_credentials",`,
    `    client_id: ${JSON.stringify(clientId)},`,
    `    client_secret: process.env.GATEHOUSE_CLIENT_SECRET!,`,
    `    resource: \`\${base}${MCP_PATH}\`,`,
    `  }),`,
    `});`,
    `const { access_token } = await res.json();`,
  ].join("\n");
  const call = example?.executes
    ? { path: `/api/v1/gateway/${encodeURIComponent(tool)}/${encodeURIComponent(operation)}`, body: { run_id: "first-run", args } }
    : { path: "/api/v1/decisions", body: { run_id: "first-run", tool, operation, args } };

  return [
    {
      id: "curl",
      label: "curl",
      language: "sh",
      code: [
        SECRET_LINES,
        `TOKEN=$(${tokenCurl(false).replace(/\n/g, "\n  ")} | jq -r .access_token)`,
        "",
        example?.executes
          ? "# Gatehouse decides, then calls the tool with the vaulted credential."
          : "# Ask before the call (give the tool an upstream to let Gatehouse make the call itself).",
        `curl -s ${base}${call.path} \\`,
        `  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
        `  -d ${shellQuote(JSON.stringify(call.body))}`,
      ].join("\n"),
      note: example?.executes
        ? "A token, then a call through the gateway; the answer carries the decision and the tool's result."
        : "A token, then a decision; the answer says allow, deny (with reasons) or pending_approval.",
    },
    {
      id: "claude-code",
      label: "Claude Code",
      language: "sh",
      code: [
        SECRET_LINES,
        `export GATEHOUSE_TOKEN=$(${tokenCurl(true).replace(/\n/g, "\n  ")} | jq -r .access_token)`,
        "",
        `claude mcp add --transport http gatehouse ${mcpUrl} \\`,
        `  --header "Authorization: Bearer $GATEHOUSE_TOKEN"`,
      ].join("\n"),
      note: "Claude Code keeps the header it was given: refresh it when the token expires, or raise the agent's token lifetime.",
    },
    {
      id: "claude-desktop",
      label: "Claude Desktop",
      language: "json",
      code: JSON.stringify(
        {
          mcpServers: {
            gatehouse: { command: "npx", args: ["-y", "mcp-remote", mcpUrl, "--header", "Authorization:${GATEHOUSE_AUTH}"], env: { GATEHOUSE_AUTH: "Bearer <access token>" } },
          },
        },
        null,
        2,
      ),
      note: "claude_desktop_config.json. Claude Desktop launches local servers, so the mcp-remote bridge carries the header; get the access token with the curl above (with resource).",
    },
    {
      id: "cursor",
      label: "Cursor",
      language: "json",
      code: JSON.stringify({ mcpServers: { gatehouse: { url: mcpUrl, headers: { Authorization: "Bearer ${env:GATEHOUSE_TOKEN}" } } } }, null, 2),
      note: "~/.cursor/mcp.json or .cursor/mcp.json; Cursor reads GATEHOUSE_TOKEN from its environment.",
    },
    {
      id: "openai-agents",
      label: "OpenAI Agents SDK",
      language: "ts",
      code: [
        `import { Agent, MCPServerStreamableHttp, run } from "@openai/agents";`,
        "",
        tokenTs,
        "",
        `const gatehouse = new MCPServerStreamableHttp({ url: \`\${base}${MCP_PATH}\`, requestInit: { headers: { authorization: \`Bearer \${access_token}\` } } });`,
        "await gatehouse.connect();",
        `const agent = new Agent({ name: ${JSON.stringify(agentName)}, instructions: "…", mcpServers: [gatehouse] });`,
        `console.log((await run(agent, "…")).finalOutput);`,
        "await gatehouse.close();",
      ].join("\n"),
      note: "Every tool call the model makes is decided by Gatehouse; a deny comes back to the model with its reasons.",
    },
    {
      id: "langchain",
      label: "LangChain",
      language: "ts",
      code: [
        `import { MultiServerMCPClient } from "@langchain/mcp-adapters";`,
        "",
        tokenTs,
        "",
        "const mcp = new MultiServerMCPClient({",
        `  mcpServers: { gatehouse: { transport: "http", url: \`\${base}${MCP_PATH}\`, headers: { authorization: \`Bearer \${access_token}\` } } },`,
        "});",
        "const tools = await mcp.getTools(); // pass to createReactAgent({ llm, tools })",
      ].join("\n"),
      note: "@langchain/mcp-adapters turns the agent's tools/list into LangChain tools.",
    },
  ];
}
