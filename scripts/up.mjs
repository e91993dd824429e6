// `npm run up`: install, make sure Postgres and Redis run, migrate, seed the demo tenant,
// build, and serve the console and the machine API on :3000 (servers/front-door.ts) with the worker.
import { ensureInstalled, run } from "./bootstrap.mjs";

ensureInstalled();
run("npx", ["tsx", "scripts/up.ts"]);
