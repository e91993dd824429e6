/**
 * What Postgres can store of an agent's JSON, checked before anything is answered or
 * queued: text and jsonb refuse NUL (\u0000) and ill-formed UTF-16 (a lone surrogate has no
 * UTF-8 form), and a value nested thousands deep overflows the stack of every recursive
 * walk after this one (canonical JSON, redaction) and Postgres' own jsonb parser.
 * The walk is iterative, so the check itself cannot overflow.
 */

/** Deeper than any real tool argument or event payload; far below what overflows a walk. */
export const MAX_JSON_DEPTH = 64;

type Unstorable = { path: (string | number)[]; message: string };

/** ES2024's String.prototype.isWellFormed (native since Node 20; tsconfig's lib predates it). */
type WellFormedCheck = string & { isWellFormed(): boolean };

/** A NUL or any surrogate: one scan finds the rare strings that need a closer look. */
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Why a string cannot be stored, or null when it can. */
function unstorableString(value: string): string | null {
  if (!SUSPECT.test(value)) return null;
  if (value.includes("\u0000")) return "must not contain the NUL character (\\u0000).";
  if (!(value as WellFormedCheck).isWellFormed()) return "must not contain a lone surrogate (ill-formed UTF-16).";
  return null;
}

/**
 * The first value Postgres could not store or that is nested deeper than `maxDepth`
 * containers (the root object counts as one), with its path; null when all is storable.
 * Only what JSON.parse produces is expected (objects, arrays, strings, numbers, booleans, null).
 */
export function findUnstorable(root: unknown, maxDepth = MAX_JSON_DEPTH): Unstorable | null {
  if (typeof root === "string") {
    const why = unstorableString(root);
    return why ? { path: [], message: `String ${why}` } : null;
  }
  if (typeof root !== "object" || root === null) return null;
  // One entry per container (never per leaf: ingest runs this on every event); a path is
  // only built for the value that is refused.
  const stack: Container[] = [{ value: root as object, key: null, parent: null, depth: 1 }];
  while (stack.length) {
    const container = stack.pop()!;
    if (container.depth > maxDepth) return { path: pathOf(container), message: `Nested deeper than ${maxDepth} levels.` };
    const refused = Array.isArray(container.value) ? walkArray(container, stack) : walkObject(container, stack);
    if (refused) return refused;
  }
  return null;
}

// Plain loops, no entry arrays: this runs on every event ingest accepts.
function walkArray(container: Container, stack: Container[]): Unstorable | null {
  const array = container.value as unknown[];
  for (let i = 0; i < array.length; i++) {
    const refused = visit(container, i, array[i], stack);
    if (refused) return refused;
  }
  return null;
}

function walkObject(container: Container, stack: Container[]): Unstorable | null {
  const object = container.value as Record<string, unknown>;
  // JSON.parse output has no inherited enumerable keys: for…in sees exactly its own.
  for (const key in object) {
    const why = unstorableString(key);
    if (why) return { path: [...pathOf(container), key], message: `Key ${why}` };
    const refused = visit(container, key, object[key], stack);
    if (refused) return refused;
  }
  return null;
}

function visit(container: Container, key: string | number, value: unknown, stack: Container[]): Unstorable | null {
  if (typeof value === "string") {
    const why = unstorableString(value);
    return why ? { path: [...pathOf(container), key], message: `String ${why}` } : null;
  }
  if (typeof value === "object" && value !== null) stack.push({ value, key, parent: container, depth: container.depth + 1 });
  return null;
}

type Container = { value: object; key: string | number | null; parent: Container | null; depth: number };

function pathOf(container: Container): (string | number)[] {
  const path: (string | number)[] = [];
  for (let c: Container | null = container; c && c.key !== null; c = c.parent) path.unshift(c.key);
  return path;
}

/** A zod refinement: the value must be storable (see findUnstorable); the issue names its path. */
export function refineStorable(value: unknown, ctx: { addIssue: (issue: { code: "custom"; message: string; path: (string | number)[]; input: unknown }) => void }) {
  const found = findUnstorable(value);
  if (found) ctx.addIssue({ code: "custom", message: found.message, path: found.path, input: value });
}

/** Lone surrogates replaced with U+FFFD (ES2024's toWellFormed, native since Node 20; tsconfig's lib predates it). */
export const wellFormed = (value: string): string => (value as string & { toWellFormed(): string }).toWellFormed();

/** NUL and lone surrogates replaced with U+FFFD. */
function storableString(value: string): string {
  return wellFormed(value).replaceAll("\u0000", "\uFFFD");
}

/**
 * Applies `fix` to every string and object key of a value from JSON.parse, in place and
 * without recursion (a deep document cannot overflow the stack); returns the value, or the
 * fixed string when the value is one.
 */
export function mapStrings<T>(root: T, fix: (text: string) => string): T {
  if (typeof root === "string") return fix(root) as T;
  const stack: object[] = typeof root === "object" && root !== null ? [root] : [];
  while (stack.length) {
    const container = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(container)) {
      let value = container[key];
      if (typeof value === "string") value = container[key] = fix(value);
      else if (typeof value === "object" && value !== null) stack.push(value);
      const fixed = Array.isArray(container) ? key : fix(key);
      if (fixed !== key) {
        delete container[key];
        container[fixed] = value;
      }
    }
  }
  return root;
}

/** A value from JSON.parse made storable in place: NUL and lone surrogates become U+FFFD; depth is left as it is. What re-driving a dead-lettered job relies on. */
export const makeStorable = <T>(root: T): T => mapStrings(root, storableString);
