import { describe, expect, it } from "vitest";
import { isIdentifier } from "../../language/identifier.js";
import { Identifier, latheLexer } from "../../language/lexer.js";

// The lexer tries `Identifier` only on characters its first-character hint covers (a sample of the
// non-ASCII range, lexer.ts): every letter a name may start with must still lex as one.
describe("the lexer's first-character hint for names", () => {
  it("lets every non-ASCII letter of the BMP, and an astral letter behind every high surrogate, start a name", () => {
    const names: string[] = [];
    for (let c = 0x80; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const s = String.fromCharCode(c);
      if (isIdentifier(s)) names.push(s);
    }
    for (let hi = 0xd800; hi < 0xdc00; hi++) {
      for (let lo = 0xdc00; lo < 0xe000; lo++) {
        const s = String.fromCharCode(hi, lo);
        if (isIdentifier(s)) {
          names.push(s);
          break;
        }
      }
    }
    expect(names.length).toBeGreaterThan(45_000);
    const { tokens, errors } = latheLexer.tokenize(names.join(" "));
    expect(errors).toEqual([]);
    expect(tokens.map((t) => t.image)).toEqual(names);
    expect(tokens.every((t) => t.tokenType === Identifier)).toBe(true);
  });
});
