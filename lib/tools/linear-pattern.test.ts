import { describe, expect, it } from "vitest";
import { linearPattern, toRe2 } from "./linear-pattern";

// Patterns as real catalogues write them, and the JavaScript-only syntax that RE2 spells differently.
const PATTERNS = [
  "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
  "^[A-Z]+-\\d+$",
  "^[a-z0-9-]{1,64}$",
  "^(?:[a-z0-9-]+\\.)+[a-z]{2,}$",
  "^\\S+@\\S+\\.\\S+$",
  "^[^\\s]+$",
  "^[\\S]+$",
  "^[\\Sa-c]+$",
  "\\s",
  "^.+$",
  "^a.b$",
  "^[.]$",
  "^\\u0041\\u{1F600}$",
  "^\\uD83D\\uDE00$",
  "^[\\u0000-\\u007F]*$",
  "^\\cJ$",
  "^\\0$",
  "^[\\b]$",
  "\\bword\\b",
  "^\\p{L}+$",
  "^\\p{Script=Greek}+$",
  "^\\p{gc=Lu}$",
  "^[[a]+$",
  "^\\/v1\\/[\\w\\-]+$",
  "^(?<year>\\d{4})-(?<month>\\d{2})$",
  "^(?<año>\\d+)-(?<$m>\\d+)$",
  "^a[]b$",
  "^a[^]b$",
  "^(a|aa)+$",
  "colou?r",
  "^\\d{03}$",
  "^a{00}b$",
  "^[a-z]{1,064}$",
  "^a{002,}$",
  "^\\x41\\t$",
  "^😀+$",
];
const INPUTS = [
  "",
  "a",
  "A",
  "abc",
  "a\nb",
  "a\rb",
  "a\u2028b",
  "a b",
  "a\u00a0b",
  "a\ufeffb",
  "\u3000",
  "x\u2005y",
  "a.b",
  ".",
  "[[a",
  "\n",
  "\0",
  "\b",
  "😀",
  "😀😀",
  "\uD83D",
  "a\uD800b",
  "AΩ",
  "αβγ",
  "Ω",
  "PROJ-42",
  "proj-42",
  "0a1b2c3d-0000-1111-2222-333344445555",
  "user@example.com",
  "user @example.com",
  "api.example.com",
  "/v1/refunds-2",
  "2026-12",
  "123",
  "5{03}",
  "b",
  "a{00}b",
  "aab",
  "word",
  "a word here",
  "swordfish",
  "aaaa",
  "aaab",
  "color",
  "colour",
  "A\t",
  "\u007f",
  "é",
];

describe("linearPattern", () => {
  it("means what the pattern means in JavaScript, for every pattern and input here", () => {
    const differences: string[] = [];
    for (const pattern of PATTERNS) {
      const v8 = new RegExp(pattern, "u");
      const re2 = linearPattern(pattern);
      for (const input of INPUTS) {
        if (v8.test(input) !== re2.test(input)) differences.push(`${pattern} on ${JSON.stringify(input)}: V8 ${v8.test(input)}, RE2 ${re2.test(input)} (as ${toRe2(pattern)})`);
      }
    }
    expect(differences).toEqual([]);
  });

  it("means what `.`, `\\s` and `\\S` mean in JavaScript for every character of the Basic Multilingual Plane", () => {
    const differences: string[] = [];
    for (const pattern of ["^.$", "^\\s$", "^\\S$", "^[\\S]$", "^[^\\s]$", "^[\\sa]$"]) {
      const v8 = new RegExp(pattern, "u");
      const re2 = linearPattern(pattern);
      for (let code = 0; code <= 0xffff; code++) {
        const input = String.fromCharCode(code);
        if (v8.test(input) !== re2.test(input)) differences.push(`${pattern} on U+${code.toString(16)}`);
      }
    }
    expect(differences.slice(0, 10)).toEqual([]);
  });

  it("knows the long General_Category names, with the same meaning for every third character of the Basic Multilingual Plane", () => {
    const differences: string[] = [];
    for (const name of ["Letter", "Uppercase_Letter", "Decimal_Number", "digit", "Punctuation", "Other", "Unassigned", "Surrogate", "Cased_Letter", "Space_Separator", "Symbol", "Mark"]) {
      for (const pattern of [`^\\p{${name}}$`, `^[^\\p{${name}}]$`, `^\\P{gc=${name}}$`]) {
        const v8 = new RegExp(pattern, "u");
        const re2 = linearPattern(pattern);
        for (let code = 0; code <= 0xffff; code += 3) {
          const input = String.fromCharCode(code);
          if (v8.test(input) !== re2.test(input)) differences.push(`${pattern} on U+${code.toString(16)}`);
        }
      }
    }
    expect(differences.slice(0, 10)).toEqual([]);
  });

  it("checks patterns that backtrack exponentially in V8 in linear time", () => {
    // Each of these takes V8 longer than the test's timeout on this input; RE2 answers at once.
    const evil = `${"a".repeat(50_000)}!`;
    for (const pattern of ["^(a+)+$", "^(a|aa)+$", "^(a|a?)+$", "^(\\w+\\s?)*$", "^([a-z]*)*$"]) expect(linearPattern(pattern).test(evil)).toBe(false);
    expect(linearPattern("^(a|aa)+$").test("a".repeat(50_000))).toBe(true);
  });

  it("refuses what has no linear-time match, with the reason", () => {
    expect(() => linearPattern("^(?=.*[A-Z]).{8,}$")).toThrow(/cannot be checked in linear time \(lookaround \(\?= is not supported\); lookaround/);
    expect(() => linearPattern("(?<=a)b")).toThrow(/linear time \(lookaround \(\?<= is not supported\)/);
    expect(() => linearPattern("(?!a)b")).toThrow(/lookaround \(\?! is not supported/);
    expect(() => linearPattern("^(a)\\1$")).toThrow(/linear time \(backreference \\1 is not supported\)/);
    expect(() => linearPattern("^(?<x>a)\\k<x>$")).toThrow(/backreference \\k is not supported/);
    expect(() => linearPattern("^a{1001}$")).toThrow(/invalid repeat count.*over 1000.*use maxLength/);
    expect(() => linearPattern("^a{1000000000000000000000}$")).toThrow(/invalid repeat count/);
    // Invalid JavaScript keeps V8's own reason.
    expect(() => linearPattern("([a-z]")).toThrow(/Invalid regular expression/);
    expect(() => linearPattern("(?i)a")).toThrow(/Invalid regular expression/);
  });
});
