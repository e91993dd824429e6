// `npm test`: installs if needed (Chromium too, when the e2e stage runs), then runs every stage (scripts/test.ts).
import { ensureChromium, ensureInstalled, run } from "./bootstrap.mjs";

const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
ensureInstalled();
if (!only || only === "e2e") ensureChromium();
run("npx", ["tsx", "scripts/test.ts", ...process.argv.slice(2)]);
