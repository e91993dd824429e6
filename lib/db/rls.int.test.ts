/**
 * Cross-tenant isolation, database half: row-level security as Postgres enforces it.
 *
 * Two tenants A and B get at least one row in EVERY tenant-owned table (every table in
 * `public` with a "tenantId" column, discovered from information_schema when this file
 * loads, so a table added later is covered, and fails here until ROW_FOR learns to seed it).
 * Fixture rows are written by the owner role, which bypasses RLS as table owner; every
 * check then connects as the application role, exactly as the app does.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "@/lib/audit/chain";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { newId } from "@/lib/ids";
import { createTestAgent, createTestTenant, createUser, uniq } from "@/lib/testing/factories";

const OWNER_URL = process.env.MIGRATE_DATABASE_URL!;
const APP_URL = process.env.DATABASE_URL!;

async function connect(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Every base table in public with a "tenantId" column. */
const TENANT_TABLES: string[] = await (async () => {
  const owner = await connect(OWNER_URL);
  try {
    const { rows } = await owner.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'tenantId' AND t.table_type = 'BASE TABLE'
          AND NOT (SELECT relispartition FROM pg_class WHERE oid = format('public.%I', c.table_name)::regclass)
        ORDER BY c.table_name`,
    );
    return rows.map((r) => r.table_name);
  } finally {
    await owner.end();
  }
})();

/** The tables that refuse UPDATE and DELETE to the app role outright (grants + trigger). */
const APPEND_ONLY = new Set(["audit_entries", "evidence_digests"]);

type Fixture = {
  tenantId: string;
  ownerId: string; // the tenant's owner (from createTestTenant)
  memberId: string; // a viewer who belongs to this tenant only
  agentId: string; // from createTestAgent
  toolId: string;
  runId: string;
  approvalId: string;
  inviteTokenHash: string;
};
type Row = Record<string, unknown>;

const json = (value: unknown) => JSON.stringify(value); // pg would send JS arrays as SQL arrays
const inOneHour = () => new Date(Date.now() + 3_600_000);
const HASH = "a".repeat(64);

/**
 * One valid row per tenant-owned table, parents before children. Used to seed the fixture
 * and, with tenant B's ids, as the payload of the cross-tenant INSERT attempts.
 */
const ROW_FOR: Record<string, (f: Fixture) => Row> = {
  memberships: (f) => ({ id: newId("mem"), tenantId: f.tenantId, userId: f.memberId, role: "viewer" }),
  invitations: (f) => ({
    id: newId("inv"), tenantId: f.tenantId, email: `invitee-${uniq()}@example.test`, role: "viewer",
    tokenHash: f.inviteTokenHash, invitedById: f.ownerId, expiresAt: inOneHour(),
  }),
  agents: (f) => ({ id: newId("agt"), tenantId: f.tenantId, name: `agent-${uniq()}`, ownerId: f.ownerId, updatedAt: new Date() }),
  agent_credentials: (f) => ({
    id: newId("cred"), tenantId: f.tenantId, agentId: f.agentId, kind: "client_secret", label: "ci", secretHash: "scrypt$fixture",
  }),
  agent_tokens: (f) => ({
    jti: newId("jti"), tenantId: f.tenantId, agentId: f.agentId, credentialId: "cred_fixture", grantType: "client_credentials", expiresAt: new Date(Date.now() + 60_000),
  }),
  tools: (f) => ({ id: f.toolId, tenantId: f.tenantId, name: `tool-${uniq()}`, displayName: "Fixture tool" }),
  tool_operations: (f) => ({ id: newId("op"), tenantId: f.tenantId, toolId: f.toolId, name: `op-${uniq()}`, riskClass: "write" }),
  policy_drafts: (f) => ({ tenantId: f.tenantId, rules: json([]), updatedAt: new Date() }),
  policy_versions: (f) => ({
    id: newId("pv"), tenantId: f.tenantId, version: 1, rules: json([]), cedar: "", publishedById: f.ownerId,
  }),
  quotas: (f) => ({ id: newId("quo"), tenantId: f.tenantId, name: "calls_per_day", scope: "tenant", metric: "tool_calls", window: "day", limit: 100 }),
  kill_switches: (f) => ({ id: newId("ks"), tenantId: f.tenantId, scope: "tenant", reason: "fixture", createdById: f.ownerId }),
  runs: (f) => ({ id: f.runId, tenantId: f.tenantId, agentId: f.agentId, externalId: `run-${uniq()}` }),
  run_events: (f) => ({
    tenantId: f.tenantId, runExternalId: `run-${uniq()}`, agentId: f.agentId, eventKey: `evt-${uniq()}`, type: "run.started",
    source: "agent", ts: new Date(), receivedAt: new Date(), payload: json({}), payloadHash: HASH,
  }),
  run_stats_hourly: (f) => ({ tenantId: f.tenantId, agentId: f.agentId, hour: new Date() }),
  run_event_keys: (f) => ({ agentId: f.agentId, source: "agent", eventKey: `evt-${uniq()}`, tenantId: f.tenantId, receivedAt: new Date() }),
  decisions: (f) => ({
    id: newId("dec"), tenantId: f.tenantId, agentId: f.agentId, runExternalId: "run-1", tool: "github",
    operation: "read", actionHash: HASH, outcome: "allow",
  }),
  approvals: (f) => ({
    id: f.approvalId, tenantId: f.tenantId, agentId: f.agentId, runExternalId: "run-1", decisionId: newId("dec"),
    actionHash: HASH, action: json({ tool: "github" }), expiresAt: inOneHour(),
  }),
  approval_votes: (f) => ({ id: newId("vote"), tenantId: f.tenantId, approvalId: f.approvalId, userId: f.ownerId, verdict: "approve" }),
  // Not seeded: createTenant already appended each tenant's genesis entry through
  // appendAuditEntry. Only used as the payload of the cross-tenant INSERT attempt.
  audit_entries: (f) => ({
    id: newId("aud"), tenantId: f.tenantId, seq: 1, actorType: "system", actorLabel: "fixture", action: "fixture",
    targetType: "tenant", prevHash: GENESIS_HASH, hash: HASH,
  }),
  exports: (f) => ({ id: newId("exp"), tenantId: f.tenantId, requestedById: f.ownerId, scope: json({}), format: "jsonl" }),
  audit_verifications: (f) => ({ id: newId("ver"), tenantId: f.tenantId, ok: true, checked: 1, trigger: "manual" }),
  connections: (f) => ({ id: newId("con"), tenantId: f.tenantId, name: `conn-${uniq()}`, kind: "bearer", allowedHosts: ["api.example.test"], sealedSecret: "gh1.fixture.x.y", updatedAt: new Date() }),
  notification_webhooks: (f) => ({ tenantId: f.tenantId, url: "https://hooks.example.test/x", secret: "whsec_fixture", createdById: f.ownerId, updatedAt: new Date() }),
  notification_deliveries: (f) => ({
    id: newId("ntf"), tenantId: f.tenantId, kind: "test", url: "https://hooks.example.test/x", payload: json({ text: "fixture" }), updatedAt: new Date(),
  }),
  dead_letter_jobs: (f) => ({
    id: newId("dlq"), tenantId: f.tenantId, queue: "ingest", jobName: "events.write", payload: "{}", payloadBytes: 2, error: "22P05 fixture", attempts: 1,
  }),
  // The first digest of a tenant's chain (the link trigger accepts only seq 1 from event 0).
  evidence_digests: (f) => ({
    id: newId("dig"), tenantId: f.tenantId, seq: 1, periodStart: new Date(), periodEnd: new Date(), fromEventId: 0, toEventId: 0,
    eventCount: 0, decisionCount: 0, eventsHead: GENESIS_HASH, payloadsHead: GENESIS_HASH, prevHash: GENESIS_HASH, hash: HASH,
    keyId: "evk_fixture", signature: "fixture",
  }),
};
const SEEDED_BY_FACTORIES = new Set(["audit_entries"]);

const ident = pg.escapeIdentifier;

function insertSql(table: string, row: Row): [string, unknown[]] {
  const columns = Object.keys(row);
  const placeholders = columns.map((_, i) => `$${i + 1}`);
  return [
    `INSERT INTO ${ident(table)} (${columns.map(ident).join(", ")}) VALUES (${placeholders.join(", ")})`,
    Object.values(row),
  ];
}

let owner: pg.Client; // table owner: bypasses RLS; fixture writes and ground-truth counts
let app: pg.Client; // application role: every check below runs in a rolled-back transaction
let bare: pg.Client; // application role that never sets any app.* setting
let A: Fixture;
let B: Fixture;
let C: { tenantId: string }; // a third tenant, for a user who belongs to A and C
let multiUserId: string;
/** Ground truth per table, counted as the owner: rows of A and of B. */
const counts: Record<string, { A: number; B: number }> = {};

async function count(client: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** Runs `fn` as the app role in a transaction with the given app.* settings, then rolls back. */
async function asApp<T>(
  settings: { tenant?: string; user?: string; inviteTokenHash?: string },
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  await app.query("BEGIN");
  try {
    await app.query(
      `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true),
              set_config('app.invite_token_hash', $3, true)`,
      [settings.tenant ?? "", settings.user ?? "", settings.inviteTokenHash ?? ""],
    );
    return await fn(app);
  } finally {
    await app.query("ROLLBACK");
  }
}

async function buildTenant(): Promise<Fixture> {
  const { tenant, owner: ownerCtx } = await createTestTenant();
  const member = await createUser();
  const agent = await createTestAgent(tenant.id, ownerCtx.user.id);
  return {
    tenantId: tenant.id, ownerId: ownerCtx.user.id, memberId: member.id, agentId: agent.id,
    toolId: newId("tool"), runId: newId("run"), approvalId: newId("apr"), inviteTokenHash: `tok-${uniq()}-${uniq()}`,
  };
}

beforeAll(async () => {
  owner = await connect(OWNER_URL);
  app = await connect(APP_URL);
  bare = await connect(APP_URL);

  A = await buildTenant();
  B = await buildTenant();
  for (const f of [A, B]) {
    for (const [table, build] of Object.entries(ROW_FOR)) {
      if (SEEDED_BY_FACTORIES.has(table)) continue;
      await owner.query(...insertSql(table, build(f)));
    }
  }

  // A user in A and in a third tenant C (but not in B): the memberships/tenants read policies.
  const c = await createTestTenant();
  C = { tenantId: c.tenant.id };
  multiUserId = (await createUser()).id;
  for (const tenantId of [A.tenantId, C.tenantId]) {
    await owner.query(...insertSql("memberships", { id: newId("mem"), tenantId, userId: multiUserId, role: "approver" }));
  }

  for (const table of TENANT_TABLES) {
    const sql = `SELECT count(*) AS n FROM ${ident(table)} WHERE "tenantId" = $1`;
    counts[table] = { A: await count(owner, sql, [A.tenantId]), B: await count(owner, sql, [B.tenantId]) };
  }
});

afterAll(async () => {
  await Promise.all([owner?.end(), app?.end(), bare?.end()]);
  await db().$disconnect();
});

describe("fixture", () => {
  it("discovers the tenant-owned tables from information_schema", () => {
    expect(TENANT_TABLES).toEqual(
      expect.arrayContaining([
        "memberships", "invitations", "agents", "agent_credentials", "tools", "tool_operations", "policy_drafts",
        "policy_versions", "quotas", "kill_switches", "runs", "run_events", "decisions", "approvals",
        "approval_votes", "audit_entries", "exports", "audit_verifications",
      ]),
    );
    expect(TENANT_TABLES).not.toContain("tenants");
    expect(TENANT_TABLES).not.toContain("users");
  });

  it.each(TENANT_TABLES)("%s has rows for both tenants (extend ROW_FOR when this fails)", (table) => {
    expect(ROW_FOR[table], `no row builder for ${table} in ROW_FOR`).toBeTypeOf("function");
    expect(counts[table]!.A, `${table}: no row for tenant A`).toBeGreaterThan(0);
    expect(counts[table]!.B, `${table}: no row for tenant B`).toBeGreaterThan(0);
  });
});

describe("reads as the app role", () => {
  it.each(TENANT_TABLES)("%s: with tenant A set, B's rows are invisible and only A's are counted", async (table) => {
    const { A: rowsOfA, B: rowsOfB } = counts[table]!;
    expect(rowsOfB, "B must have rows here or this check proves nothing").toBeGreaterThan(0);
    await asApp({ tenant: A.tenantId }, async (c) => {
      expect(await count(c, `SELECT count(*) AS n FROM ${ident(table)} WHERE "tenantId" = $1`, [B.tenantId])).toBe(0);
      expect(await count(c, `SELECT count(*) AS n FROM ${ident(table)}`)).toBe(rowsOfA);
    });
  });

  it.each(TENANT_TABLES)("%s: with no tenant set at all, no row is visible", async (table) => {
    // `bare` has never called set_config, so the settings do not even exist in its session.
    const { rows } = await bare.query(`SELECT current_setting('app.tenant_id', true) AS t, current_setting('app.user_id', true) AS u`);
    expect(rows[0]).toEqual({ t: null, u: null });
    expect(counts[table]!.A + counts[table]!.B).toBeGreaterThan(0);
    expect(await count(bare, `SELECT count(*) AS n FROM ${ident(table)}`)).toBe(0);
    // The same after a transaction cleared it to '' (what withUser does).
    await asApp({}, async (c) => expect(await count(c, `SELECT count(*) AS n FROM ${ident(table)}`)).toBe(0));
  });
});

describe("writes across tenants as the app role (tenant A set)", () => {
  it.each(TENANT_TABLES)("%s: INSERT of a row for tenant B is refused by RLS", async (table) => {
    const build = ROW_FOR[table];
    expect(build, `no row builder for ${table} in ROW_FOR`).toBeTypeOf("function");
    const [sql, params] = insertSql(table, build!(B));
    await asApp({ tenant: A.tenantId }, (c) =>
      expect(c.query(sql, params)).rejects.toMatchObject({
        code: "42501",
        message: expect.stringMatching(/new row violates row-level security policy/),
      }),
    );
  });

  it.each(TENANT_TABLES)("%s: UPDATE and DELETE aimed at B's rows touch nothing", async (table) => {
    expect(counts[table]!.B).toBeGreaterThan(0); // the owner would match these rows
    const statements = [
      `UPDATE ${ident(table)} SET "tenantId" = "tenantId" WHERE "tenantId" = $1`,
      `DELETE FROM ${ident(table)} WHERE "tenantId" = $1`,
    ];
    for (const sql of statements) {
      await asApp({ tenant: A.tenantId }, async (c) => {
        if (APPEND_ONLY.has(table)) {
          await expect(c.query(sql, [B.tenantId])).rejects.toMatchObject({ code: "42501", message: expect.stringMatching(/permission denied/) });
        } else {
          expect((await c.query(sql, [B.tenantId])).rowCount, sql).toBe(0);
        }
      });
    }
  });

  it.each(TENANT_TABLES)("%s: moving A's rows into tenant B is refused", async (table) => {
    expect(counts[table]!.A).toBeGreaterThan(0);
    await asApp({ tenant: A.tenantId }, (c) =>
      expect(c.query(`UPDATE ${ident(table)} SET "tenantId" = $1 WHERE "tenantId" = $2`, [B.tenantId, A.tenantId])).rejects.toMatchObject({
        code: "42501",
        message: APPEND_ONLY.has(table)
          ? expect.stringMatching(/permission denied/)
          : expect.stringMatching(/new row violates row-level security policy/),
      }),
    );
  });

  it("B's rows are intact afterwards", async () => {
    for (const table of TENANT_TABLES) {
      expect(await count(owner, `SELECT count(*) AS n FROM ${ident(table)} WHERE "tenantId" = $1`, [B.tenantId]), table).toBe(counts[table]!.B);
    }
  });
});

describe("tenants and memberships read policies", () => {
  const tenantIds = async (c: pg.Client) => (await c.query<{ id: string }>(`SELECT id FROM tenants ORDER BY id`)).rows.map((r) => r.id);
  const memberships = async (c: pg.Client) =>
    (await c.query<{ tenantId: string; userId: string }>(`SELECT "tenantId", "userId" FROM memberships`)).rows;
  const ownerMemberships = async (where: string, params: unknown[]) =>
    (await owner.query<{ tenantId: string; userId: string }>(`SELECT "tenantId", "userId" FROM memberships WHERE ${where}`, params)).rows;

  it("a user of A only, no tenant set: sees tenant A and their own membership", async () => {
    await asApp({ user: A.memberId }, async (c) => {
      expect(await tenantIds(c)).toEqual([A.tenantId]);
      expect(await memberships(c)).toEqual([{ tenantId: A.tenantId, userId: A.memberId }]);
    });
  });

  it("a user of A only, tenant A set: sees A and all of A's members, never B's", async () => {
    const expected = await ownerMemberships(`"tenantId" = $1`, [A.tenantId]);
    expect(expected.length).toBeGreaterThanOrEqual(3); // owner, member, multi-tenant user
    await asApp({ tenant: A.tenantId, user: A.memberId }, async (c) => {
      expect(await tenantIds(c)).toEqual([A.tenantId]);
      const seen = await memberships(c);
      expect(seen).toHaveLength(expected.length);
      expect(seen).toEqual(expect.arrayContaining(expected));
      expect(seen.filter((m) => m.tenantId === B.tenantId)).toEqual([]);
    });
  });

  it("a user of A and C, tenant A set: A's members plus their own C membership, never B's", async () => {
    const expected = await ownerMemberships(`"tenantId" = $1 OR "userId" = $2`, [A.tenantId, multiUserId]);
    expect(expected).toContainEqual({ tenantId: C.tenantId, userId: multiUserId });
    await asApp({ tenant: A.tenantId, user: multiUserId }, async (c) => {
      expect(await tenantIds(c)).toEqual([A.tenantId, C.tenantId].sort());
      const seen = await memberships(c);
      expect(seen).toHaveLength(expected.length);
      expect(seen).toEqual(expect.arrayContaining(expected));
      expect(seen.map((m) => m.tenantId)).not.toContain(B.tenantId);
    });
  });

  it("seeing another tenant's membership or tenant row does not allow changing it", async () => {
    await asApp({ tenant: A.tenantId, user: multiUserId }, async (c) => {
      const own = [C.tenantId, multiUserId];
      expect((await c.query(`UPDATE memberships SET role = 'owner' WHERE "tenantId" = $1 AND "userId" = $2`, own)).rowCount).toBe(0);
      expect((await c.query(`DELETE FROM memberships WHERE "tenantId" = $1 AND "userId" = $2`, own)).rowCount).toBe(0);
      expect((await c.query(`UPDATE tenants SET name = 'taken' WHERE id = $1`, [C.tenantId])).rowCount).toBe(0);
      expect((await c.query(`UPDATE tenants SET name = 'taken' WHERE id = $1`, [B.tenantId])).rowCount).toBe(0);
    });
    expect(await ownerMemberships(`"tenantId" = $1 AND "userId" = $2 AND role = 'approver'`, [C.tenantId, multiUserId])).toHaveLength(1);
  });

  it("an invitation token reveals that one invitation and nothing else of its tenant", async () => {
    await asApp({ inviteTokenHash: B.inviteTokenHash }, async (c) => {
      const { rows } = await c.query<{ tenantId: string; tokenHash: string }>(`SELECT "tenantId", "tokenHash" FROM invitations`);
      expect(rows).toEqual([{ tenantId: B.tenantId, tokenHash: B.inviteTokenHash }]);
      expect(await count(c, `SELECT count(*) AS n FROM agents`)).toBe(0);
      expect((await c.query(`UPDATE invitations SET "revokedAt" = now() WHERE "tokenHash" = $1`, [B.inviteTokenHash])).rowCount).toBe(0);
    });
    await asApp({ inviteTokenHash: "not-a-token" }, async (c) => expect(await count(c, `SELECT count(*) AS n FROM invitations`)).toBe(0));
  });
});

describe("the application role cannot bypass RLS", () => {
  it("is neither superuser nor BYPASSRLS", async () => {
    const { rows } = await app.query(`SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`);
    expect(rows).toEqual([{ rolname: "gatehouse_app", rolsuper: false, rolbypassrls: false }]);
  });

  it("owns nothing in public, directly or through role membership", async () => {
    const { rows } = await app.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'MEMBER')`,
    );
    expect(rows).toEqual([]);
    // ...and the query does see the tables, so the empty result above is meaningful.
    expect(await count(app, `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`)).toBeGreaterThan(TENANT_TABLES.length);
  });

  it("row-level security is enabled on every tenant-owned table and on tenants", async () => {
    const { rows } = await app.query<{ relname: string; relrowsecurity: boolean; policies: string }>(
      `SELECT c.relname, c.relrowsecurity, (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY($1)`,
      [[...TENANT_TABLES, "tenants"]],
    );
    expect(rows).toHaveLength(TENANT_TABLES.length + 1);
    for (const row of rows) {
      expect(row.relrowsecurity, row.relname).toBe(true);
      expect(Number(row.policies), row.relname).toBeGreaterThan(0);
    }
  });

  it("partitions of run_events are reachable only through the parent, and keep RLS on anyway", async () => {
    const { rows } = await app.query<{ relname: string; relrowsecurity: boolean; policies: string; can_select: boolean }>(
      `SELECT c.relname, c.relrowsecurity, (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
              has_table_privilege(current_user, c.oid, 'SELECT') AS can_select
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'run_events'::regclass`,
    );
    expect(rows.map((r) => r.relname)).toContain("run_events_default");
    expect(rows.length).toBeGreaterThan(1); // daily partitions exist
    for (const row of rows) {
      expect(row, row.relname).toMatchObject({ relrowsecurity: true, can_select: false });
      expect(Number(row.policies), row.relname).toBeGreaterThan(0);
    }
    await expect(app.query(`SELECT count(*) FROM ${ident(rows[0]!.relname)}`)).rejects.toMatchObject({ code: "42501" });
  });
});

describe("through Prisma (withTenant)", () => {
  it("tenant A sees only its own agents and cannot reach B's by id", async () => {
    const { rows } = await owner.query<{ id: string; tenantId: string }>(
      `SELECT id, "tenantId" FROM agents WHERE "tenantId" = ANY($1)`,
      [[A.tenantId, B.tenantId]],
    );
    const idsOf = (tenantId: string) => rows.filter((r) => r.tenantId === tenantId).map((r) => r.id).sort();
    expect(idsOf(B.tenantId)).toContain(B.agentId);

    const { found, byId, updated } = await withTenant({ tenantId: A.tenantId }, async (tx) => ({
      found: await tx.agent.findMany(),
      byId: await tx.agent.findUnique({ where: { id: B.agentId } }),
      updated: await tx.agent.updateMany({ where: { id: B.agentId }, data: { statusReason: "hijacked" } }),
    }));
    expect(found.map((a) => a.id).sort()).toEqual(idsOf(A.tenantId));
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.every((a) => a.tenantId === A.tenantId)).toBe(true);
    expect(byId).toBeNull();
    expect(updated.count).toBe(0);

    // The positive control: the same lookup inside B finds the agent.
    const inB = await withTenant({ tenantId: B.tenantId }, (tx) => tx.agent.findUnique({ where: { id: B.agentId } }));
    expect(inB).toMatchObject({ id: B.agentId, tenantId: B.tenantId, statusReason: null });
  });
});
