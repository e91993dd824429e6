// `npm run bench`: every benchmark, printed as rates and ratios with the machine noted.
import { benchAuth } from "./auth";
import { machine } from "./support";

const fmt = (n: number, digits = 1) => n.toFixed(digits);

console.log(`machine: ${machine()}`);
const auth = await benchAuth();
console.log("\n== agent authentication (GET /api/v1/whoami, 16 concurrent clients, 10 s each, server and load on the same machine)");
console.log(`in-process verification, warm cache:  ${fmt(auth.perCallUs)} µs/call  (${fmt(1e6 / auth.perCallUs, 0)} verifications/s on one core)`);
console.log(`valid token:     ${fmt(auth.authed.perSecond, 0)} req/s   p50 ${fmt(auth.authed.p50, 2)} ms   p99 ${fmt(auth.authed.p99, 2)} ms   (${auth.authed.wrongStatus} unexpected statuses)`);
console.log(`no token (401):  ${fmt(auth.anonymous.perSecond, 0)} req/s   p50 ${fmt(auth.anonymous.p50, 2)} ms   p99 ${fmt(auth.anonymous.p99, 2)} ms`);
console.log(
  `authentication adds p50 ${fmt(auth.authed.p50 - auth.anonymous.p50, 2)} ms, p99 ${fmt(auth.authed.p99 - auth.anonymous.p99, 2)} ms; throughput ratio ${fmt(auth.authed.perSecond / auth.anonymous.perSecond, 2)}`,
);
process.exit(0);
