import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { newId } from "@/lib/ids";
import { sealSecret } from "@/lib/secrets/envelope";
import { assertNameFree, auditConnectionChange } from "./connection-audit";
import { describeConnection } from "./describe-connection";
import { secretContext, type CreateConnectionInput } from "./schemas";

/** Stores a credential, sealed; the answer and the audit entry say only that a secret is set. */
export async function createConnection(input: { actor: MemberContext; request: CreateConnectionInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { secret, ...fields } = input.request;
  const id = newId("con");
  return withTenant({ tenantId }, async (tx) => {
    await assertNameFree(tx, tenantId, fields.name);
    const created = await tx.connection.create({
      data: {
        id,
        tenantId,
        ...fields,
        // Bearer tokens go in Authorization unless the admin names another header.
        headerName: fields.headerName ?? (fields.kind === "bearer" || fields.kind === "oauth2_client_credentials" ? "Authorization" : null),
        sealedSecret: sealSecret(secret, secretContext(tenantId, id)),
      },
    });
    const view = describeConnection(created);
    await auditConnectionChange(tx, { actor: input.actor, connectionId: id, action: "connection.created", after: { ...fields, secret: "set", keyId: view.keyId }, requestId: input.requestId });
    return view;
  });
}
