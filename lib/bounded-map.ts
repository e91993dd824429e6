/**
 * An in-process cache that cannot grow without bound: past `max` entries the least recently
 * used one is forgotten, and with `ttlMs` an entry is forgotten once it is that old (or at
 * the time `set` was given). Caches whose keys come from outside (tokens, URLs, schemas)
 * use it, so a stream of distinct keys costs memory up to `max` and no more.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly max: number,
    private readonly ttlMs = Infinity,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= Date.now()) return undefined;
    this.entries.set(key, entry); // now the most recently used
    return entry.value;
  }

  set(key: K, value: V, until = Date.now() + this.ttlMs): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
