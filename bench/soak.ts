/**
 * The soak (issue 13): the front door (servers/front-door.ts, its production flags) under
 * decisions at 500/s and events at 10,000/s (batches of 50 at 200/s) at once, open loop,
 * for 10 minutes, with the worker recording everything. Counts the serving processes that
 * died (the primary's cluster 'exit' events, from its log) and the requests that got no
 * answer; either fails the bench. BENCH_SOAK_SECONDS shortens it; BENCH_SOAK_FLAGS tries
 * other node flags for the serving processes (e.g. "--single-threaded-gc"); BENCH_SOAK_PORT another port.
 */
import { randomBytes } from "node:crypto";
import { authState } from "@/lib/agents/auth-state";
import { db } from "@/lib/db/client";
import { closeQueues } from "@/lib/queue/registry";
import { DECISION_BODIES, buildConsole, decisionTenant, startFrontDoor, summarize } from "./front-door";
import { benchDatabase, generateLoad, startWorker, stopServer } from "./support";
import type { ChildProcess } from "node:child_process";

const EVENTS_PER_BATCH = 50;

function eventBatch(run: string) {
  // "{{i}}" becomes the request's number: every event id is new.
  const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) =>
    k % 2
      ? { id: `e{{i}}-${k}`, run_id: run, type: "log", ts: "2026-01-01T00:00:00.000Z", level: "info", message: `step ${k} of request {{i}}` }
      : { id: `e{{i}}-${k}`, run_id: run, type: "tool.call", ts: "2026-01-01T00:00:00.000Z", tool: "stripe", operation: "refunds.create", args: { charge_id: `ch_${k}`, amount_cents: 7500 }, status: "ok", latency_ms: 184 },
  );
  return JSON.stringify({ events });
}

export async function benchSoak(opts: { seconds: number; decisionRate: number; eventRate: number; processes: number }) {
  buildConsole(); // the front door serves the console from it, and will not start without one
  const dropDatabase = await benchDatabase();
  const port = Number(process.env.BENCH_SOAK_PORT ?? 3213);
  const { headers } = await decisionTenant(opts.seconds + 1800);
  const children: ChildProcess[] = [];
  try {
    children.push(await startWorker());
    const front = await startFrontDoor(port, opts.processes, process.env.BENCH_SOAK_FLAGS);
    children.push(front.server);
    const base = `http://127.0.0.1:${port}`;
    const runs = Array.from({ length: 4 }, () => `run_soak_${randomBytes(4).toString("hex")}`);
    const probe = await fetch(`${base}/api/v1/events`, { method: "POST", headers, body: eventBatch(runs[0]!).replaceAll("{{i}}", "probe") });
    if (probe.status !== 202) throw new Error(`events endpoint answered ${probe.status}: ${(await probe.text()).slice(0, 300)}`);
    const started = Date.now();
    const [decisions, events] = await Promise.all([
      generateLoad({ url: `${base}/api/v1/decisions`, headers, bodies: DECISION_BODIES, rate: opts.decisionRate, seconds: opts.seconds }),
      // An event rate of 0 soaks decisions alone (issue 15's soak); issue 13's adds 10,000 events/s.
      opts.eventRate > 0
        ? generateLoad({ url: `${base}/api/v1/events`, headers, bodies: runs.map(eventBatch), rate: opts.eventRate / EVENTS_PER_BATCH, seconds: opts.seconds, sumField: "accepted" })
        : undefined,
    ]);
    return {
      seconds: (Date.now() - started) / 1000,
      flags: process.env.BENCH_SOAK_FLAGS,
      decisions: summarize(decisions),
      events: events && { ...summarize(events), acceptedPerSecond: events.summed / (events.elapsedMs / 1000) },
      exits: front.exits(),
    };
  } finally {
    children.forEach(stopServer);
    await closeQueues();
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}
