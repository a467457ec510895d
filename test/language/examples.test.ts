import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { format } from "../../language/format.js";
import { parse } from "../../language/parse.js";
import { repo } from "../helpers.js";

const examples = readdirSync(path.join(repo, "examples")).filter((f) => /^[^.].*\.lathe$/.test(f)).sort();
const goldenDir = path.join(repo, "test/language/golden");
const update = process.env.UPDATE_GOLDEN === "1";

/** Compares a value with its golden JSON file; `UPDATE_GOLDEN=1 npx vitest run test/language` rewrites the files. */
function golden(name: string, value: unknown): void {
  const file = path.join(goldenDir, name);
  const text = JSON.stringify(value, null, 1) + "\n";
  if (update || !existsSync(file)) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, text);
    if (!update) throw new Error(`wrote missing golden file ${name}; check it and run again`);
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, "utf8")));
}

describe("examples/", () => {
  let session: Session;
  beforeAll(async () => {
    session = await Session.open({ record: false });
  });
  afterAll(() => session.close());

  it("holds a program for every stage group", () => {
    const kinds = new Set(examples.flatMap((f) => parse(readFileSync(path.join(repo, "examples", f), "utf8")).program.statements.map((s) => s.kind)));
    for (const group of [["source", "prepare"], ["split", "model", "tune", "evaluate", "assert"], ["register", "promote", "deploy", "serve", "export"], ["monitor", "retrain"]]) {
      expect(group.filter((k) => !kinds.has(k as never))).toEqual([]);
    }
  });

  it.each(examples)("%s checks with no diagnostics against the real data", async (f) => {
    const file = path.join(repo, "examples", f);
    const { diagnostics } = await session.check(readFileSync(file, "utf8"), { file });
    // Statements the runtime cannot execute yet are flagged as such (a warning at check time), nothing else.
    expect(diagnostics.filter((d) => d.code !== "not-implemented")).toEqual([]);
    expect(diagnostics.every((d) => d.severity === "warning")).toBe(true);
  });

  it.each(examples)("%s is canonically formatted", (f) => {
    const text = readFileSync(path.join(repo, "examples", f), "utf8");
    expect(format(text).text).toBe(text);
  });

  it.each(examples)("%s parses to its golden AST", (f) => {
    golden(f.replace(/\.lathe$/, ".ast.json"), parse(readFileSync(path.join(repo, "examples", f), "utf8")).program);
  });

  it("the grammar.md examples parse to their golden ASTs (one per statement example)", () => {
    const doc = readFileSync(path.join(repo, "grammar.md"), "utf8");
    const programs = [...doc.matchAll(/^```lathe\n([\s\S]*?)^```$/gm)].map((m) => ({ text: m[1], program: parse(m[1]).program }));
    golden("grammar-md.ast.json", programs);
  });
});
