import { hash } from "node:crypto";

/**
 * SHA-256 in hex, one-shot (Node ≥ 20.12): about a third of createHash().update().digest()'s
 * cost, and no Hash object, whose handle made every young-generation GC slower
 * (docs/PERFORMANCE.md). For the hashes taken on every call and event.
 */
export const sha256 = (data: string | Buffer) => hash("sha256", data, "hex");
