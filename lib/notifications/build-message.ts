/** What any feature sends to a tenant's webhook. */
export type TenantMessage = { kind: string; text: string; data?: Record<string, unknown> };

/**
 * The JSON body of one delivery: Slack-compatible incoming-webhook JSON (`text` is the
 * fallback, `blocks` the layout), plus a `gatehouse` object for other receivers (Slack
 * ignores it).
 */
export function buildWebhookBody(input: { tenantId: string; tenantSlug?: string; deliveryId: string; message: TenantMessage; sentAt?: Date }) {
  const { message } = input;
  return {
    text: message.text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: message.text } },
      { type: "context", elements: [{ type: "mrkdwn", text: `Gatehouse · ${message.kind}${input.tenantSlug ? ` · ${input.tenantSlug}` : ""}` }] },
    ],
    gatehouse: {
      kind: message.kind,
      tenant_id: input.tenantId,
      delivery_id: input.deliveryId,
      created_at: (input.sentAt ?? new Date()).toISOString(),
      data: message.data ?? {},
    },
  };
}
