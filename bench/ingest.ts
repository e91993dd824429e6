/**
 * Sustained ingest (issue 6), everything co-located on this machine: `web` × `next start`
 * (the API), one worker process (workers/index.ts), Postgres, Redis and the load generator.
 *   1. Capacity: `clients` agents-as-clients each POST batches of `batch` events in a
 *      closed loop for `seconds` (spread over the web processes); accepted events/s and
 *      202 latency at saturation. Stored: run_events rows counted every second by a
 *      separate connection; stored events/s over the window, backlog left at its end,
 *      time to drain it. Time until visible: once a second, a one-event request to a
 *      fresh run, then GET /api/v1/runs/{id} polled every 20 ms until it shows the event.
 *   2. The target, offered: an open loop at a fixed rate (`rate` events/s in batches of
 *      `rateBatch`, default 20,000/s in 250s for 60 s); accepted and stored events/s, the
 *      backlog left at its end, 202 latency p50/p99 and time until visible at that rate.
 *   3. The run page on a 100,000-event run: time from navigation to the first timeline
 *      rows painted, and to the last rows after a jump to the end (Chromium).
 */
import { execSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { chromium } from "@playwright/test";
import pg from "pg";
import { signAgentToken } from "@/lib/agents/agent-token";
import { authState } from "@/lib/agents/auth-state";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { hashSecret } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { createTestAgent, createTestCredential, createTestTenant } from "@/lib/testing/factories";
import { seedLargeRun } from "@/lib/testing/seed-large-run";
import { benchDatabase, cpuByComponent, cpuShare, generateLoad, mergeLoads, percentile, startAgentApi, startServer, startWorker, stopServer, waitUntilUp } from "./support";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another `next start` on the build startServer made (web processes scale out). */
async function startMore(port: number): Promise<ChildProcess> {
  const env = { ...process.env, NEXT_DIST_DIR: ".next-bench", NODE_ENV: "production" } as NodeJS.ProcessEnv;
  const server = spawn("npx", ["next", "start", "-p", String(port)], { stdio: "ignore", env, detached: true });
  return waitUntilUp(server, port, "next start");
}

/** A realistic mix: model calls, tool calls with args and output, side effects, logs. */
function makeEvents(prefix: string, run: string, count: number, seq: { n: number }) {
  return Array.from({ length: count }, () => {
    const n = seq.n++;
    const id = `${prefix}-${n}`;
    const ts = new Date().toISOString();
    switch (n % 4) {
      case 0:
        return { id, run_id: run, type: "model.call", ts, model: "gpt-x", input_tokens: 4120, output_tokens: 980, cost_usd: 0.027, latency_ms: 1840 };
      case 1:
        return {
          id, run_id: run, type: "tool.call", ts, decision_id: `dec_${n}`, tool: "stripe", operation: "refunds.create",
          args: { charge_id: `ch_${n}`, amount_cents: 7500, reason: "duplicate" }, status: "ok", latency_ms: 184, output: { id: `re_${n}`, status: "succeeded" },
        };
      case 2:
        return { id, run_id: run, type: "side_effect", ts, system: "stripe", object_type: "refund", object_id: `re_${n}`, url: `https://dashboard.stripe.com/refunds/re_${n}` };
      default:
        return { id, run_id: run, type: "log", ts, level: "info", message: `Refund re_${n} issued for ticket ZD-${n}` };
    }
  });
}

/**
 * The run page on a seeded 100,000-event run, five times: time from navigation to the first
 * timeline rows, and from a jump to the end to the last rows (Chromium). Sorted.
 */
async function measureRunPage(opts: { owner: pg.Client; base: string; tenantSlug: string; userId: string; email: string }) {
  const large = await seedLargeRun({ ownerUrl: process.env.MIGRATE_DATABASE_URL!, tenantSlug: opts.tenantSlug, events: 100_000 });
  const password = `bench-${randomBytes(6).toString("hex")}`;
  await opts.owner.query(`UPDATE users SET "passwordHash" = $1 WHERE id = $2`, [await hashSecret(password), opts.userId]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const paints: number[] = [];
  const ends: number[] = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: opts.base })).newPage();
    await page.goto("/signin");
    await page.getByLabel("Email").fill(opts.email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/t\//);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await page.goto(`/t/${opts.tenantSlug}/runs/${large.runId}`);
      await page.getByTestId("timeline").locator('[data-index="0"]').getByText("run.started").waitFor();
      paints.push(performance.now() - started);
      const jump = performance.now();
      await page.getByTestId("timeline").evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.getByTestId("timeline").locator('[data-index="99999"]').getByText("run.finished").waitFor();
      ends.push(performance.now() - jump);
    }
  } finally {
    await browser.close();
  }
  return { paints: paints.sort((a, b) => a - b), ends: ends.sort((a, b) => a - b) };
}

export async function benchIngest(
  opts: { seconds?: number; clients?: number; batch?: number; port?: number; web?: number; rate?: number; rateBatch?: number; rateSeconds?: number; agentApiProcesses?: number; page?: boolean } = {},
) {
  const seconds = opts.seconds ?? 60;
  const clients = opts.clients ?? 8;
  const batch = opts.batch ?? 250;
  const port = opts.port ?? 3300;
  const web = opts.web ?? 1;
  const rate = opts.rate ?? 20_000;
  const rateBatch = opts.rateBatch ?? 250;
  const rateSeconds = opts.rateSeconds ?? 60;
  const loadBefore = os.loadavg()[0]!; // others' work on the machine (before our build)
  const dropDatabase = await benchDatabase();
  const servers: ChildProcess[] = [];
  let worker: ChildProcess | null = null;
  const owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
  try {
    await ensureSigningKey();
    const { tenant, owner: ownerCtx } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, ownerCtx.user.id);
    const credential = await createTestCredential(tenant.id, agent.id);
    const { token } = await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: 3600 });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    // Events go to the Next.js server(s), or with `agentApiProcesses` to the agent API server;
    // the run page is always Next's.
    const agentApiPort = port + 50;
    // Without the page (`page: false`, agent API only) no Next.js server is built or started.
    const withPage = opts.page ?? true;
    const base = `http://127.0.0.1:${port}`; // Next.js: the run page
    const bases = opts.agentApiProcesses ? [`http://127.0.0.1:${agentApiPort}`] : Array.from({ length: web }, (_, i) => `http://127.0.0.1:${port + i}`);
    const probeBase = bases[0]!; // where events go: the probes read the run back there too

    if (withPage || !opts.agentApiProcesses) servers.push(await startServer(port)); // builds .next-bench
    if (opts.agentApiProcesses) servers.push(await startAgentApi(agentApiPort, opts.agentApiProcesses));
    else for (let i = 1; i < web; i++) servers.push(await startMore(port + i));
    worker = await startWorker();

    // Stored events, from the run summaries the worker updates in the same transaction as the
    // rows: exact, and a few rows to read, where count(*) over half a million events every
    // second took Postgres CPU from the system under test.
    const count = async () => Number((await owner.query<{ n: string }>(`SELECT coalesce(sum("eventCount"), 0) AS n FROM runs WHERE "tenantId" = $1`, [tenant.id])).rows[0]!.n);
    const post = async (events: unknown[], to = bases[0]!) => {
      const started = performance.now();
      const res = await fetch(`${to}/api/v1/events`, { method: "POST", headers, body: JSON.stringify({ events }) });
      const body = (await res.json()) as { accepted?: number };
      return { status: res.status, ms: performance.now() - started, accepted: body.accepted ?? 0 };
    };

    // Warm-up: compile paths, fill connection pools.
    const warm = { n: 0 };
    for (let i = 0; i < 20; i++) await post(makeEvents("warm", "run_warm", batch, warm));
    while ((await count()) < 20 * batch) await sleep(100);

    // 1–3: load, stored rate, time until visible.
    const storedAtStart = await count();
    const samples: { t: number; stored: number }[] = [];
    const visible: number[] = [];
    const cpuBefore = cpuByComponent();
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ t: (performance.now() - t0) / 1000, stored: (await count()) - storedAtStart });
        await sleep(1_000);
      }
    })();
    const probe = async (until: number, into: number[]) => {
      for (let k = 0; performance.now() < until - 2_000; k++) {
        const run = `run_probe_${k}_${randomBytes(3).toString("hex")}`;
        const ack = await post(makeEvents(`probe-${run}`, run, 1, { n: 0 })).catch((error: Error) => {
          // Seen a few times: the agent API refused connections mid-run. What was running then:
          const processes = execSync("ps -eo pid,pgid,stat,etime,args | grep -E 'agent-api|workers/index' | grep -v grep || true").toString();
          console.error(`${new Date().toISOString()} probe failed: ${String(error.cause ?? error)}\n${processes}`);
          return { status: 0, ms: 0, accepted: 0 };
        });
        if (ack.status !== 202) continue;
        const acked = performance.now();
        for (;;) {
          const res = await fetch(`${probeBase}/api/v1/runs/${run}`, { headers });
          if (res.ok && ((await res.json()) as { totals: { events: number } }).totals.events >= 1) break;
          await res.arrayBuffer().catch(() => {});
          if (performance.now() - acked > 30_000) break;
          await sleep(20);
        }
        into.push(performance.now() - acked);
        await sleep(1_000);
      }
    };
    const prober = probe(end, visible);
    // Request i carries events e{{i}}-0 … (unique ids), spread over one run per client.
    const templates = Array.from({ length: clients }, (_, c) => JSON.stringify({ events: makeEvents("e{{i}}", `run_load_${c}`, batch, { n: 0 }) }));
    const capacity = mergeLoads(
      await Promise.all(
        bases.map((b) => generateLoad({ url: `${b}/api/v1/events`, headers, bodies: templates, concurrency: Math.ceil(clients / bases.length), seconds, sumField: "accepted" })),
      ),
    );
    const accepted = capacity.summed;
    const loadSeconds = (performance.now() - t0) / 1000;
    const cpuAfter = cpuByComponent();
    const loadDuring = os.loadavg()[0]!;
    await prober;
    const storedAtEnd = (await count()) - storedAtStart;
    const drainStart = performance.now();
    const target = accepted + visible.length;
    while ((await count()) - storedAtStart < target && performance.now() - drainStart < 300_000) await sleep(250);
    const drainSeconds = (performance.now() - drainStart) / 1000;
    sampling = false;
    await sampler;
    visible.sort((a, b) => a - b);
    // Stored rate over the load window, from the samples (first to last sample inside it).
    const inside = samples.filter((s) => s.t <= loadSeconds);
    const storedPerSecond = inside.length > 1 ? (inside.at(-1)!.stored - inside[0]!.stored) / (inside.at(-1)!.t - inside[0]!.t) : NaN;
    const perSecondSeries = inside.slice(1).map((s, i) => s.stored - inside[i]!.stored);

    // 2: a fixed offered rate (open loop: sent on schedule, latency counted from when each
    // request was due), by default the target: 20,000 events/s for 60 s. Stored per second
    // over the same window, and what was left queued at its end.
    const storedBeforeOpen = await count();
    const openStart = performance.now();
    const visibleAtRate: number[] = [];
    const rateProber = probe(openStart + rateSeconds * 1000, visibleAtRate);
    const openTemplates = Array.from({ length: 16 }, (_, r) => JSON.stringify({ events: makeEvents("open{{i}}", `run_open_${r}`, rateBatch, { n: 0 }) }));
    const open = mergeLoads(
      await Promise.all(
        bases.map((b) => generateLoad({ url: `${b}/api/v1/events`, headers, bodies: openTemplates, rate: rate / rateBatch / bases.length, seconds: rateSeconds, sumField: "accepted" })),
      ),
    );
    const openSeconds = (performance.now() - openStart) / 1000;
    const storedDuringOpen = (await count()) - storedBeforeOpen;
    await rateProber;
    visibleAtRate.sort((a, b) => a - b);

    // 3: the run page on 100,000 events.
    const { paints, ends } = withPage ? await measureRunPage({ owner, base, tenantSlug: tenant.slug, userId: ownerCtx.user.id, email: ownerCtx.user.email }) : { paints: [], ends: [] };

    return {
      seconds: loadSeconds, clients, batch,
      requests: capacity.requests,
      statuses: capacity.statuses,
      acceptedPerSecond: accepted / loadSeconds,
      storedPerSecond,
      storedDuringLoad: storedAtEnd,
      minStoredSecond: Math.min(...perSecondSeries),
      backlogAtEnd: accepted - storedAtEnd,
      drainSeconds,
      ackP50: percentile(capacity.latencies, 50), ackP99: percentile(capacity.latencies, 99), ackMax: capacity.latencies.at(-1) ?? NaN,
      visibleP50: percentile(visible, 50), visibleP99: percentile(visible, 99), visibleMax: visible.at(-1) ?? NaN, probes: visible.length,
      firstPaintMedian: percentile(paints, 50), firstPaintMax: paints.at(-1)!, endMedian: percentile(ends, 50),
      loadBefore, loadDuring,
      cpu: cpuShare(cpuBefore, cpuAfter, loadSeconds, Math.max(1, storedAtEnd)),
      visibleAtRateP50: percentile(visibleAtRate, 50), visibleAtRateP99: percentile(visibleAtRate, 99), visibleAtRateProbes: visibleAtRate.length,
      web, via: opts.agentApiProcesses ? `the agent API server (${opts.agentApiProcesses} processes)` : `${web} Next.js web process(es)`, rate, rateBatch, rateSeconds, openAchieved: open.summed / openSeconds, openStoredPerSecond: storedDuringOpen / openSeconds, openBacklogAtEnd: open.summed - storedDuringOpen, openFailures: open.failures, openP50: percentile(open.latencies, 50), openP99: percentile(open.latencies, 99), openMax: open.latencies.at(-1) ?? NaN, openServerP99: percentile(open.serverMs, 99),
    };
  } finally {
    worker?.kill("SIGTERM");
    for (const server of servers) stopServer(server);
    await owner.end();
    await authState.close();
    await db().$disconnect();
    await sleep(1_000);
    await dropDatabase();
  }
}
