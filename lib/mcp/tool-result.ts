import type { GatewayResponse } from "@/lib/gateway/schemas";

export type CallToolResult = { content: ({ type: "text"; text: string } | { type: string; [key: string]: unknown })[]; isError: boolean; structuredContent?: Record<string, unknown>; _meta?: Record<string, unknown> };

/** A gateway answer as an MCP tool result: the model reads why a call did not run. */
export function toolResult(answer: GatewayResponse): CallToolResult {
  const meta = { "gatehouse/decision_id": answer.decision_id, "gatehouse/decision": answer.decision };
  const reasons = answer.reasons.map((r) => `- ${r.message}`).join("\n");
  if (answer.decision === "deny") return { content: [{ type: "text", text: `Gatehouse denied this call:\n${reasons}` }], isError: true, _meta: meta };
  if (answer.decision === "pending_approval") {
    const approval = answer.approval;
    const text =
      `This call needs a human's approval and was not run.\n${reasons}\n` +
      (approval
        ? `Approval ${approval.id} is pending until ${approval.expires_at}. Once it is approved, call the tool again with the same arguments and _meta {"gatehouse/approval_id": "${approval.id}"}; it then runs once.`
        : "");
    return { content: [{ type: "text", text }], isError: true, _meta: { ...meta, ...(approval && { "gatehouse/approval_id": approval.id }) } };
  }
  const result = answer.result;
  if (!result) return { content: [{ type: "text", text: "Allowed, but the upstream was not called." }], isError: true, _meta: meta };
  const resultMeta = { ...meta, "gatehouse/status": result.status, "gatehouse/event_id": result.event_id };
  // An MCP upstream's own tool result goes back as it came (its content may be more than text).
  if (result.upstream_kind === "mcp" && isObject(result.body) && Array.isArray(result.body.content)) {
    const upstream = result.body as Record<string, unknown>;
    return {
      content: upstream.content as CallToolResult["content"],
      isError: upstream.isError === true,
      ...(isObject(upstream.structuredContent) && { structuredContent: upstream.structuredContent }),
      _meta: { ...(isObject(upstream._meta) && upstream._meta), ...resultMeta },
    };
  }
  const body = typeof result.body === "string" ? result.body : JSON.stringify(result.body);
  return {
    content: [{ type: "text", text: body + (result.truncated ? "\n[response truncated by Gatehouse]" : "") }],
    isError: result.status >= 400,
    ...(isObject(result.body) ? { structuredContent: result.body } : {}),
    _meta: resultMeta,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
