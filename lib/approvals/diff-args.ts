import type { ArgChange, JsonPath } from "./schemas";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && same(a[k], b[k]));
  }
  return false;
}

/**
 * What changed from `before` to `after`, leaf by leaf: objects are compared key by key and
 * arrays index by index, so a changed amount shows as that one field. A value whose type
 * changed (say a string that became an object) is one change at its path.
 */
export function diffArgs(before: unknown, after: unknown, path: JsonPath = []): ArgChange[] {
  if (same(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const changes: ArgChange[] = [];
    for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
      if (!(key in before)) changes.push({ path: [...path, key], kind: "added", after: after[key] });
      else if (!(key in after)) changes.push({ path: [...path, key], kind: "removed", before: before[key] });
      else changes.push(...diffArgs(before[key], after[key], [...path, key]));
    }
    return changes;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: ArgChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      if (i >= before.length) changes.push({ path: [...path, i], kind: "added", after: after[i] });
      else if (i >= after.length) changes.push({ path: [...path, i], kind: "removed", before: before[i] });
      else changes.push(...diffArgs(before[i], after[i], [...path, i]));
    }
    return changes;
  }
  return [{ path, kind: "changed", before, after }];
}
