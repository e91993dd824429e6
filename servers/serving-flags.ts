/**
 * Node/V8 flags of the processes that serve requests (the front door and the optional agent
 * API server). No --single-threaded-gc: with that experimental flag a serving process died of
 * a V8 fatal error (`unreachable code` in Deoptimizer::DoComputeBuiltinContinuation, SIGTRAP)
 * within two minutes of `npm run bench -- soak`; without it the 10-minute soak had no exit
 * (issue 13, docs/PERFORMANCE.md "One front door"). A fixed young generation is a stable option.
 */
export const SERVING_PROCESS_FLAGS = ["--max-semi-space-size=16"];
