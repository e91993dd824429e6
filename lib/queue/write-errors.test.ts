import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeWriteError, isDataError } from "./write-errors";

const withCode = (message: string, code?: string, cause?: unknown) => Object.assign(new Error(message, { cause }), code ? { code } : {});

describe("isDataError", () => {
  it("recognizes what writing the same data again would fail on", () => {
    expect(isDataError(withCode("unsupported Unicode escape sequence", "22P05"))).toBe(true); // pg: NUL in jsonb
    expect(isDataError(withCode("DriverAdapterError", undefined, withCode("x", "22P02")))).toBe(true); // Prisma wraps pg's error
    expect(isDataError(new Error("Invalid `tx.decision.createManyAndReturn()` invocation:\n\nJSON Error: lone leading surrogate in hex escape"))).toBe(true);
    expect(isDataError(withCode("stack depth limit exceeded", "54001"))).toBe(true);
    expect(isDataError(new RangeError("Maximum call stack size exceeded"))).toBe(true);
    expect(isDataError(z.object({ tenantId: z.string() }).safeParse({}).error)).toBe(true);
  });

  it("leaves what may pass later to retries", () => {
    expect(isDataError(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(false);
    expect(isDataError(withCode("deadlock detected", "40P01"))).toBe(false);
    expect(isDataError(withCode("terminating connection due to administrator command", "57P01"))).toBe(false);
    expect(isDataError(new Error("Connection terminated unexpectedly"))).toBe(false);
  });
});

describe("describeWriteError", () => {
  it("keeps the code and the last line of each message along the cause chain", () => {
    expect(describeWriteError(withCode("Invalid invocation\n\n  → 15 tx.x()\nfailed", undefined, withCode("unsupported Unicode escape sequence", "22P05")))).toBe(
      "failed ← 22P05 unsupported Unicode escape sequence",
    );
  });

  it("lists a schema failure's paths", () => {
    expect(describeWriteError(z.object({ receivedAt: z.iso.datetime() }).safeParse({ receivedAt: "yesterday" }).error)).toBe("Invalid job payload: receivedAt: Invalid ISO datetime");
  });
});
