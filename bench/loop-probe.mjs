// A diagnostic for the benches' tails: preload it into a serving process
// (FRONT_DOOR_NODE_FLAGS="--max-semi-space-size=16 --import=./bench/loop-probe.mjs") and it
// writes to stderr each garbage collection over 5 ms and each event-loop stall over 10 ms,
// with the wall-clock time, so a slow second in the load generator's timeline can be
// matched to what its process was doing.
import { PerformanceObserver, performance } from "node:perf_hooks";

const GC_KINDS = { 1: "scavenge", 2: "minor-mark-sweep", 4: "mark-compact", 8: "incremental", 16: "weak-callbacks" };
const line = (what) => process.stderr.write(`probe pid=${process.pid} t=${new Date().toISOString()} ${what}\n`);

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.duration > 5) line(`gc ${GC_KINDS[entry.detail?.kind] ?? entry.detail?.kind} ${entry.duration.toFixed(1)} ms heap=${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`);
}).observe({ entryTypes: ["gc"] });

let expected = performance.now() + 5;
setInterval(() => {
  const late = performance.now() - expected;
  if (late > 10) line(`loop stalled ${late.toFixed(1)} ms`);
  expected = performance.now() + 5;
}, 5).unref();
