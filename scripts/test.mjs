// `npm test`: installs if needed, then runs every stage (scripts/test.ts).
import { ensureInstalled, run } from "./bootstrap.mjs";

ensureInstalled();
run("npx", ["tsx", "scripts/test.ts", ...process.argv.slice(2)]);
