import { existsSync } from "node:fs";

/** Loads `.env` (written by `npm run up`) without overriding variables already set. */
export function loadDotEnv(file = ".env") {
  if (existsSync(file)) process.loadEnvFile(file);
}
