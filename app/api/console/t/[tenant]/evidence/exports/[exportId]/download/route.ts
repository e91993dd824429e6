import { openExportDownload } from "@/lib/evidence/open-export";
import { memberRoute } from "@/lib/http/route";

/** Streams the finished bundle (never buffered); the download is audited. */
export const GET = memberRoute({ permission: "exports.create" }, async ({ member, params, requestId }) => {
  const file = await openExportDownload({ member, exportId: params.exportId!, requestId });
  return new Response(file.stream, {
    status: 200,
    headers: {
      "content-type": "application/gzip",
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
      ...(file.sha256 ? { "x-content-sha256": file.sha256 } : {}),
    },
  });
});
