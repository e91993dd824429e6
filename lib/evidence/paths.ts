import path from "node:path";
import { env } from "@/lib/env";

/** The directory evidence bundles are written to (EVIDENCE_DIR, default .data/exports). */
export function evidenceDir(): string {
  return path.resolve(process.cwd(), env().EVIDENCE_DIR);
}
