import { CatalogueBuilder, invalidDocument, isObject, type Catalogue, type CatalogueOperation } from "./catalogue";

/** The tool list of an MCP document: a `tools/list` result, the JSON-RPC response around it, or a bare array of tools; null if none. */
export function mcpToolList(document: unknown): unknown[] | null {
  if (Array.isArray(document)) return document;
  if (!isObject(document)) return null;
  if (Array.isArray(document.tools)) return document.tools;
  if (isObject(document.result) && Array.isArray(document.result.tools)) return document.result.tools;
  return null;
}

function guessRisk(annotations: unknown): Pick<CatalogueOperation, "riskClass" | "reversible" | "basis"> {
  const hints = isObject(annotations) ? annotations : {};
  if (hints.readOnlyHint === true) return { riskClass: "read", reversible: true, basis: "readOnlyHint" };
  if (hints.destructiveHint === true) return { riskClass: "delete", reversible: false, basis: "destructiveHint" };
  return { riskClass: "write", reversible: true, basis: isObject(annotations) ? "not read-only, not destructive" : "no annotations" };
}

/**
 * An MCP `tools/list` result → operations: each tool's name, description and
 * `inputSchema`; the risk class guessed from its annotations (readOnlyHint → read,
 * destructiveHint → delete and irreversible, otherwise write).
 */
export function parseMcp(document: unknown): Catalogue {
  if (isObject(document) && isObject(document.error) && document.jsonrpc !== undefined) {
    const message = typeof document.error.message === "string" ? document.error.message : "unknown error";
    throw invalidDocument(`This is a JSON-RPC error response, not a tool list: ${message}`);
  }
  const tools = mcpToolList(document);
  if (!tools) throw invalidDocument('Not an MCP tool list: expected {"tools": [...]} or a JSON-RPC response with result.tools.');
  const out = new CatalogueBuilder();
  const result = isObject(document) && isObject(document.result) ? document.result : document;
  if (isObject(result) && typeof result.nextCursor === "string" && result.nextCursor) {
    out.warn("The list is paginated (nextCursor is set): this is one page; import the following pages too.");
  }
  tools.forEach((tool, index) => {
    const where = `tools[${index}]`;
    if (!isObject(tool)) return out.skip(`${where}: skipped, not an object.`);
    if (typeof tool.name !== "string" || !tool.name.trim()) return out.skip(`${where}: skipped, it has no name.`);
    const name = tool.name.trim();
    let argsSchema: Record<string, unknown>;
    if (isObject(tool.inputSchema)) argsSchema = tool.inputSchema;
    else if (tool.inputSchema === undefined) {
      out.warn(`${name}: no inputSchema; registered as accepting any object.`, name);
      argsSchema = { type: "object" };
    } else return out.skip(`${name}: skipped, its inputSchema is not a JSON object.`, name);
    const annotations = isObject(tool.annotations) ? tool.annotations : undefined;
    const title = typeof tool.title === "string" ? tool.title : typeof annotations?.title === "string" ? annotations.title : "";
    const description = typeof tool.description === "string" && tool.description.trim() ? tool.description : title;
    out.add({ name, description, argsSchema, ...guessRisk(annotations) }, where);
  });
  return { format: "mcp", operations: out.operations, warnings: out.warnings };
}
