import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePath, redactString, redactValue, redactionPathSyntax } from "./redact";

const SECRETS: [string, string][] = [
  ["bearer header", "Authorization: Bearer abcDEF123456ghiJKL789"],
  ["OpenAI key", "sk-proj-Abcdefghijklmnopqrstuvwx1234"],
  ["Anthropic key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345"],
  ["Stripe secret key", "sk_live_51Habcdefghijklmnop"],
  ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
  ["GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"],
  ["Slack token", "xoxb-1234567890-abcdefghijklmn"],
  ["AWS access key", "AKIAIOSFODNN7EXAMPLE"],
  ["Google API key", "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234"],
  ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"],
  ["Gatehouse client secret", "ghs.cred_0123456789abcdef.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"],
  ["private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"],
  ["URL credentials", "postgres://admin:hunter2hunter2@db.internal:5432/prod"],
  ["assignment", "connecting with password=correct-horse-battery"],
];

describe("redactString", () => {
  it.each(SECRETS)("removes a %s", (_kind, text) => {
    const secretPart = text.match(/(abcDEF123456ghiJKL789|sk-\S+|sk_live_\S+|ghp_\S+|github_pat_\S+|xoxb-\S+|AKIA\S+|AIza\S+|eyJ\S+|ghs\.\S+|MIIEowIBAAKCAQEA|hunter2hunter2|correct-horse-battery)/)![0];
    const out = redactString(`before ${text} after`);
    expect(out).not.toContain(secretPart);
    expect(out).toMatch(/^before .*\[REDACTED.*after$/s);
  });

  it("keeps ordinary text untouched (same string back)", () => {
    for (const text of ["Refund ch_123 for ticket ZD-88421", "sk-short", "The token count was 4120", "Bearer of bad news", "https://example.com/a/b?c=d"]) {
      expect(redactString(text)).toBe(text);
    }
  });
});

describe("redactValue", () => {
  it("replaces values under sensitive key names whole, anywhere in the payload", () => {
    const { value, redacted } = redactValue(
      { args: { api_key: "abc", nested: [{ password: "p4ss", user: "amy" }] }, output: { Authorization: { scheme: "x" } }, token: null },
      [],
    );
    expect(value).toEqual({ args: { api_key: "[REDACTED]", nested: [{ password: "[REDACTED]", user: "amy" }] }, output: { Authorization: "[REDACTED]" }, token: null });
    expect(redacted.sort()).toEqual(["args.api_key", "args.nested.0.password", "output.Authorization"]);
  });

  it("applies a tenant's configured paths with wildcards and array indices", () => {
    const paths = ["args.card.number", "output.customers[*].email", "input.*.ssn"].map(compilePath);
    const { value, redacted } = redactValue(
      {
        args: { card: { number: "4242424242424242", brand: "visa" } },
        output: { customers: [{ email: "a@x.test", id: 1 }, { email: "b@x.test", id: 2 }] },
        input: { primary: { ssn: "123-45-6789" }, other: { ssn: "987-65-4321", name: "n" } },
      },
      paths,
    );
    expect(value).toEqual({
      args: { card: { number: "[REDACTED]", brand: "visa" } },
      output: { customers: [{ email: "[REDACTED]", id: 1 }, { email: "[REDACTED]", id: 2 }] },
      input: { primary: { ssn: "[REDACTED]" }, other: { ssn: "[REDACTED]", name: "n" } },
    });
    expect(redacted).toHaveLength(5);
    expect(JSON.stringify(value)).not.toMatch(/4242|a@x|123-45/);
  });

  it("turns NUL characters (which jsonb refuses) into U+FFFD", () => {
    expect(redactValue({ "a\u0000": "b\u0000c" }, []).value).toEqual({ "a\uFFFD": "b\uFFFDc" });
  });

  it("copies a key named __proto__ as a key, redacting inside it like anywhere else", () => {
    const input = JSON.parse('{"__proto__": {"password": "hunter2", "x": 1}, "a": [{"__proto__": 2}]}');
    const { value, redacted } = redactValue(input, []);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"password":"[REDACTED]","x":1},"a":[{"__proto__":2}]}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(redacted).toEqual(["__proto__.password"]);
  });

  it("accepts only well-formed paths in settings", () => {
    for (const ok of ["args.card.number", "output.items[*].email", "$.input.x", "args.*"]) expect(ok).toMatch(redactionPathSyntax);
    for (const bad of ["", "args..x", "args.", "a b", "args[x]"]) expect(bad).not.toMatch(redactionPathSyntax);
  });
});

/**
 * Adversarial input for every pattern: repeated fragments of what each pattern starts
 * with, so a backtracking pattern would retry (and fail) from every repetition.
 */
const PREFIXES = [
  "a.", "a-", "eyJ-", "eyJa.", "eyJaaaaa.eyJ-", "-----BEGIN ", "-----BEGIN A", "PRIVATE KEY-----", "Bearer ", "Token\t", "Basic ",
  "ghs.a", "ghs.a_", "sk-", "sk-ant-", "sk_live_", "rk_test_", "whsec_", "ghp_", "github_pat_", "xoxb-", "hooks.slack.com/services/",
  "AKIA", "AIza", "a://", "a://b:", "a://b:c:", "://", "password=", "password ", "api_key:\"", "@", ":",
];

/** How long redacting all of `texts` takes, in ms. */
function redactionTime(texts: string[]): number {
  const started = performance.now();
  for (const text of texts) redactString(text);
  return performance.now() - started;
}

/** Distinct flat copies of `text` (new strings each try, so nothing is cached; `| 0` flattens them now, not while timed). */
const fresh = (texts: string[], i: number) =>
  texts.map((t) => {
    const copy = `${t}${i}`;
    void ((copy as unknown as number) | 0);
    return copy;
  });

/**
 * Redacting one text 32x as long, against redacting 32 texts of the base length: the
 * same number of characters, so linear work takes about the same time and quadratic work
 * 32x as long. Tries in turns (a busy moment of the machine slows both alike) and keeps
 * the fastest of each, until the ratio is clearly linear or the tries run out: quadratic
 * work is slow on every try, a busy machine only on some (CI once saw nine slow tries in a row
 * while two suites shared its two cores: hence 25).
 */
function growth(text: (length: number) => string): number {
  const base = 4 * 1024;
  const many = Array.from({ length: 32 }, (_, i) => text(base - i));
  const one = [text(32 * base)];
  let bestMany = Infinity;
  let bestOne = Infinity;
  for (let i = 0; i < 25 && !(bestOne / bestMany < LINEAR); i++) {
    bestMany = Math.min(bestMany, redactionTime(fresh(many, i)));
    bestOne = Math.min(bestOne, redactionTime(fresh(one, i)));
  }
  return bestOne / bestMany;
}

/** Linear work gives a ratio near 1, quadratic near 32 (a busy machine was seen to make one 8). */
const LINEAR = 10;

describe("redactString on adversarial input", () => {
  it("does work linear in its input: a text 32x as long costs about 32 texts of the base length, not 32x more", () => {
    const unit = fc.tuple(fc.array(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 3 })).map(([parts, glue]) => parts.join(glue));
    fc.assert(
      fc.property(unit, (fragment) => {
        const text = (n: number) => fragment.repeat(Math.ceil(n / fragment.length)).slice(0, n);
        expect(growth(text), JSON.stringify(fragment)).toBeLessThan(LINEAR);
      }),
      { numRuns: 20, examples: [["a."], ["eyJ-"], ["ghs.a"], ["eyJaaaaa.eyJ-"]] },
    );
  }, 60_000);

  it("still finds secrets next to adversarial runs", () => {
    const out = redactString(`${"a.".repeat(5000)} postgres://admin:hunter2hunter2@db ${"eyJ-".repeat(5000)} eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fw`);
    expect(out).not.toMatch(/hunter2|SflKxw/);
    expect(out).toContain("postgres://admin:[REDACTED]@db");
  });
});
