import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { outboundFetch, OutboundError } from "@/lib/outbound/fetch";
import { SecretError } from "@/lib/secrets/envelope";
import { auditConnectionChange } from "./connection-audit";
import { CredentialError, credentialHeaders } from "./credential-headers";

export const REFUSED_MESSAGE = "The upstream refused the credential.";

export type ConnectionTestResult = { ok: boolean; status?: number; message: string; latencyMs?: number };

/**
 * "Does the upstream accept it?": an authenticated GET to the given URL or to the base URL
 * of a tool that uses the connection, within the connection's hosts. 401/403 means refused;
 * any other answer means the credential got through. The result is kept on the connection.
 */
export async function testConnection(input: { actor: MemberContext; connectionId: string; url?: string; requestId?: string }): Promise<ConnectionTestResult> {
  const tenantId = input.actor.tenant.id;
  const { connection, url } = await withTenant({ tenantId }, async (tx) => {
    const connection = await tx.connection.findFirst({ where: { tenantId, id: input.connectionId } });
    if (!connection) throw new AppError("not_found", "Connection not found.");
    const tool = input.url ? null : await tx.tool.findFirst({ where: { tenantId, connectionId: connection.id, upstreamBaseUrl: { not: null } }, orderBy: { name: "asc" } });
    return { connection, url: input.url ?? tool?.upstreamBaseUrl ?? null };
  });
  if (!url) throw new AppError("validation_failed", "No tool uses this connection yet: give a URL to test against.", [{ path: "url", message: "Required when no tool uses the connection." }]);

  let result: ConnectionTestResult;
  try {
    const { headers } = await credentialHeaders(connection, connection.sealedSecret);
    const response = await outboundFetch({ url, method: "GET", headers, timeoutMs: 10_000, maxResponseBytes: 64 * 1024, allowedHosts: connection.allowedHosts });
    const refused = response.status === 401 || response.status === 403;
    result = {
      ok: !refused && response.status < 500,
      status: response.status,
      message: refused ? REFUSED_MESSAGE : response.status >= 500 ? `The upstream answered HTTP ${response.status}.` : `The upstream accepted the credential (HTTP ${response.status}).`,
      latencyMs: response.latencyMs,
    };
  } catch (error) {
    if (error instanceof OutboundError) result = { ok: false, message: error.publicMessage };
    else if (error instanceof CredentialError) result = { ok: false, message: error.message };
    else if (error instanceof SecretError) result = { ok: false, message: "The stored secret could not be opened (its master key is not configured here, or the row was altered): rotate it." };
    else throw error;
  }

  await withTenant({ tenantId }, async (tx) => {
    const now = new Date();
    await tx.connection.update({
      where: { id: connection.id },
      data: { lastTestedAt: now, lastTestOk: result.ok, lastTestMessage: result.message, ...(!result.ok && { lastFailureAt: now, lastFailureMessage: result.message }) },
    });
    await auditConnectionChange(tx, { actor: input.actor, connectionId: connection.id, action: "connection.tested", after: { ok: result.ok, status: result.status ?? null, message: result.message }, requestId: input.requestId });
  });
  return result;
}
