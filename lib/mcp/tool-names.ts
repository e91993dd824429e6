import type { RiskClass } from "@/lib/db/generated/enums";

const MAX_NAME = 64;

/**
 * `<tool>__<operation>` with characters outside [A-Za-z0-9_-] replaced, at most 64
 * characters: the rules OpenAI-style function names must follow. A name that had to be
 * shortened ends in a hash of the full name so two long names stay distinct.
 */
export function mcpToolName(tool: string, operation: string): string {
  const full = `${tool}__${operation}`.replace(/[^A-Za-z0-9_-]/g, "_");
  if (full.length <= MAX_NAME) return full;
  let hash = 0;
  for (const ch of `${tool}\u0000${operation}`) hash = (Math.imul(hash, 31) + ch.codePointAt(0)!) >>> 0;
  const suffix = `_${hash.toString(36)}`;
  return full.slice(0, MAX_NAME - suffix.length) + suffix;
}

export type ToolAnnotations = { title?: string; readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };

/** MCP hints from the operation's risk class; `reversible` softens destructiveness. */
export function annotationsFor(riskClass: RiskClass, reversible: boolean, title?: string): ToolAnnotations {
  const readOnly = riskClass === "read";
  return {
    ...(title && { title }),
    readOnlyHint: readOnly,
    destructiveHint: !readOnly && (riskClass !== "write" || !reversible),
    idempotentHint: readOnly || riskClass === "delete",
    openWorldHint: true,
  };
}
