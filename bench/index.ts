// `npm run bench`: every benchmark, each in its own process, printed as rates and ratios with the machine noted.
// `npm run bench -- auth` (or decisions, ingest, evidence, gateway, front-door, soak) runs one; decisions also runs front-door; the 10-minute soak runs only when named (BENCH_SOAK_EVENT_RATE=0: decisions alone).
import { benchAuth } from "./auth";
import { benchDecisionsHttp, benchEngine } from "./decisions";
import { benchFrontDoor } from "./front-door";
import { benchSoak } from "./soak";
import { benchIngest } from "./ingest";
import { benchEvidence } from "./evidence";
import { benchGateway } from "./gateway";
import { machine } from "./support";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const only = process.argv[2];
/** The environment before any bench ran: each points process.env at a private database it then drops. */
const startingEnv = { ...process.env };

/**
 * Runs `npm run bench -- <name>` as a child process, with the environment this one started
 * with, and waits for it. Each bench points lib/ at a private database it drops afterwards,
 * and lib/env caches its configuration once per process, so a second bench in the same
 * process would talk to the dropped database.
 */
function runInItsOwnProcess(name: string) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name], { stdio: "inherit", env: startingEnv });
  if (child.status !== 0) process.exit(child.status ?? 1);
}

if (!only) {
  for (const name of ["auth", "decisions", "ingest", "evidence", "gateway"]) runInItsOwnProcess(name);
  process.exit(0);
}

console.log(`machine: ${machine()}`);
// Benches write their processes' logs and scratch files here; a fresh clone has no .data yet.
mkdirSync(".data", { recursive: true });

if (only === "auth") {
  const auth = await benchAuth();
  console.log("\n== agent authentication: GET /api/v1/whoami with a valid token vs. without one (401 before any verification)");
  console.log("   server (next start) and load generator share this machine's two cores");
  console.log(`in-process verification, warm cache:  ${fmt(auth.perCallUs)} µs/call  (${fmt(1e6 / auth.perCallUs, 0)} verifications/s on one core)`);
  console.log(`throughput, 16 concurrent clients:  valid ${fmt(auth.authed.perSecond, 0)} req/s vs. no token ${fmt(auth.anonymous.perSecond, 0)} req/s (ratio ${fmt(auth.authed.perSecond / auth.anonymous.perSecond, 2)}; ${auth.authed.wrongStatus} unexpected statuses)`);
  console.log(`latency, one client at a time:      valid p50 ${fmt(auth.authedSerial.p50, 2)} ms / p99 ${fmt(auth.authedSerial.p99, 2)} ms vs. no token p50 ${fmt(auth.anonymousSerial.p50, 2)} ms / p99 ${fmt(auth.anonymousSerial.p99, 2)} ms`);
  console.log(`authentication adds p50 ${fmt(auth.authedSerial.p50 - auth.anonymousSerial.p50, 2)} ms, p99 ${fmt(auth.authedSerial.p99 - auth.anonymousSerial.p99, 2)} ms per request`);
}

if (only === "decisions") {
  console.log("\n== policy engine: one decision in process (target < 100 µs)");
  for (const r of benchEngine()) console.log(`${String(r.rules).padStart(4)} rules (${r.layout}): ${fmt(r.microseconds)} µs/decision, ${fmt(100 / r.microseconds, 2)}× the target budget left (${r.outcome})`);
  const processes = Number(process.env.BENCH_AGENT_API_PROCESSES ?? 2);
  const seconds = Number(process.env.BENCH_DECISIONS_SECONDS ?? 30);
  const http = await benchDecisionsHttp({ rate: 500, sustainableRate: 200, seconds, agentApiProcesses: processes, drainRecords: Number(process.env.BENCH_DECISIONS_DRAIN ?? 20_000) });
  console.log("\n== POST /api/v1/decisions over HTTP with everything running: server, the worker recording every decision, Postgres, Redis and the load generator (bench/load-generator.mjs, open loop) share the two cores (target p99 <= 10 ms at 500/s)");
  const cpu = (c: { component: string; cores: number; usPerUnit: number }[]) => c.map((x) => `${x.component} ${fmt(x.usPerUnit, 0)} µs`).join(", ");
  const line = (label: string, r: { achieved: number; p50: number; p99: number; max: number; failures: number; requests: number; serverP99: number; loadAverage: number; cpu: { component: string; cores: number; usPerUnit: number }[] }) =>
    console.log(
      `${label} achieved ${fmt(r.achieved, 0)}/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 1)} ms, ${r.failures} failures of ${r.requests}; p99 is ${fmt(r.p99 / 10, 2)}× the 10 ms target` +
        (Number.isNaN(r.serverP99) ? "" : `; in the server (Server-Timing) p99 ${fmt(r.serverP99, 2)} ms`) +
        `\n    CPU per decision: ${cpu(r.cpu)}; load average ${fmt(r.loadAverage, 2)}`,
    );
  const closed = (label: string, c: { perSecond: number; p50: number; p99: number; wrongStatus: number }) =>
    console.log(`${label} ${fmt(c.perSecond, 0)} decisions/s, p50 ${fmt(c.p50, 2)} ms, p99 ${fmt(c.p99, 2)} ms (${c.wrongStatus} unexpected statuses)`);
  if (http.viaNext) {
    closed("Next.js (next start), closed loop, 16 clients:", http.viaNext.capacity);
    line("Next.js, open loop, 500/s offered:", http.viaNext.target);
  }
  line("baseline, bare node:http handler, open loop, 200/s offered:", http.bareHandler.sustainable);
  line("baseline, bare node:http handler, open loop, 500/s offered:", http.bareHandler.target);
  closed(`agent API server (${processes} processes), closed loop, 16 clients:`, http.viaAgentApi.capacity);
  const atCapacity = http.viaAgentApi.capacity;
  console.log(`    the worker recorded those ${atCapacity.rows} decisions with ${fmt(atCapacity.workerCpuSeconds, 2)} s of CPU: ${fmt(atCapacity.perWorkerCore, 0)} records/s per worker core (target >= 5,000)`);
  line("agent API server, open loop, 200/s offered:", http.viaAgentApi.sustainable);
  line("agent API server, open loop, 500/s offered:", http.viaAgentApi.target);
  console.log(`agent API server vs the bare handler, same load: p99 ${fmt(http.viaAgentApi.sustainable.p99 / http.bareHandler.sustainable.p99, 1)}× at 200/s, ${fmt(http.viaAgentApi.target.p99 / http.bareHandler.target.p99, 1)}× at 500/s`);
  if (http.viaNext)
    console.log(`agent API server vs Next.js: ${fmt(http.viaAgentApi.capacity.perSecond / http.viaNext.capacity.perSecond, 2)}× the throughput; p99 at 500/s ${fmt(http.viaNext.target.p99 / http.viaAgentApi.target.p99, 0)}× lower`);
  console.log("with quotas on (3 limits on every call, reserved in one Redis round trip), agent API server:");
  closed("closed loop, 16 clients:", http.withQuotas.capacity);
  line("open loop, 200/s offered:", http.withQuotas.sustainable);
  line("open loop, 500/s offered:", http.withQuotas.target);
  console.log(`quotas cost: ${fmt(http.withQuotas.capacity.perSecond / http.viaAgentApi.capacity.perSecond, 2)}× the throughput without; p99 at 500/s ${fmt(http.withQuotas.target.p99 / http.viaAgentApi.target.p99, 2)}× without`);
  console.log(`records still queued when the load stopped: ${http.backlogAfterLoad}`);
  const d = http.drain;
  console.log(
    `worker drain, worst case: ${d.records} queued decision records (row + audit entry + timeline event, one stream entry each, as when no group commit forms) recorded in ${fmt(d.seconds)} s (${fmt(d.records / d.seconds, 0)}/s wall clock) ` +
      `with ${fmt(d.workerCpuSeconds, 2)} s of worker CPU = ${fmt(d.perWorkerCore, 0)} records/s per worker core\n    CPU per record: ${cpu(d.cpu)}`,
  );
}
if (only === "ingest") {
  const seconds = Number(process.env.BENCH_INGEST_SECONDS ?? 60);
  const r = await benchIngest({
    seconds,
    clients: Number(process.env.BENCH_INGEST_CLIENTS ?? 8),
    batch: Number(process.env.BENCH_INGEST_BATCH ?? 250),
    web: Number(process.env.BENCH_INGEST_WEB ?? 1),
    rate: Number(process.env.BENCH_INGEST_RATE ?? 20_000),
    rateBatch: Number(process.env.BENCH_INGEST_RATE_BATCH ?? 250),
    rateSeconds: Number(process.env.BENCH_INGEST_RATE_SECONDS ?? seconds),
    // Events go to the agent API server (2 processes), where agents send them under `npm run up`;
    // BENCH_INGEST_AGENT_API=0 sends them to Next.js instead.
    agentApiProcesses: Number(process.env.BENCH_INGEST_AGENT_API ?? 2) || undefined,
    // BENCH_INGEST_PAGE=0 (with the agent API): skip the Next.js build and the run-page measurement.
    page: process.env.BENCH_INGEST_PAGE !== "0",
  });
  console.log(`\n== ingest: POST /api/v1/events for ${fmt(r.seconds, 0)} s, ${r.clients} clients × ${r.batch}-event batches (closed loop) over ${r.via}; web, one worker, Postgres, Redis and the load generator share the two cores (target ≥ 20,000 events/s stored, p99 ack < 50 ms)`);
  console.log(`acknowledged: ${fmt(r.acceptedPerSecond, 0)} events/s over ${r.requests} requests ${JSON.stringify(r.statuses)}; 202 latency p50 ${fmt(r.ackP50, 1)} ms, p99 ${fmt(r.ackP99, 1)} ms, max ${fmt(r.ackMax, 0)} ms`);
  console.log(`stored:       ${fmt(r.storedPerSecond, 0)} events/s sustained (slowest second ${fmt(r.minStoredSecond, 0)}); backlog at the end ${r.backlogAtEnd} events, drained in ${fmt(r.drainSeconds, 1)} s`);
  console.log(`CPU during the capacity phase (cores busy, µs per stored event): ${r.cpu.map((c) => `${c.component} ${fmt(c.cores, 2)} (${fmt(c.usPerUnit, 0)} µs)`).join(", ")}`);
  console.log(`fixed rate:   ${r.rate} events/s offered for ${fmt(r.rateSeconds, 0)} s in ${r.rateBatch}-event batches (open loop): accepted ${fmt(r.openAchieved, 0)}/s, stored ${fmt(r.openStoredPerSecond, 0)}/s (backlog at the end ${r.openBacklogAtEnd} events); 202 latency p50 ${fmt(r.openP50, 1)} ms, p99 ${fmt(r.openP99, 1)} ms, max ${fmt(r.openMax, 0)} ms, ${r.openFailures} failures; in the server (Server-Timing) p99 ${fmt(r.openServerP99, 1)} ms`);
  console.log(`visible:      202 → run readable through the API: at saturation p50 ${fmt(r.visibleP50, 0)} ms, p99 ${fmt(r.visibleP99, 0)} ms, max ${fmt(r.visibleMax, 0)} ms (${r.probes} probes); at the fixed rate p50 ${fmt(r.visibleAtRateP50, 0)} ms, p99 ${fmt(r.visibleAtRateP99, 0)} ms (${r.visibleAtRateProbes} probes)`);
  console.log(`machine load (1-min average): ${fmt(r.loadBefore, 1)} before the bench started, ${fmt(r.loadDuring, 1)} at the end of the capacity phase (this bench alone keeps it near 4-5; more means other work competed)`);
  if (r.firstPaintMedian) console.log(`run page, 100,000 events: first timeline rows ${fmt(r.firstPaintMedian, 0)} ms after navigation (median of 5, max ${fmt(r.firstPaintMax, 0)}); last rows ${fmt(r.endMedian, 0)} ms after a jump to the end`);
}
if (only === "evidence") {
  const r = await benchEvidence();
  console.log("\n== evidence export: 1,000,000 run events (+ their decisions) in one tenant, sealed into a signed digest, exported by a separate process like the worker (binary COPY pages → files → signed manifest → tar.gz); Postgres and the exporter share the two cores (targets ≥ 50,000 rows/s, peak memory growth < 150 MB)");
  console.log(`seed: ${fmt(r.seedSeconds)} s; sealing the digest over ${r.sealedEvents.toLocaleString("en-US")} events + decisions: ${fmt(r.sealSeconds)} s = ${fmt(r.sealedEvents / r.sealSeconds, 0)} events/s`);
  console.log(`export: ${r.rows.toLocaleString("en-US")} rows (${r.events.toLocaleString("en-US")} events) in ${fmt(r.exportSeconds)} s = ${fmt(r.rows / r.exportSeconds, 0)} rows/s; bundle ${fmt(r.bytes / 2 ** 20)} MB`);
  console.log(`exporting process memory: idle RSS ${fmt(r.idleRssMb, 0)} MB, peak RSS ${fmt(r.peakRssMb, 0)} MB, growth ${fmt(r.growthMb, 0)} MB`);
  console.log(`offline verifier on the bundle: ${r.verified ? "VALID" : `INVALID (${r.problem})`} in ${fmt(r.verifySeconds)} s = ${fmt(r.rows / r.verifySeconds, 0)} rows/s; load average at the end ${fmt(r.load, 1)}`);
}

if (only === "gateway") {
  const rate = Number(process.env.BENCH_GATEWAY_RATE ?? 500);
  const mcpRate = Number(process.env.BENCH_MCP_RATE ?? 300);
  // BENCH_GATEWAY_MCP_ONLY=1: the MCP phases alone (a profile of them, a quicker comparison).
  const { http: h, mcp } = await benchGateway({ rate, mcpRate, seconds: Number(process.env.BENCH_GATEWAY_SECONDS ?? 30), agentApiProcesses: Number(process.env.BENCH_AGENT_API_PROCESSES ?? 2), mcpOnly: process.env.BENCH_GATEWAY_MCP_ONLY === "1" });
  // Server-Timing (the handler's own time, from when its process read the request) only where the server sends it: Gatehouse does, the upstreams do not.
  const line = (label: string, x: { achieved: number; p50: number; p99: number; max: number; serverP50: number; serverP99: number; failures: number; requests: number; slowSeconds: string }) =>
    console.log(
      `${label} achieved ${fmt(x.achieved, 0)}/s, p50 ${fmt(x.p50, 2)} ms, p99 ${fmt(x.p99, 2)} ms, max ${fmt(x.max, 1)} ms, ${x.failures} failures of ${x.requests}${Number.isNaN(x.serverP99) ? "" : ` (Server-Timing p50 ${fmt(x.serverP50, 2)}, p99 ${fmt(x.serverP99, 2)} ms)`}\n    slow seconds: ${x.slowSeconds}`,
    );
  if (h) {
    console.log(`\n== gateway: POST /api/v1/gateway/{tool}/{operation} vs. the same call straight to the upstream (a bare node:http handler), ${rate}/s offered, worker recording (target: overhead p99 ≤ 3 ms)`);
    line("direct to the upstream:", h.direct);
    line("floor (bench/floor-proxy.mjs):", h.floor);
    line("through the gateway:   ", h.gateway);
    console.log(`gateway overhead: p50 ${fmt(h.gateway.p50 - h.direct.p50, 2)} ms, p99 ${fmt(h.gateway.p99 - h.direct.p99, 2)} ms (${fmt((h.gateway.p99 - h.direct.p99) / 3, 2)}× the 3 ms target); statuses ${JSON.stringify(h.gateway.statuses)}`);
    console.log(`floor overhead (the gateway's hops and records, none of its logic): p50 ${fmt(h.floor.p50 - h.direct.p50, 2)} ms, p99 ${fmt(h.floor.p99 - h.direct.p99, 2)} ms; the gateway over the floor: p99 ${fmt(h.gateway.p99 - h.floor.p99, 2)} ms`);
    console.log(`CPU per component while the floor ran: ${h.floor.cpu.map((c) => `${c.component} ${fmt(c.cores, 2)} cores (${fmt(c.usPerUnit, 0)} µs/call)`).join(", ")}`);
    console.log(`CPU per component while the gateway ran: ${h.cpu.map((c) => `${c.component} ${fmt(c.cores, 2)} cores (${fmt(c.usPerUnit, 0)} µs/call)`).join(", ")}`);
    console.log(`closed loop, 16 clients: bare node:http ${fmt(h.capacity.direct.perSecond, 0)}/s vs. gateway ${fmt(h.capacity.gateway.perSecond, 0)}/s (ratio ${fmt(h.capacity.gateway.perSecond / h.capacity.direct.perSecond, 3)}); gateway p99 ${fmt(h.capacity.gateway.p99, 2)} ms, ${h.capacity.gateway.wrongStatus} unexpected statuses`);
  }
  console.log(`\n== MCP: tools/call through POST /api/v1/mcp to a remote MCP server (the SDK's McpServer, own process) vs. the same tools/call sent to it directly in an open session, ${mcpRate}/s offered, worker recording (target: overhead p99 ≤ 5 ms)`);
  line("direct to the MCP server:", mcp.direct);
  line("through Gatehouse:       ", mcp.gateway);
  console.log(`MCP overhead: p50 ${fmt(mcp.gateway.p50 - mcp.direct.p50, 2)} ms, p99 ${fmt(mcp.gateway.p99 - mcp.direct.p99, 2)} ms (${fmt((mcp.gateway.p99 - mcp.direct.p99) / 5, 2)}× the 5 ms target); statuses ${JSON.stringify(mcp.gateway.statuses)}`);
  console.log(`CPU per component while MCP calls ran: ${mcp.cpu.map((c) => `${c.component} ${fmt(c.cores, 2)} cores (${fmt(c.usPerUnit, 0)} µs/call)`).join(", ")}`);
  console.log(`tools/list over HTTP, ${mcp.list.tools} tools (a 500-operation tool and more), one at a time, to the last byte: p50 ${fmt(mcp.list.p50, 2)} ms, p99 ${fmt(mcp.list.p99, 2)} ms (target < 20 ms); with the bench's own JSON.parse p99 ${fmt(mcp.list.parsedP99, 2)} ms; in the server (Server-Timing) p99 ${fmt(mcp.list.serverP99, 2)} ms; slowest ${mcp.list.slowest.map((t) => fmt(t, 1)).join(", ")} ms`);
}

if (only === "decisions") runInItsOwnProcess("front-door"); // the decision endpoint at the console's base URL next to a bare handler (issue 14)
if (only === "front-door") {
  const processes = Number(process.env.BENCH_FRONT_DOOR_PROCESSES ?? 2);
  const r = await benchFrontDoor({ rate: 500, seconds: 30, processes });
  console.log(`\n== the front door (servers/front-door.ts, ${processes} processes: console and machine API on one port) vs a bare node:http handler, POST /api/v1/decisions at 500/s offered (open loop, 30 s each), the worker recording decisions meanwhile (target: front door p99 ≤ 2× bare p99 + 3 ms)`);
  const line = (label: string, s: typeof r.bare) =>
    console.log(`${label} achieved ${fmt(s.achieved, 0)}/s, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, max ${fmt(s.max, 1)} ms, ${s.failures} failures of ${s.requests} ${JSON.stringify(s.statuses)}\n    slow seconds: ${s.slowSeconds}\n    CPU per decision: ${s.cpu.map((c) => `${c.component} ${fmt(c.usPerUnit, 0)} µs (${fmt(c.cores, 2)} cores)`).join(", ")}`);
  line("bare node:http handler:", r.bare);
  line("front door:            ", r.front);
  line("agent API server alone: ", r.lean);
  const budget = 2 * r.bare.p99 + 3;
  console.log(`front door p99 ${fmt(r.front.p99, 2)} ms vs budget ${fmt(budget, 2)} ms: ${r.front.p99 <= budget ? "within" : "OVER"}; same port through Next.js: /signin ${r.consolePages.signin}, /api/console/tenants ${r.consolePages.consoleApi}; serving processes exited: ${r.exits}`);
}
if (only === "soak") {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
  const eventRate = Number(process.env.BENCH_SOAK_EVENT_RATE ?? 10_000);
  const r = await benchSoak({ seconds, decisionRate: 500, eventRate, processes: Number(process.env.BENCH_FRONT_DOOR_PROCESSES ?? 2) });
  console.log(`\n== soak: the front door for ${fmt(r.seconds, 0)} s under 500 decisions/s and ${eventRate.toLocaleString("en")} events/s (batches of 50) at once, worker running; node flags ${r.flags ?? "(the front door's own)"}`);
  const line = (label: string, s: typeof r.decisions) =>
    console.log(`${label} achieved ${fmt(s.achieved, 0)}/s, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, max ${fmt(s.max, 1)} ms, ${s.failures} failures of ${s.requests} ${JSON.stringify(s.statuses)}`);
  line("decisions:", r.decisions);
  if (r.events) line("event batches:", r.events);
  console.log(`events accepted: ${fmt(r.events?.acceptedPerSecond ?? 0, 0)}/s; serving processes exited: ${r.exits.length}`);
  r.exits.forEach((e) => console.log(`  ${e}`));
  const connectionErrors = [r.decisions, r.events].reduce((n, s) => n + (s?.statuses.error ?? 0) + (s?.statuses.timeout ?? 0), 0);
  if (r.exits.length || connectionErrors) {
    console.log(`SOAK FAILED: ${r.exits.length} process exits, ${connectionErrors} requests without an answer`);
    process.exit(1);
  }
  console.log("soak passed: no process exits, every request answered");
}
process.exit(0);
