import path from "node:path";
import { env } from "@/lib/env";

/**
 * The directory evidence bundles are written to (EVIDENCE_DIR, default .data/exports).
 * `turbopackIgnore`: a path built from process.cwd() cannot be analysed statically, and
 * without the comment `next build` traces the whole project into the server output.
 */
export function evidenceDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), env().EVIDENCE_DIR);
}
