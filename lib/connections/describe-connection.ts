import type { Connection } from "@/lib/db/generated/client";
import { sealedKeyId } from "@/lib/secrets/envelope";
import type { ConnectionKind } from "./schemas";

/** What the console sees of a connection: never any part of the secret, only that one is set and under which key. */
export function describeConnection(c: Connection, usedBy: { toolId: string; toolName: string }[] = []) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind as ConnectionKind,
    headerName: c.headerName,
    username: c.username,
    tokenUrl: c.tokenUrl,
    clientId: c.clientId,
    scopes: c.scopes,
    allowedHosts: c.allowedHosts,
    status: c.status as "active" | "disabled",
    secret: "set" as const,
    keyId: sealedKeyId(c.sealedSecret),
    rotatedAt: c.rotatedAt?.toISOString() ?? null,
    previousValidUntil: c.previousSealed && c.previousValidUntil && c.previousValidUntil > new Date() ? c.previousValidUntil.toISOString() : null,
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    lastTestedAt: c.lastTestedAt?.toISOString() ?? null,
    lastTestOk: c.lastTestOk,
    lastTestMessage: c.lastTestMessage,
    lastFailureAt: c.lastFailureAt?.toISOString() ?? null,
    lastFailureMessage: c.lastFailureMessage,
    usedBy,
    createdAt: c.createdAt.toISOString(),
  };
}
export type ConnectionView = ReturnType<typeof describeConnection>;
