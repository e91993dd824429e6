// `npm run up`: install, make sure Postgres and Redis run, migrate, seed the demo tenant,
// build, and serve the console on :3000 together with the worker.
import { ensureInstalled, run } from "./bootstrap.mjs";

ensureInstalled();
run("npx", ["tsx", "scripts/up.ts"]);
