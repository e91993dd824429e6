import { makeStorable } from "@/lib/json/storable";
import { jsonDepth } from "./args-schema";
import { invalidDocument, isObject, type Catalogue } from "./catalogue";
import { mcpToolList, parseMcp } from "./parse-mcp";
import { parseOpenApi } from "./parse-openapi";
import { TOOL_LIMITS } from "./schemas";

export type CatalogueFormat = "auto" | "mcp" | "openapi";

/** Which format a parsed document is in, or null. */
export function detectFormat(document: unknown): "mcp" | "openapi" | null {
  if (isObject(document) && (typeof document.openapi === "string" || typeof document.swagger === "string")) return "openapi";
  if (mcpToolList(document) !== null) return "mcp";
  if (isObject(document) && document.jsonrpc !== undefined && isObject(document.error)) return "mcp"; // parseMcp explains the error
  return null;
}

/**
 * A tool catalogue (the pasted text or the parsed JSON) → operations and warnings.
 * Never throws anything but a validation error (AppError "validation_failed") for a
 * malformed document: not JSON, too deep, neither MCP nor OpenAPI, or not the format chosen.
 */
export function parseCatalogue(input: { document: unknown; format?: CatalogueFormat }): Catalogue {
  let document = input.document;
  if (typeof document === "string") {
    const text = document.replace(/^\uFEFF/, "");
    if (!text.trim()) throw invalidDocument("The document is empty: paste a JSON document.");
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw invalidDocument(`The document is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (jsonDepth(document, TOOL_LIMITS.depth) > TOOL_LIMITS.depth) throw invalidDocument(`The document nests deeper than ${TOOL_LIMITS.depth} levels.`);
  // Someone else's document: NUL and lone surrogates (which Postgres refuses) become U+FFFD, in place, before any of it is kept.
  document = makeStorable(document);
  const detected = detectFormat(document);
  const format = input.format ?? "auto";
  if (format === "auto" && detected === null) {
    throw invalidDocument('Neither an MCP tool list ({"tools": [...]}, or a tools/list JSON-RPC response) nor an OpenAPI 3 document ({"openapi": "3.x", "paths": {...}}).');
  }
  if (format !== "auto" && detected !== null && detected !== format) {
    throw invalidDocument(`This looks like ${detected === "mcp" ? "an MCP tool list" : "an OpenAPI document"}, not ${format === "mcp" ? "an MCP tool list" : "an OpenAPI document"}: choose ${detected === "mcp" ? "MCP" : "OpenAPI"} or auto-detect.`);
  }
  const chosen = format === "auto" ? detected! : format;
  try {
    return chosen === "mcp" ? parseMcp(document) : parseOpenApi(document);
  } catch (error) {
    if (error instanceof RangeError) throw invalidDocument("The document is too complex to read (too deeply nested references)."); // never a crash
    throw error;
  }
}
