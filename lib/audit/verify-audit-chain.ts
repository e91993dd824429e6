import { withTenant } from "@/lib/db/tenant";
import { GENESIS_HASH, checkChainPage, type ChainCheck } from "./chain";

const PAGE = 2000;

/** Re-computes every hash of a tenant's audit chain, page by page, and says where it breaks. */
export async function verifyAuditChain({ tenantId }: { tenantId: string }): Promise<ChainCheck> {
  let state = { headSeq: 0n, headHash: GENESIS_HASH, checked: 0 };
  for (;;) {
    const page = await withTenant({ tenantId }, (tx) =>
      tx.auditEntry.findMany({ where: { tenantId, seq: { gt: state.headSeq } }, orderBy: { seq: "asc" }, take: PAGE }),
    );
    const result = checkChainPage(page, state);
    if (!result.ok || page.length < PAGE) return result;
    state = { headSeq: result.headSeq, headHash: result.headHash, checked: result.checked };
  }
}
