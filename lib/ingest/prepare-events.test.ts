import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/audit/chain";
import { deeplyNested } from "@/lib/testing/deep-json";
import { sha256 } from "@/lib/sha256";
import { prepareEvents } from "./prepare-events";
import { summarizeRuns } from "./summarize-runs";

const now = new Date("2026-11-21T10:00:00.000Z");
const ts = "2026-11-21T09:59:00.000Z";

describe("prepareEvents", () => {
  it("accepts the good events of a mixed batch and lists each bad one by index with paths", () => {
    const raw = [
      { id: "e1", run_id: "r1", type: "run.started", ts, input: { kind: "ticket" } },
      { id: "e2", run_id: "r1", type: "tool.call", ts, tool: "stripe", operation: "refunds.create", status: "maybe" },
      { id: "e3", run_id: "r1", type: "no.such.type", ts },
      "not an object",
      { id: "", run_id: "r1", type: "log", level: "info", message: "x" },
      { id: "e6", run_id: "r1", type: "log", ts: "yesterday", level: "info", message: "x" },
      { id: "e7", run_id: "r1", type: "model.call", ts, input_tokens: 10, output_tokens: 5, cost_usd: 0.01 },
    ];
    const { events, rejected, duplicates } = prepareEvents(raw, { paths: [], now });
    expect(events.map((e) => e.key)).toEqual(["e1", "e7"]);
    expect(duplicates).toBe(0);
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(rejected[0]!.error).toMatchObject({ code: "validation_failed", details: [{ path: "status" }] });
    expect(rejected[1]!.error.details).toEqual([{ path: "type", message: expect.stringContaining("run.started") }]);
    expect(rejected[3]!.error.details).toEqual([{ path: "id", message: "id must not be empty." }]);
    expect(rejected[4]!.error.details).toEqual([{ path: "ts", message: "ts must be an RFC 3339 time." }]);
  });

  it("rejects by index an event Postgres could not store, or nested too deep, and keeps the others", () => {
    const good = (id: string) => ({ id, run_id: "r1", type: "log", ts, level: "info", message: "fine" });
    const raw = [
      good("e1"),
      { ...good("e2"), message: "lone \udc00 surrogate" },
      { ...good("e3"), args: { "k\u0000": 1 } },
      { ...good("e4"), output: deeplyNested(10_000) },
      { ...good("e5"), run_id: "run\u0000x" },
      good("e6"),
    ];
    const { events, rejected } = prepareEvents(raw, { paths: [], now });
    expect(events.map((e) => e.key)).toEqual(["e1", "e6"]);
    expect(rejected).toEqual([
      { index: 1, error: { code: "validation_failed", message: "Event cannot be stored.", details: [{ path: "message", message: expect.stringContaining("surrogate") }] } },
      { index: 2, error: expect.objectContaining({ details: [{ path: "args.k\u0000", message: expect.stringContaining("NUL") }] }) },
      { index: 3, error: expect.objectContaining({ details: [{ path: expect.stringMatching(/^output\.0\.0/), message: expect.stringContaining("deeper") }] }) },
      { index: 4, error: expect.objectContaining({ details: [{ path: "run_id", message: expect.stringContaining("NUL") }] }) },
    ]);
  });

  it("counts a repeated id inside one batch as a duplicate", () => {
    const e = { id: "same", run_id: "r", type: "log", ts, level: "info", message: "m" };
    const { events, duplicates } = prepareEvents([e, e, { ...e, message: "changed" }], { paths: [], now });
    expect(events).toHaveLength(1);
    expect(duplicates).toBe(2);
  });

  it("hashes the original event, redacts the stored payload, and keeps server-only fields out", () => {
    const raw = {
      id: "e1", run_id: "r1", type: "tool.call", ts: "2026-11-21T11:59:00+02:00", tool: "http", operation: "get", status: "error",
      args: { headers: { authorization: "Bearer abcdefghijklmnop" } }, source: "server", agent_id: "someone-else", extra: 1,
    };
    const [event] = prepareEvents([raw], { paths: [], now }).events;
    expect(event).toMatchObject({
      key: "e1", run: "r1", type: "tool.call", ts: "2026-11-21T09:59:00.000Z", isError: true,
      hash: sha256(canonicalJson(raw)), redacted: ["args.headers.authorization"],
    });
    expect(event!.payload).toEqual({ tool: "http", operation: "get", status: "error", args: { headers: { authorization: "[REDACTED]" } }, extra: 1 });
  });

  it("defaults ts to the receive time", () => {
    const [event] = prepareEvents([{ id: "e", run_id: "r", type: "log", level: "info", message: "m" }], { paths: [], now }).events;
    expect(event!.ts).toBe(now.toISOString());
  });
});

describe("summarizeRuns", () => {
  it("adds up what each run gains from newly stored events", () => {
    const { events } = prepareEvents(
      [
        { id: "1", run_id: "a", type: "run.started", ts: "2026-11-21T09:00:00Z", model: { name: "gpt-x" }, input: { ref: "ZD-1" } },
        { id: "2", run_id: "a", type: "model.call", ts: "2026-11-21T09:00:01Z", input_tokens: 100, output_tokens: 20, cost_usd: 0.1 },
        { id: "3", run_id: "a", type: "model.call", ts: "2026-11-21T09:00:02Z", input_tokens: 1, output_tokens: 2, cost_usd: 0.2 },
        { id: "4", run_id: "a", type: "tool.call", ts: "2026-11-21T09:00:03Z", tool: "t", operation: "o", status: "error" },
        { id: "5", run_id: "a", type: "side_effect", ts: "2026-11-21T09:00:04Z", system: "s", object_type: "refund", object_id: "re_1" },
        { id: "6", run_id: "a", type: "run.finished", ts: "2026-11-21T09:00:05Z", outcome: "failed" },
        { id: "7", run_id: "b", type: "log", ts: "2026-11-21T09:00:00Z", level: "error", message: "boom" },
      ],
      { paths: [], now },
    );
    const [a, b] = summarizeRuns(events.map((e) => ({ ...e, agentId: "agt" })));
    expect(a).toMatchObject({
      run: "a", events: 6, toolCalls: 1, errors: 1, inputTokens: 101, outputTokens: 22, costMicros: 300_000, sideEffects: 1,
      firstTs: "2026-11-21T09:00:00.000Z", lastTs: "2026-11-21T09:00:05.000Z", finishedAt: "2026-11-21T09:00:05.000Z", outcome: "failed",
      meta: { input: { ref: "ZD-1" }, model: { name: "gpt-x" } },
    });
    expect(b).toMatchObject({ run: "b", events: 1, errors: 1, finishedAt: null, outcome: null });
  });

  it("counts a gateway call's attested result as a tool call with its side effects", () => {
    const base = { agentId: "agt", run: "g", ts: "2026-11-21T09:00:00.000Z", isError: false, hash: "h" };
    const [g] = summarizeRuns([
      { ...base, key: "d:call", type: "gateway.call", payload: { tool: "stripe", operation: "refunds.create" } },
      { ...base, key: "d:result", type: "gateway.result", payload: { status: 200, side_effects: [{ system: "stripe", object_type: "refund", object_id: "re_1" }] } },
    ] satisfies Parameters<typeof summarizeRuns>[0]);
    expect(g).toMatchObject({ run: "g", events: 2, toolCalls: 1, sideEffects: 1 });
  });
});
