import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError, notFound } from "@/lib/errors";
import { evidenceDir } from "./paths";

/**
 * A finished bundle as a web stream (never read into memory), after auditing the
 * download. Only files inside the evidence directory are served.
 */
export async function openExportDownload({ member, exportId, requestId }: { member: MemberContext; exportId: string; requestId?: string }) {
  const tenantId = member.tenant.id;
  const row = await withTenant({ tenantId }, (tx) => tx.export.findFirst({ where: { id: exportId, tenantId } }));
  if (!row) throw notFound("Export");
  if (row.status !== "succeeded" || !row.filePath) throw new AppError("conflict", "This export has no bundle to download.");
  const file = path.resolve(row.filePath);
  if (path.dirname(file) !== evidenceDir()) throw notFound("Export file");
  const info = await stat(file).catch(() => null);
  if (!info) throw new AppError("not_found", "The bundle file is gone from the server; request the export again.");
  await withTenant({ tenantId, userId: member.user.id }, (tx) =>
    appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(member),
      action: "evidence.export_downloaded",
      target: { type: "export", id: exportId },
      after: { sha256: row.sha256 },
      requestId,
    }),
  );
  return {
    stream: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
    size: info.size,
    sha256: row.sha256,
    filename: `gatehouse-evidence-${member.tenant.slug}-${exportId}.tar.gz`,
  };
}
