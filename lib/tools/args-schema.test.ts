import { describe, expect, it } from "vitest";
import { argsChecker, argsValidator, checkArgsSchema, dialectOf } from "./args-schema";

describe("argument schemas", () => {
  it("reads the dialect from $schema, tolerating http/https and a trailing #", () => {
    expect(dialectOf({})).toBeUndefined();
    expect(dialectOf({ $schema: "https://json-schema.org/draft/2020-12/schema" })).toBe("2020-12");
    expect(dialectOf({ $schema: "https://json-schema.org/draft/2019-09/schema#" })).toBe("2019-09");
    expect(dialectOf({ $schema: "http://json-schema.org/draft-07/schema#" })).toBe("draft-07");
    expect(dialectOf({ $schema: "https://json-schema.org/draft-07/schema" })).toBe("draft-07");
    expect(dialectOf({ $schema: "http://json-schema.org/draft-06/schema#" })).toBe("draft-06");
    expect(dialectOf({ $schema: "http://json-schema.org/draft-04/schema#" })).toBeNull();
    expect(dialectOf({ $schema: 7 })).toBeNull();
  });

  it("checks each dialect by its own rules", () => {
    const tuple = { type: "array", items: [{ type: "string" }] };
    expect(checkArgsSchema(tuple).ok).toBe(false); // 2020-12: items is one schema
    expect(checkArgsSchema({ $schema: "https://json-schema.org/draft-07/schema", ...tuple })).toEqual({ ok: true, dialect: "draft-07" });
    expect(checkArgsSchema({ type: "array", prefixItems: [{ type: "string" }] })).toEqual({ ok: true, dialect: "2020-12" });
    const v = argsValidator({ $schema: "http://json-schema.org/draft-06/schema#", type: "object", properties: { n: { type: "integer", exclusiveMinimum: 0 } } });
    expect([v({ n: 1 }), v({ n: 0 })]).toEqual([true, false]);
  });

  it("refuses what would break a validator later, with readable reasons", () => {
    expect(checkArgsSchema([])).toEqual({ ok: false, errors: ["The schema must be a JSON object."] });
    expect(checkArgsSchema({ type: "object", required: "name" })).toEqual({ ok: false, errors: ["/required: must be array"] });
    expect(checkArgsSchema({ $ref: "#/$defs/missing" })).toMatchObject({ ok: false, errors: [expect.stringContaining("can't resolve reference")] });
    expect(checkArgsSchema({ $ref: "https://example.com/schema.json" })).toMatchObject({ ok: false });
    expect(checkArgsSchema({ properties: { big: { enum: Array.from({ length: 40_000 }, (_, i) => `value-${i}`) } } })).toMatchObject({ ok: false, errors: [expect.stringContaining("KB; at most 256 KB")] });
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 200; i++) deep = { items: deep };
    expect(checkArgsSchema(deep)).toMatchObject({ ok: false, errors: [expect.stringContaining("deeper than 128")] });
  });

  it("checks every pattern in linear time, refuses what has no linear-time match, and keeps ordinary ones", () => {
    // V8 would backtrack for minutes on this argument against either pattern.
    const evil = { type: "object", properties: { name: { type: "string", pattern: "^(a|aa)+$" } }, patternProperties: { "^(\\w+\\s?)*$": { type: "string" } } };
    expect(checkArgsSchema(evil)).toMatchObject({ ok: true });
    const validate = argsValidator(evil);
    expect(validate({ name: `${"a".repeat(50_000)}!` })).toBe(false);
    expect(validate({ [`${"word ".repeat(10_000)}!`]: 1 })).toBe(true); // the key matches no patternProperties pattern
    expect(validate({ name: "aaaa", "a word": 1 })).toBe(false); // `a word` does match it, so its value must be a string
    const lookahead = { type: "object", properties: { password: { type: "string", pattern: "^(?=.*[A-Z]).{8,}$" } } };
    expect(checkArgsSchema(lookahead)).toMatchObject({ ok: false, errors: [expect.stringContaining("cannot be checked in linear time")] });
    // A row stored before this check: its checker says why instead of validating.
    expect(argsChecker(lookahead)).toMatchObject({ validate: null, error: expect.stringContaining("lookaround") });
    const ordinary = { type: "object", properties: { id: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" }, slug: { type: "string", pattern: "^[a-z0-9-]{1,64}$" } } };
    expect(checkArgsSchema(ordinary)).toMatchObject({ ok: true });
    expect(argsValidator(ordinary)({ id: "0a1b2c3d-0000-1111-2222-333344445555", slug: "ok" })).toBe(true);
    expect(argsValidator(ordinary)({ id: "0a1b2c3d-0000-1111-2222-33334444555Z", slug: "ok" })).toBe(false);
  });

  it("compiles the same schema (even with an $id) again and again: ajv's cache does not keep it", () => {
    const schema = { $id: "https://gatehouse.test/args/refund", type: "object", properties: { amount: { type: "integer", format: "int32" }, email: { type: "string", format: "email" } } };
    for (let i = 0; i < 3; i++) {
      expect(checkArgsSchema(schema).ok).toBe(true);
      const validate = argsValidator(structuredClone(schema));
      expect(validate({ amount: 5, email: "a@b.test" })).toBe(true);
      expect(validate({ email: "not-an-email" })).toBe(false);
    }
  });

  it("compiles a schema once for every reload that sees the same content, and keeps why one does not compile", () => {
    const first = argsChecker({ type: "object", required: ["n"], properties: { n: { type: "integer" } } });
    // A reload reads a new object, keys in any order: the compiled function is the one kept.
    const again = argsChecker({ properties: { n: { type: "integer" } }, required: ["n"], type: "object" });
    expect(again.validate).toBe(first.validate);
    expect([first.validate!({ n: 1 }), first.validate!({})]).toEqual([true, false]);
    expect(argsChecker({ type: "object", required: "n" })).toEqual({ validate: null, error: "/required: must be array" });
    expect(argsChecker(null).validate!({})).toBe(true);
  });
});
