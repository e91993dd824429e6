// scratch (not committed): one export against the kept database, optional extra node flags
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
const cfg = JSON.parse(readFileSync("/tmp/evb.json", "utf8"));
Object.assign(process.env, cfg.env);
const { db } = await import("@/lib/db/client");
const { withTenant } = await import("@/lib/db/tenant");
const { newId } = await import("@/lib/ids");
const exportId = newId("exp");
await withTenant({ tenantId: cfg.tenantId }, (tx) => tx.export.create({ data: { id: exportId, tenantId: cfg.tenantId, requestedById: cfg.userId, format: process.env.FMT ?? "jsonl", scope: { from: cfg.start, to: new Date(Date.now() + 600_000_000).toISOString(), agentIds: [], runIds: [] } } }));
const flags = (process.env.NODE_FLAGS ?? "").split(" ").filter(Boolean);
const before = os.loadavg()[0]!;
const child = spawnSync(process.execPath, [...flags, "--expose-gc", "--import", "tsx", "bench/evidence-export.ts", cfg.tenantId, exportId], { env: process.env, encoding: "utf8" });
if (child.status !== 0) { console.error(child.stderr); process.exit(1); }
process.stderr.write(child.stderr);
const r = JSON.parse(child.stdout.trim().split("\n").pop()!);
console.log(`${r.outcome} rows ${r.rows} in ${r.seconds.toFixed(2)} s = ${Math.round(r.rows / r.seconds)} rows/s; bytes ${(r.bytes/2**20).toFixed(1)} MB; idle ${(r.idleRss/2**20).toFixed(0)} peak ${(r.peakRss/2**20).toFixed(0)} growth ${((r.peakRss-r.idleRss)/2**20).toFixed(0)} MB; load ${before.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`);
if (process.env.KEEP_BUNDLE) console.log(r.file); else rmSync(r.file, { force: true });
await db().$disconnect();
process.exit(0);
