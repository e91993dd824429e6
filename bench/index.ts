// `npm run bench`: every benchmark, printed as rates and ratios with the machine noted.
import { benchAuth } from "./auth";
import { machine } from "./support";

const fmt = (n: number, digits = 1) => n.toFixed(digits);

console.log(`machine: ${machine()}`);
const auth = await benchAuth();
console.log("\n== agent authentication: GET /api/v1/whoami with a valid token vs. without one (401 before any verification)");
console.log("   server (next start) and load generator share this machine's two cores");
console.log(`in-process verification, warm cache:  ${fmt(auth.perCallUs)} µs/call  (${fmt(1e6 / auth.perCallUs, 0)} verifications/s on one core)`);
console.log(`throughput, 16 concurrent clients:  valid ${fmt(auth.authed.perSecond, 0)} req/s vs. no token ${fmt(auth.anonymous.perSecond, 0)} req/s (ratio ${fmt(auth.authed.perSecond / auth.anonymous.perSecond, 2)}; ${auth.authed.wrongStatus} unexpected statuses)`);
console.log(`latency, one client at a time:      valid p50 ${fmt(auth.authedSerial.p50, 2)} ms / p99 ${fmt(auth.authedSerial.p99, 2)} ms vs. no token p50 ${fmt(auth.anonymousSerial.p50, 2)} ms / p99 ${fmt(auth.anonymousSerial.p99, 2)} ms`);
console.log(`authentication adds p50 ${fmt(auth.authedSerial.p50 - auth.anonymousSerial.p50, 2)} ms, p99 ${fmt(auth.authedSerial.p99 - auth.anonymousSerial.p99, 2)} ms per request`);
process.exit(0);
