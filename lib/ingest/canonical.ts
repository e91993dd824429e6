/**
 * canonicalJson (lib/audit/chain.ts) for values that came out of JSON.parse, about twice
 * as fast: no Date/bigint branches, no intermediate arrays of entries. Same bytes out
 * (canonical.test.ts checks it against canonicalJson), so hashes stay verifiable offline.
 */
export function canonicalJsonOfParsed(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalJsonOfParsed(value[i]);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = "{";
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJsonOfParsed(item)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return JSON.stringify(value) ?? "null";
  }
}
