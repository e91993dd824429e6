/** What JSON.parse makes of `depth` nested arrays around `leaf` (JSON.stringify itself overflows on such values). */
export function deeplyNested(depth: number, leaf: unknown = 1): unknown {
  return JSON.parse("[".repeat(depth) + JSON.stringify(leaf) + "]".repeat(depth));
}
