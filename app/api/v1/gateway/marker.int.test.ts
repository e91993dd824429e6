/**
 * The vault is write-only: a secret stored with a unique marker, then every gateway feature
 * driven (calls that the upstream echoes back, a refusal, a fault, a test, a rotation with
 * overlap, the console listing, an evidence export), and the marker must appear nowhere:
 * not in any text/json column of any table, not in any Redis key or value of this run, not
 * in the logs, not in the exported bundle, not in anything the agent or the console got.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { Redis } from "ioredis";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listConnections } from "@/lib/connections/list-connections";
import { rotateConnection } from "@/lib/connections/rotate-connection";
import { testConnection } from "@/lib/connections/test-connection";
import { updateConnection } from "@/lib/connections/update-connection";
import { withTenant } from "@/lib/db/tenant";
import { requestExport } from "@/lib/evidence/request-export";
import { runExport } from "@/lib/evidence/run-export";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { closeQueues } from "@/lib/queue/registry";
import { uniq } from "@/lib/testing/factories";
import { updateOperation } from "@/lib/tools/update-operation";
import { createGatewayTenant, gatewayCall, startTestUpstream } from "./testing";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

const MARKER = `GHMARK${uniq()}${uniq()}`;

let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
let worker: DecisionsWorker;
let logs = "";
const stderrWrite = process.stderr.write.bind(process.stderr);
beforeAll(async () => {
  upstream = await startTestUpstream();
  worker = startDecisionsWorker(8);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logs += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return (stderrWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
});
afterAll(async () => {
  process.stderr.write = stderrWrite;
  await worker.close();
  await closeQueues();
  await upstream.close();
});

/** Every text, varchar, json, jsonb and array column of every table, searched for the marker (as the owner role: RLS does not hide rows). */
async function tablesContaining(marker: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND (c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'bytea'))`,
    );
    const found: string[] = [];
    for (const { table_name, column_name } of columns) {
      const { rows } = await client.query(`SELECT 1 FROM ${pg.escapeIdentifier(table_name)} WHERE ${pg.escapeIdentifier(column_name)}::text LIKE $1 LIMIT 1`, [`%${marker}%`]);
      if (rows.length > 0) found.push(`${table_name}.${column_name}`);
    }
    expect(columns.length).toBeGreaterThan(50); // the scan did look at the schema
    return found;
  } finally {
    await client.end();
  }
}

/** Every Redis key of this test run (its prefix), by name and by value. */
async function redisKeysContaining(marker: string): Promise<string[]> {
  const redis = new Redis(process.env.REDIS_URL!);
  const found: string[] = [];
  let scanned = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `*${process.env.REDIS_PREFIX}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        scanned++;
        const type = await redis.type(key);
        const value =
          type === "string" ? await redis.get(key)
          : type === "hash" ? JSON.stringify(await redis.hgetall(key))
          : type === "list" ? JSON.stringify(await redis.lrange(key, 0, -1))
          : type === "set" ? JSON.stringify(await redis.smembers(key))
          : type === "zset" ? JSON.stringify(await redis.zrange(key, 0, -1))
          : type === "stream" ? JSON.stringify(await redis.xrange(key, "-", "+"))
          : "";
        if (key.includes(marker) || (value ?? "").includes(marker)) found.push(key);
      }
    } while (cursor !== "0");
    expect(scanned).toBeGreaterThan(0);
    return found;
  } finally {
    redis.disconnect();
  }
}

describe("the vault's secrets appear nowhere", () => {
  it("after every gateway feature, the marker is in no table, Redis key or value, log line, bundle or answer", async () => {
    const secret = `sk_live_${MARKER}_one`;
    const ctx = await createGatewayTenant(upstream.base, { secret });
    const seen: string[] = [];

    // Allowed calls (the upstream echoes the key back), a refusal, a fault.
    for (let i = 0; i < 3; i++) seen.push((await gatewayCall(ctx.token, { args: { charge_id: `ch_${i}`, amount_cents: 100 + i } })).text);
    expect(upstream.received.some((r) => r.headers["x-api-key"] === secret)).toBe(true);
    const op = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.toolOperation.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, name: "refunds.create" } }));
    await updateOperation({ actor: ctx.owner, toolId: op.toolId, operationId: op.id, changes: { http: { method: "POST", path: "/refuse/{charge_id}" } } });
    seen.push((await gatewayCall(ctx.token, { args: { charge_id: "ch_r", amount_cents: 1 } })).text);
    await updateOperation({ actor: ctx.owner, toolId: op.toolId, operationId: op.id, changes: { http: { method: "POST", path: "/fail/{charge_id}" } } });
    seen.push((await gatewayCall(ctx.token, { args: { charge_id: "ch_f", amount_cents: 1 } })).text);

    // Console: test, rotate with overlap, list, narrow the hosts.
    seen.push(JSON.stringify(await testConnection({ actor: ctx.owner, connectionId: ctx.connection.id, url: `${upstream.base}/anything` })));
    seen.push(JSON.stringify(await rotateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, secret: `sk_live_${MARKER}_two`, overlapSeconds: 3600 })));
    await updateOperation({ actor: ctx.owner, toolId: op.toolId, operationId: op.id, changes: { http: { method: "POST", path: "/v1/charges/{charge_id}/refunds" } } });
    seen.push((await gatewayCall(ctx.token, { args: { charge_id: "ch_after", amount_cents: 7 } })).text);
    seen.push(JSON.stringify(await listConnections({ tenantId: ctx.tenant.id })));
    seen.push(JSON.stringify(await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { allowedHosts: ["api.stripe.com"] } })));
    seen.push((await gatewayCall(ctx.token, { args: { charge_id: "ch_x", amount_cents: 1 } })).text);

    // Everything recorded (6 calls: a call and a result event each), then exported.
    await expect.poll(async () => (await listRunEvents({ tenantId: ctx.tenant.id, externalId: "run_gw", limit: 500 })).events.filter((e) => String(e.type).startsWith("gateway.")).length, { timeout: 15_000 }).toBe(14);
    const exported = await requestExport({ member: ctx.owner, input: { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 1000).toISOString(), agentIds: [], runIds: ["run_gw"], format: "jsonl" } });
    expect(await runExport({ tenantId: ctx.tenant.id, exportId: exported.id })).toBe("succeeded");
    const file = (await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.export.findUniqueOrThrow({ where: { id: exported.id } }))).filePath!;
    const bundle = gunzipSync(readFileSync(file)).toString("utf8");
    expect(bundle).toContain("gateway.result"); // the attested events are in it

    expect(seen.join("\n")).not.toContain(MARKER);
    expect(bundle).not.toContain(MARKER);
    expect(logs).not.toContain(MARKER);
    expect(await tablesContaining(MARKER)).toEqual([]);
    expect(await redisKeysContaining(MARKER)).toEqual([]);
    // And the scan would have found it: the sealed form is what the table holds.
    expect(await tablesContaining(ctx.connection.id)).toContain("connections.id");
  });
});
