import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, type SourceSchema } from "../../language/checker.js";
import { complete } from "../../language/complete.js";
import type { Span } from "../../language/diagnostic.js";
import { format } from "../../language/format.js";
import { latheLexer } from "../../language/lexer.js";
import { parse } from "../../language/parse.js";
import { repo } from "../helpers.js";
import { program } from "./program-arbitrary.js";

const examples = readdirSync(path.join(repo, "examples"))
  .filter((f) => /^[^.].*\.lathe$/.test(f))
  .map((f) => readFileSync(path.join(repo, "examples", f), "utf8"));
const schema = [
  { name: "Species", type: "string" as const },
  { name: "Body Mass (g)", type: "number" as const },
  { name: "Island", type: "string" as const },
  { name: "Miles_per_Gallon", type: "number" as const },
];

/** Every source gets a schema (some unreadable), so the checker goes deep instead of stopping at unknown sources. */
function schemasFor(text: string): Record<string, SourceSchema> {
  const out: Record<string, SourceSchema> = {};
  for (const [i, s] of parse(text).program.statements.entries()) if (s.kind === "source") out[s.name.text] = i % 3 === 2 ? { error: "unreadable" } : { columns: schema };
  return out;
}

/** Runs every entry point the kernel and CLI use on the text; none may throw, and formatting a clean parse must round-trip. */
function everything(text: string, offset: number): void {
  const parsed = parse(text);
  expect(Array.isArray(parsed.diagnostics)).toBe(true);
  for (const d of parsed.diagnostics) expect(d.span.end).toBeLessThanOrEqual(text.length);
  for (const span of spans(parsed.program)) expect(0 <= span.start && span.start <= span.end && span.end <= text.length, JSON.stringify(span)).toBe(true);
  const checked = check(parsed.program, schemasFor(text), { seed: 1 });
  expect(Array.isArray(checked.diagnostics)).toBe(true);
  const c = complete(text, offset, schemasFor(text));
  expect(c.from).toBeLessThanOrEqual(c.to);
  const f = format(text);
  if (!parsed.diagnostics.length) {
    expect(f.text).toBeDefined();
    expect(format(f.text!).text).toBe(f.text);
  } else expect(f.text).toBeUndefined();
}

/** Every span in an AST (node spans, name spans, comment spans). */
function* spans(node: unknown): Generator<Span> {
  if (Array.isArray(node)) for (const n of node) yield* spans(n);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "span") yield v as Span;
      else yield* spans(v);
    }
  }
}

/** Token-level mutations of a program: delete, duplicate, swap with the next, or insert a token taken from elsewhere. */
const mutated = fc.constantFrom(...examples).chain((text) => {
  const tokens = latheLexer.tokenize(text).tokens.map((t) => t.image);
  const edit = fc.tuple(fc.constantFrom("delete", "duplicate", "swap", "insert"), fc.nat(tokens.length - 1), fc.nat(tokens.length - 1));
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    const ts = [...tokens];
    for (const [op, i, j] of edits) {
      const at = i % ts.length;
      if (op === "delete" && ts.length > 1) ts.splice(at, 1);
      else if (op === "duplicate") ts.splice(at, 0, ts[at]);
      else if (op === "swap" && at + 1 < ts.length) [ts[at], ts[at + 1]] = [ts[at + 1], ts[at]];
      else if (op === "insert") ts.splice(at, 0, tokens[j % tokens.length]);
    }
    return ts.join(" ");
  });
});

const junk = ["source", "prepare", "split", "model", "tune", "monitor", "retrain", "=", "{", "}", "read", '"x"', "'y'", "drop", "rows", "where", "a", ">", "1", "%", ",", "into", "fill", "with", "median", ":", "\n", "evaluate", "on", "(", ")", "[", "]", "or", "when", "every", "ms", "-", "->", "#", '"', "between", "and", "not", "is", "missing", "é", "\\"];

describe("the language never throws", () => {
  it("on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), fc.nat(), (text, o) => everything(text, o % (text.length + 1))),
      { numRuns: 300, seed: 11 },
    );
  });

  it("on random token soup", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...junk), { maxLength: 80 }).map((w) => w.join(" ")), fc.nat(), (text, o) => everything(text, o % (text.length + 1))),
      { numRuns: 400, seed: 12 },
    );
  });

  it("on mutated example programs", () => {
    fc.assert(
      fc.property(mutated, fc.nat(), (text, o) => everything(text, o % (text.length + 1))),
      { numRuns: 400, seed: 13 },
    );
  });

  it("on generated programs, cut off anywhere", () => {
    fc.assert(
      fc.property(program, fc.nat(), fc.nat(), (text, cut, o) => {
        const prefix = text.slice(0, cut % (text.length + 1));
        everything(prefix, o % (prefix.length + 1));
      }),
      { numRuns: 300, seed: 14 },
    );
  });
});
