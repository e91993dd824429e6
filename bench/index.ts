// `npm run bench`: every benchmark, printed as rates and ratios with the machine noted.
// `npm run bench -- auth` (or decisions) runs one.
import { benchAuth } from "./auth";
import { benchDecisionsHttp, benchEngine } from "./decisions";
import { machine } from "./support";

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const only = process.argv[2];

console.log(`machine: ${machine()}`);

if (!only || only === "auth") {
  const auth = await benchAuth();
  console.log("\n== agent authentication: GET /api/v1/whoami with a valid token vs. without one (401 before any verification)");
  console.log("   server (next start) and load generator share this machine's two cores");
  console.log(`in-process verification, warm cache:  ${fmt(auth.perCallUs)} µs/call  (${fmt(1e6 / auth.perCallUs, 0)} verifications/s on one core)`);
  console.log(`throughput, 16 concurrent clients:  valid ${fmt(auth.authed.perSecond, 0)} req/s vs. no token ${fmt(auth.anonymous.perSecond, 0)} req/s (ratio ${fmt(auth.authed.perSecond / auth.anonymous.perSecond, 2)}; ${auth.authed.wrongStatus} unexpected statuses)`);
  console.log(`latency, one client at a time:      valid p50 ${fmt(auth.authedSerial.p50, 2)} ms / p99 ${fmt(auth.authedSerial.p99, 2)} ms vs. no token p50 ${fmt(auth.anonymousSerial.p50, 2)} ms / p99 ${fmt(auth.anonymousSerial.p99, 2)} ms`);
  console.log(`authentication adds p50 ${fmt(auth.authedSerial.p50 - auth.anonymousSerial.p50, 2)} ms, p99 ${fmt(auth.authedSerial.p99 - auth.anonymousSerial.p99, 2)} ms per request`);
}

if (!only || only === "decisions") {
  console.log("\n== policy engine: one decision in process (target < 100 µs)");
  for (const r of benchEngine()) console.log(`${String(r.rules).padStart(4)} rules (${r.layout}): ${fmt(r.microseconds)} µs/decision, ${fmt(100 / r.microseconds, 2)}× the target budget left (${r.outcome})`);
  const http = await benchDecisionsHttp({ rate: 500, seconds: 20 });
  console.log("\n== POST /api/v1/decisions over HTTP, open loop at a fixed offered load, worker running (target p99 < 10 ms at 500/s)");
  console.log(`offered ${http.offered}/s, achieved ${fmt(http.achieved, 0)}/s over ${http.requests} requests, ${http.failures} failures`);
  console.log(`latency p50 ${fmt(http.p50, 2)} ms, p99 ${fmt(http.p99, 2)} ms, max ${fmt(http.max, 1)} ms; p99 is ${fmt(http.p99 / 10, 2)}× the 10 ms target`);
}
process.exit(0);
