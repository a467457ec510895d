import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../language/diagnostic.js";
import { parse } from "../../language/parse.js";
import { repo } from "../helpers.js";

describe("parse", () => {
  it("parses the penguins example into statements with spans", () => {
    const text = readFileSync(path.join(repo, "examples/penguins.lathe"), "utf8");
    const { program, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(program.statements.map((s) => s.kind)).toEqual(["param", "source", "prepare", "split", "model", "evaluate", "plot"]);
    const prepare = program.statements[2];
    if (prepare.kind !== "prepare") throw new Error("expected prepare");
    expect(prepare.steps.map((s) => s.kind)).toEqual(["drop-rows", "fill", "onehot"]);
    const fill = prepare.steps[1];
    if (fill.kind !== "fill") throw new Error("expected fill");
    expect(fill.columns.map((c) => c.text)).toContain("Body Mass (g)");
    expect(fill.columns[0].quoted).toBe(true);
    // Spans are half-open offsets with 1-based line/column: the quoted name, quotes included.
    const span = fill.columns[0].span;
    expect(text.slice(span.start, span.end)).toBe('"Beak Length (mm)"');
    expect(span.line).toBe(9);
  });

  it("reads split parts, seeds and model options", () => {
    const { program, diagnostics } = parse(`split d into train 80%, test 20% stratify by y seed 7
model m = random_forest predicting y from train { features: a, "b c"; trees: 50; layers: [64, 32] }`);
    expect(diagnostics).toEqual([]);
    const [split, model] = program.statements;
    if (split.kind !== "split" || model.kind !== "model") throw new Error("kinds");
    expect(split.parts.map((p) => [p.name.text, p.percent])).toEqual([["train", 80], ["test", 20]]);
    expect(split.stratify?.text).toBe("y");
    expect(split.seed).toMatchObject({ kind: "literal", value: 7 });
    expect(model.options.map((o) => o.key.text)).toEqual(["features", "trees", "layers"]);
    expect(model.options[2].values[0]).toMatchObject({ kind: "list", items: [{ value: 64 }, { value: 32 }] });
  });

  it("reads a split by column: parts without percentages and the column", () => {
    const { program, diagnostics } = parse(`split d into train, validation, test by column "the part"`);
    expect(diagnostics).toEqual([]);
    const [split] = program.statements;
    if (split.kind !== "split") throw new Error("kind");
    expect(split.parts.map((p) => [p.name.text, p.percent])).toEqual([["train", undefined], ["validation", undefined], ["test", undefined]]);
    expect(split.column).toMatchObject({ text: "the part", quoted: true });
    // `column` is a soft keyword: it can still name a column or a part.
    expect(parse("split d into column, b by column column").diagnostics).toEqual([]);
    expect(parse("split d into a 50, b 50%").diagnostics.map((d) => d.code)).toEqual(["syntax-error"]);
  });

  it("builds expressions with SQL precedence", () => {
    const { program } = parse("prepare p = d { drop rows where a > 1 + 2 * 3 and not b is missing or c between 1 and 5 }");
    const s = program.statements[0];
    if (s.kind !== "prepare" || s.steps[0].kind !== "drop-rows") throw new Error("kinds");
    const e = s.steps[0].where;
    expect(e).toMatchObject({ kind: "binary", op: "or", left: { kind: "binary", op: "and" }, right: { kind: "between" } });
  });

  it("reports every syntax error with a position and keeps the good statements", () => {
    const text = 'sorce x = read "a.csv"\nsource y = read "b.csv"\nprepare c = y { fill a with }\nshow y limit 5\n';
    const { program, diagnostics } = parse(text);
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(diagnostics[0]).toMatchObject({ code: "syntax-error", severity: "error", span: { line: 1, column: 1 }, suggestions: ["source"] });
    expect(diagnostics.some((d) => d.span.line === 3)).toBe(true);
    expect(program.statements.map((s) => s.kind)).toContain("show");
    const rendered = formatDiagnostic(diagnostics[0], "job.lathe", text);
    expect(rendered).toContain("job.lathe:1:1: error[syntax-error]");
    expect(rendered).toContain("^^^^^");
    expect(rendered).toContain("did you mean `source`");
  });

  it("leaves out an optional name that error recovery had to insert (it has no position)", () => {
    const { program, diagnostics } = parse('monitor "m" { drift on x, y using }');
    expect(diagnostics.map((d) => d.message)).toEqual(["unexpected `}`, expected a name"]);
    const monitor = program.statements[0];
    if (monitor?.kind !== "monitor") throw new Error("expected monitor");
    expect(monitor.rules).toHaveLength(1);
    expect(monitor.rules[0]).toMatchObject({ kind: "drift", columns: [{ text: "x" }, { text: "y" }] });
    expect(monitor.rules[0]).not.toHaveProperty("method.text");
  });

  it("reports an unterminated string", () => {
    const { diagnostics } = parse('source x = read "data.csv\n');
    expect(diagnostics[0]).toMatchObject({ code: "unterminated-string", span: { line: 1, column: 17 } });
  });

  it("takes Unicode letters in names, as Python and SQL engines do", () => {
    const { program, diagnostics } = parse('source café = sql "select 1 as größe"\nprepare p = café { drop rows where größe is missing }\nshow 数量_2');
    expect(diagnostics).toEqual([]);
    expect(program.statements.map((s) => (s.kind === "source" || s.kind === "prepare" ? s.name.text : s.kind === "show" ? s.target.text : ""))).toEqual(["café", "p", "数量_2"]);
    // A keyword with a letter after it is a name, whatever the script.
    expect(parse("source splité = sql \"select 1\"").diagnostics).toEqual([]);
  });

  it("names a character it does not know as itself, an emoji included (not half of it as \\ud83c)", () => {
    const [d] = parse("show 🎉").diagnostics;
    expect(d.message).toBe('unexpected character "🎉"');
  });
});
