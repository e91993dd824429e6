/**
 * The exporting process of `npm run bench -- evidence`: warms up (modules, connections,
 * the signing key), records its idle RSS, runs one export, and prints its peak RSS
 * (the kernel's high-water mark, getrusage maxrss) and timings as JSON.
 */
import { activeEvidenceKey } from "@/lib/evidence/keys";
import { closeEvidencePool, withTenantQuery } from "@/lib/evidence/pg";
import { runExport } from "@/lib/evidence/run-export";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";

const [tenantId, exportId] = process.argv.slice(2) as [string, string];
await activeEvidenceKey();
await withTenant({ tenantId }, (tx) => tx.export.findFirst({ where: { id: exportId } }));
await withTenantQuery(tenantId, (q) => q("SELECT 1", []));
(globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 200));
const idleRss = process.memoryUsage().rss;
const idleMaxRss = process.resourceUsage().maxRSS * 1024;
let sampledPeak = idleRss;
const timer = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
}, 25);
const started = performance.now();
const outcome = await runExport({ tenantId, exportId });
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
const row = await withTenant({ tenantId }, (tx) => tx.export.findUniqueOrThrow({ where: { id: exportId } }));
console.log(
  JSON.stringify({
    outcome,
    seconds,
    rows: row.rowCount,
    counts: row.counts,
    bytes: Number(row.bytes ?? 0),
    file: row.filePath,
    idleRss,
    idleMaxRss,
    // The kernel's high-water mark counts only if the export raised it past the warm-up's
    // (tsx compiling at start-up can peak higher than the idle process); else the sampled peak.
    peakRss: process.resourceUsage().maxRSS * 1024 > idleMaxRss ? Math.max(process.resourceUsage().maxRSS * 1024, sampledPeak) : sampledPeak,
  }),
);
await closeEvidencePool();
await db().$disconnect();
process.exit(0);
