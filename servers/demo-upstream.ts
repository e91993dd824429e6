/**
 * The Gatehouse demo upstream (a fake payments, code-hosting, ticketing and chat service,
 * lib/demo/demo-upstream.ts) on DEMO_UPSTREAM_PORT (default 3002). `npm run up` runs it so
 * the seeded demo tools have something to call through the gateway. A demo only: never
 * point a real tool at it.
 */
import { demoUpstreamPort } from "@/lib/demo/demo-upstream-credentials";
import { DEMO_UPSTREAM_NAME, createDemoUpstream } from "@/lib/demo/demo-upstream";
import { loadDotEnv } from "@/scripts/dotenv";

loadDotEnv();
const port = demoUpstreamPort();

const upstream = createDemoUpstream();
upstream.listen(port).then(
  (url) => console.log(`${DEMO_UPSTREAM_NAME} on ${url} (what it received: ${url}/_demo/received)`),
  (error: Error) => {
    console.error(`${DEMO_UPSTREAM_NAME} could not listen on port ${port}: ${error.message}`);
    process.exit(1);
  },
);
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void upstream.close().then(() => process.exit(0)));
