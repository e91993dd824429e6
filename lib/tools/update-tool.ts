import type { MemberContext } from "@/lib/auth/member";
import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { gatewayChanged } from "@/lib/gateway/gateway-state";
import { AppError } from "@/lib/errors";
import type { UpdateToolInput } from "./schemas";
import { auditToolChange, lockTool } from "./tool-audit";

type Upstream = NonNullable<UpdateToolInput["upstream"]>;

/**
 * Changes a tool's display name, description or upstream (its name is fixed: policies and
 * kill switches name it). An upstream's connection must be the tenant's, and its base URL
 * one of the connection's hosts, so the credential is never sent elsewhere.
 */
export async function updateTool(input: { actor: MemberContext; toolId: string; changes: UpdateToolInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { upstream, ...rest } = input.changes;
  const result = await withTenant({ tenantId }, async (tx) => {
    const before = await lockTool(tx, tenantId, input.toolId);
    const changed = (Object.keys(rest) as (keyof typeof rest)[]).filter((k) => rest[k] !== undefined && rest[k] !== before[k]);
    const data: Record<string, unknown> = Object.fromEntries(changed.map((k) => [k, rest[k]]));
    const auditBefore: Record<string, unknown> = Object.fromEntries(changed.map((k) => [k, before[k]]));
    if (upstream !== undefined) {
      if (upstream) await assertUsableConnection(tx, tenantId, upstream);
      const next = upstream
        ? { upstreamKind: upstream.kind, upstreamBaseUrl: upstream.baseUrl, connectionId: upstream.connectionId, timeoutMs: upstream.timeoutMs, maxResponseBytes: upstream.maxResponseBytes }
        : { upstreamKind: "none", upstreamBaseUrl: null, connectionId: null };
      for (const [k, v] of Object.entries(next)) {
        if (before[k as keyof typeof before] === v) continue;
        data[k] = v;
        auditBefore[k] = before[k as keyof typeof before];
      }
    }
    if (Object.keys(data).length === 0) return { tool: before, changed: false };
    const after = await tx.tool.update({ where: { id: before.id }, data });
    await auditToolChange(tx, { actor: input.actor, toolName: before.name, action: "tool.updated", before: auditBefore, after: data, requestId: input.requestId });
    return { tool: after, changed: true };
  });
  if (result.changed) await gatewayChanged(tenantId);
  return result.tool;
}

async function assertUsableConnection(tx: Tx, tenantId: string, upstream: Upstream) {
  const connection = await tx.connection.findFirst({ where: { tenantId, id: upstream.connectionId } });
  if (!connection) throw new AppError("validation_failed", "Choose a connection of this tenant.", [{ path: "upstream.connectionId", message: "No such connection." }]);
  const url = new URL(upstream.baseUrl);
  const host = url.host.toLowerCase();
  if (!connection.allowedHosts.includes(host) && !connection.allowedHosts.includes(url.hostname.toLowerCase()))
    throw new AppError("validation_failed", `The connection "${connection.name}" may not be sent to ${host}: add the host to the connection first.`, [
      { path: "upstream.baseUrl", message: `Not among the connection's hosts (${connection.allowedHosts.join(", ")}).` },
    ]);
}
