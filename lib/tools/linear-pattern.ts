import { RE2JS } from "re2js";

/**
 * JSON Schema `pattern`s checked in linear time. A pattern runs on every call's arguments,
 * and a backtracking engine (V8's) can take exponential time on patterns such as `(a+)+` or
 * `(a|aa)+`: 40 characters of an agent's input would stall the process. Schemas come from
 * admins and from third-party catalogues (an MCP server's `tools/list`), so every pattern
 * runs on RE2 (re2js, linear in the input) instead.
 *
 * A pattern keeps its ECMA-262 meaning (JSON Schema's dialect, as with the `u` flag): the
 * JavaScript-only syntax is rewritten into RE2's, and the classes whose meaning differs
 * (`.`, `\s`, `\S`) are spelled out. What RE2 cannot match in linear time (lookaround,
 * backreferences, repeat counts over 1000) or would read differently (inline modifiers) is
 * refused with the reason. linear-pattern.test.ts checks the meaning against V8's.
 */
export interface LinearPattern {
  test(input: string): boolean;
}

// ECMA-262 WhiteSpace and LineTerminator: what `\s` means there (RE2's `\s` is ASCII only).
const SPACES = "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
// Everything else, for `\S` (inside a class too, where no negated class can be nested).
const NOT_SPACES = "\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{21}-\\x{9f}\\x{a1}-\\x{167f}\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}\\x{202a}-\\x{202e}\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}\\x{ff00}-\\x{10ffff}";
// ECMA-262 `.` without the `s` flag: anything but a line terminator (RE2's excludes `\n` only).
const DOT = "[^\\n\\r\\x{2028}\\x{2029}]";
const HEX = /^[0-9a-fA-F]{4}$/;
// ECMA-262's long General_Category names, which RE2 knows only by their short ones.
const CATEGORY: Record<string, string> = {
  Cased_Letter: "LC", Close_Punctuation: "Pe", Connector_Punctuation: "Pc", Control: "Cc", cntrl: "Cc", Currency_Symbol: "Sc",
  Dash_Punctuation: "Pd", Decimal_Number: "Nd", digit: "Nd", Enclosing_Mark: "Me", Final_Punctuation: "Pf", Format: "Cf",
  Initial_Punctuation: "Pi", Letter: "L", Letter_Number: "Nl", Line_Separator: "Zl", Lowercase_Letter: "Ll", Mark: "M",
  Combining_Mark: "M", Math_Symbol: "Sm", Modifier_Letter: "Lm", Modifier_Symbol: "Sk", Nonspacing_Mark: "Mn", Number: "N",
  Open_Punctuation: "Ps", Other: "C", Other_Letter: "Lo", Other_Number: "No", Other_Punctuation: "Po", Other_Symbol: "So",
  Paragraph_Separator: "Zp", Private_Use: "Co", Punctuation: "P", punct: "P", Separator: "Z", Space_Separator: "Zs",
  Spacing_Mark: "Mc", Surrogate: "Cs", Symbol: "S", Titlecase_Letter: "Lt", Unassigned: "Cn", Uppercase_Letter: "Lu",
};

/** A `pattern` compiled for linear-time matching; throws with a readable reason when it cannot be. */
export function linearPattern(pattern: string): LinearPattern {
  new RegExp(pattern, "u"); // an invalid pattern throws V8's own reason first
  try {
    return RE2JS.compile(toRe2(pattern));
  } catch (error) {
    throw new Error(
      `The pattern ${JSON.stringify(pattern.slice(0, 100))} cannot be checked in linear time (${(error as Error).message.replace(/^error parsing regexp: /, "")}); lookaround, backreferences and repeat counts over 1000 are not supported (for a length limit, use maxLength).`,
    );
  }
}

/** An ECMA-262 (`u` flag) pattern, valid in V8, rewritten in RE2's syntax with the same meaning. */
export function toRe2(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1]!; // a valid pattern does not end with a lone backslash
      i++;
      if (next === "u") {
        const [codePoint, length] = unicodeEscape(pattern, i + 1);
        out += `\\x{${codePoint.toString(16)}}`;
        i += length;
      } else if (next === "c") {
        out += `\\x{${(pattern.charCodeAt(i + 1) % 32).toString(16)}}`;
        i++;
      } else if (next === "0") out += "\\x{0}";
      else if (next === "s") out += inClass ? SPACES : `[${SPACES}]`;
      else if (next === "S") out += inClass ? NOT_SPACES : `[${NOT_SPACES}]`;
      else if (next === "b" && inClass) out += "\\x{8}";
      else if ((next === "p" || next === "P") && pattern[i + 1] === "{") {
        const end = pattern.indexOf("}", i);
        // `\p{Script=Greek}`, `\p{gc=L}` and `\p{Letter}` are `\p{Greek}`, `\p{L}` and `\p{L}` in RE2.
        const name = pattern.slice(i + 2, end).replace(/^(?:Script|sc|General_Category|gc)=/, "");
        out += `\\${next}{${Object.hasOwn(CATEGORY, name) ? CATEGORY[name] : name}}`;
        i = end;
      } else if ((next >= "1" && next <= "9") || next === "k") throw new Error(`backreference \\${next} is not supported`);
      else out += `\\${next}`;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
    } else if (c === "[") {
      // `[]` never matches and `[^]` matches anything in ECMA-262; RE2 has neither.
      if (pattern.startsWith("[]", i)) {
        out += "[^\\x{0}-\\x{10ffff}]";
        i += 1;
      } else if (pattern.startsWith("[^]", i)) {
        out += "[\\x{0}-\\x{10ffff}]";
        i += 2;
      } else {
        inClass = true;
        out += c;
      }
    } else if (c === "(" && pattern[i + 1] === "?") {
      const group = /^\(\?(?:<[=!]|[=!]|<[^>]*>|:)?/.exec(pattern.slice(i))![0];
      if (group === "(?:") out += group;
      // Only whether a pattern matches counts, so a named group need not capture (RE2 takes fewer names than JavaScript).
      else if (group.startsWith("(?<") && group.endsWith(">")) out += "(?:";
      else if (group.length > 2) throw new Error(`lookaround ${group} is not supported`);
      // Modifiers such as (?i:…), which newer V8 accepts: RE2's own differ in meaning.
      else throw new Error("inline modifiers are not supported");
      i += group.length - 1;
    } else if (c === "{") {
      // With the `u` flag a `{` here starts a quantifier; RE2 reads a count with a leading zero ({03}) as literal text.
      const quantifier = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i))![0];
      out += quantifier.replace(/\b0+(?=\d)/g, "");
      i += quantifier.length - 1;
    } else out += c === "." ? DOT : c;
  }
  return out;
}

/** `\uXXXX`, `\uXXXX\uXXXX` (a surrogate pair) or `\u{X…}` starting at `at`: its code point and how many characters follow the `u`. */
function unicodeEscape(pattern: string, at: number): [number, number] {
  if (pattern[at] === "{") {
    const end = pattern.indexOf("}", at);
    return [parseInt(pattern.slice(at + 1, end), 16), end - at + 1];
  }
  const high = parseInt(pattern.slice(at, at + 4), 16);
  const low = pattern.slice(at + 6, at + 10);
  if (high >= 0xd800 && high <= 0xdbff && pattern.startsWith("\\u", at + 4) && HEX.test(low)) {
    const lowUnit = parseInt(low, 16);
    if (lowUnit >= 0xdc00 && lowUnit <= 0xdfff) return [(high - 0xd800) * 0x400 + (lowUnit - 0xdc00) + 0x10000, 10];
  }
  return [high, 4];
}
