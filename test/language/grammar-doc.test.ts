import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../language/parse.js";
import { ruleNames } from "../../language/parser.js";
import { statementKeywords, statements } from "../../language/statements.js";
import { repo } from "../helpers.js";

const doc = readFileSync(path.join(repo, "grammar.md"), "utf8");

/** The ```lathe blocks of grammar.md with the line each starts on. */
function latheBlocks(): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  for (const m of doc.matchAll(/^```lathe\n([\s\S]*?)^```$/gm)) out.push({ line: doc.slice(0, m.index).split("\n").length + 1, code: m[1] });
  return out;
}

describe("grammar.md", () => {
  it("documents every parser rule as an EBNF production", () => {
    const rules = ruleNames();
    expect(rules.length).toBeGreaterThan(50);
    const missing = rules.filter((r) => !new RegExp(`^\\s*${r}\\s+::=`, "m").test(doc));
    expect(missing).toEqual([]);
  });

  it("documents no production the parser does not have", () => {
    const rules = new Set(ruleNames());
    const documented = [...doc.matchAll(/^\s*([a-z][A-Za-z]*)\s+::=/gm)].map((m) => m[1]);
    expect(documented.filter((d) => !rules.has(d))).toEqual([]);
  });

  it("has examples that parse without syntax errors", () => {
    const blocks = latheBlocks();
    expect(blocks.length).toBeGreaterThan(25);
    const failures = blocks.flatMap((b) => parse(b.code).diagnostics.map((d) => `grammar.md:${b.line + d.span.line - 1}: ${d.message}`));
    expect(failures).toEqual([]);
  });

  it("shows every statement kind in an example", () => {
    const kinds = new Set(latheBlocks().flatMap((b) => parse(b.code).program.statements.map((s) => s.kind)));
    expect(statementKeywords.filter((k) => !kinds.has(k))).toEqual([]);
  });

  it("lists every statement in the `statement` production, in the parser's order", () => {
    const production = /^statement ::= ([\s\S]*?)\)/m.exec(doc)?.[1] ?? "";
    const listed = [...production.matchAll(/(\w+Statement)/g)].map((m) => m[1]);
    expect(listed).toEqual(statementKeywords.map((k) => statements[k].rule));
  });
});
