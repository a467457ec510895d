import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check, type SourceSchema } from "../../language/checker.js";
import type { Diagnostic } from "../../language/diagnostic.js";
import { parse } from "../../language/parse.js";
import type { Schema } from "../../language/schema.js";
import { repo } from "../helpers.js";

const penguins: Schema = [
  { name: "Species", type: "string" },
  { name: "Island", type: "string" },
  { name: "Beak Length (mm)", type: "number" },
  { name: "Body Mass (g)", type: "number" },
  { name: "day", type: "date" },
];
const schemas: Record<string, SourceSchema> = { penguins: { columns: penguins } };
const src = `source penguins = read "p.json"\n`;
const trained = `${src}split penguins into train 80%, test 20%
model m = logistic_regression predicting Species from train { features: "Body Mass (g)" }
`;
const registered = `${trained}register m as "species"\n`;
/** A source with an integer target, which a tree takes for regression unless told otherwise. */
const digits: Record<string, SourceSchema> = { d: { columns: [{ name: "target", type: "number", sqlType: "BIGINT" }, { name: "x", type: "number", sqlType: "DOUBLE" }] } };
const digitTree = `source d = read "d.csv"\nsplit d into train 80%, test 20%\nmodel m = decision_tree predicting target from train\n`;

function diagnose(text: string, s: Record<string, SourceSchema> = schemas, params = {}): Diagnostic[] {
  const parsed = parse(text);
  return [...parsed.diagnostics, ...check(parsed.program, s, params).diagnostics];
}

/** Every diagnostic code with a program that produces it (and, where it applies, the suggestion it must make). */
const cases: { code: string; text: string; suggest?: string; severity?: "error" | "warning" | "info"; schemas?: Record<string, SourceSchema>; params?: Record<string, number> }[] = [
  { code: "syntax-error", text: 'sorce x = read "a.csv"', suggest: "source" },
  { code: "syntax-error", text: `${src}prepare p = penguins { fil "Body Mass (g)" with median }`, suggest: "fill" },
  { code: "syntax-error", text: `${trained}tune m ovr { l2: [1] } by f1 on test`, suggest: "over" },
  { code: "unterminated-string", text: 'source x = read "a.csv\n' },
  { code: "unknown-source", text: src, schemas: {} },
  { code: "source-error", text: src, schemas: { penguins: { error: "file not found: p.json" } } },
  { code: "unknown-param", text: `${src}split penguins into a 50%, b 50% seed sed\nparam seed = 1` },
  { code: "unknown-param", text: `param seed = 1`, params: { sead: 2 } },
  { code: "unknown-dataset", text: `${src}show pengins`, suggest: "penguins" },
  { code: "unknown-model", text: `${trained}evaluate n on test`, suggest: "m" },
  { code: "invalid-alias", text: `${registered}deploy "species@champ ion" batch from test to "s.csv"`, suggest: "champion" },
  { code: "unknown-alias", severity: "warning", text: `${registered}deploy "species@champoin" batch from test to "s.csv"`, suggest: "champion" },
  { code: "wrong-kind", text: `${trained}show m` },
  { code: "duplicate-name", text: `${src}source penguins = read "q.json"` },
  { code: "unknown-column", text: `${src}prepare p = penguins { onehot Iland }`, suggest: "Island" },
  { code: "unknown-algorithm", text: `${src}model m = random_forrest predicting Species from penguins`, suggest: "random_forest" },
  { code: "unknown-option", text: `${src}model m = random_forest predicting Species from penguins { tres: 10 }`, suggest: "trees" },
  { code: "unknown-option", text: `source t = read "t.csv" with { delimter: ";" }`, suggest: "delimiter", schemas: { t: { error: "csv sources take no option `delimter`" } } },
  { code: "unknown-format", text: `source t = read "t.txt" format cvs`, suggest: "csv", schemas: { t: { error: "cannot tell the format" } } },
  { code: "unknown-engine", text: `source t = table "events" from clikhouse "http://127.0.0.1:8123/db"`, suggest: "clickhouse", schemas: { t: { columns: [] } } },
  { code: "engine-unsupported", text: `source t = table "events" from clickhouse "http://127.0.0.1:8123/db"\nprepare p = t { derive r = round(x, 2) }`, schemas: { t: { columns: [{ name: "x", type: "number" }] } } },
  { code: "engine-unsupported", text: `source t = table "events" from clickhouse "http://127.0.0.1:8123/db"\nprepare p = t { drop duplicates on k }`, schemas: { t: { columns: [{ name: "k", type: "string" }] } } },
  { code: "unknown-hash", text: `${src}split penguins into a 50%, b 50% hash portabel`, suggest: "portable" },
  { code: "engine-unsupported", text: `source t = table "events" from clickhouse "http://127.0.0.1:8123/db"\nsplit t into a 50%, b 50% hash native`, schemas: { t: { columns: [{ name: "k", type: "string" }] } } },
  { code: "split-conflict", text: `${src}split penguins into Adelie, Gentoo by column Species hash portable` },
  { code: "credentials-in-program", text: `source t = table "events" from clickhouse "http://lathe:secret@127.0.0.1:8123/db"`, schemas: { t: { error: "a program never holds credentials", code: "credentials-in-program" } } },
  { code: "missing-engine", text: `${src}save penguins to table "scores"` },
  { code: "invalid-engine-url", text: `source t = table "events" from clickhouse "tcp://127.0.0.1:9000/db"`, schemas: { t: { error: "not http", code: "invalid-engine-url" } } },
  { code: "unknown-metric", text: `${trained}evaluate m on test metrics acuracy`, suggest: "accuracy" },
  { code: "unknown-chart", text: `${trained}plot confuson of m on test`, suggest: "confusion" },
  { code: "unknown-type", text: `${src}prepare p = penguins { cast day as dat }`, suggest: "date" },
  { code: "unknown-function", text: `${src}prepare p = penguins { derive x = sqr("Body Mass (g)") }`, suggest: "sqrt" },
  { code: "type-mismatch", text: `${src}prepare p = penguins { scale Species }` },
  { code: "invalid-option", text: `${src}prepare p = penguins { bucket "Body Mass (g)" into 1 }` },
  { code: "duplicate-option", text: `${src}model m = random_forest predicting Species from penguins { trees: 1; trees: 2 }` },
  { code: "split-total", text: `${src}split penguins into a 50%, b 40%` },
  { code: "split-conflict", text: `${src}split penguins into a 50%, b 50% stratify by Species by time on day` },
  { code: "target-in-features", text: `${src}model m = logistic_regression predicting Species from penguins { features: Species }` },
  { code: "metric-task-mismatch", text: `${trained}evaluate m on test metrics rmse` },
  { code: "task-mismatch", text: `${trained}plot residuals of m on test` },
  { code: "missing-data", text: `${trained}plot confusion of m` },
  { code: "missing-columns", text: `${src}plot histogram of penguins` },
  { code: "invalid-name", text: `${trained}register m as "my model"` },
  { code: "unit-mismatch", text: `monitor "species" { latency p99 < 20 }` },
  { code: "target-leakage", severity: "warning", text: `${src}prepare p = penguins { derive leak = length(Species) }\nsplit p into train 80%, test 20%\nmodel m = logistic_regression predicting Species from train { features: leak }` },
  { code: "fitted-before-split", severity: "warning", text: `${src}prepare p = penguins { scale "Body Mass (g)" }\nmodel m = logistic_regression predicting Species from p` },
  { code: "tune-on-training-data", severity: "warning", text: `${trained}tune m over { l2: [0.1, 1] } by f1 on train` },
  { code: "ungated-promote", severity: "warning", text: `${registered}promote "species"` },
  { code: "unregistered-name", severity: "warning", text: `${registered}assert m on test: f1 > 0.5\npromote "specie"`, suggest: "species" },
  { code: "missing-features", severity: "warning", text: `${registered}prepare slim = penguins { keep columns Species }\ndeploy "species" batch from slim to "out.csv"` },
  { code: "inferred-regression", text: `${digitTree}evaluate m on test metrics accuracy`, schemas: digits },
  { code: "task-inferred", severity: "info", text: digitTree, schemas: digits },
];

describe("diagnostics", () => {
  it.each(cases.map((c) => [c.code, c] as const))("%s", (_code, c) => {
    const ds = diagnose(c.text, c.schemas ?? schemas, c.params ?? {});
    const d = ds.find((x) => x.code === c.code);
    expect(d, `${c.code} from ${JSON.stringify(c.text)}; got ${JSON.stringify(ds.map((x) => x.code))}`).toBeDefined();
    expect(d!.severity).toBe(c.severity ?? "error");
    if (c.suggest) expect(d!.suggestions).toContain(c.suggest);
    // A span is always inside the text, so a caret can be drawn under it.
    expect(d!.span.start).toBeGreaterThanOrEqual(0);
    expect(d!.span.end).toBeLessThanOrEqual(c.text.length);
  });

  it("has a case for every code the language emits, and grammar.md lists them all", () => {
    const dir = path.join(repo, "language");
    const emitted = new Set<string>();
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(path.join(dir, f), "utf8");
      for (const m of text.matchAll(/(?:report\(|code: )"([a-z]+(?:-[a-z]+)*)"/g)) emitted.add(m[1]);
      for (const m of text.matchAll(/code: [^,]*\? "([a-z]+-[a-z-]+)" : "([a-z]+-[a-z-]+)"/g)) [m[1], m[2]].forEach((c) => emitted.add(c));
    }
    expect(emitted.size).toBeGreaterThan(30);
    const tested = new Set(cases.map((c) => c.code));
    expect([...emitted].filter((c) => !tested.has(c))).toEqual([]);
    const doc = readFileSync(path.join(repo, "grammar.md"), "utf8");
    expect([...emitted].filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });

  it("renders a fix-it under the caret, pointing at the statement to change", async () => {
    const { formatDiagnostic } = await import("../../language/diagnostic.js");
    const text = `${digitTree}evaluate m on test metrics accuracy`;
    const d = diagnose(text, digits).find((x) => x.code === "inferred-regression")!;
    const lines = formatDiagnostic(d, "job.lathe", text).split("\n");
    expect(lines[0]).toMatch(/^job\.lathe:4:28: error\[inferred-regression\]: `accuracy` is a classification metric, and `m` does regression/);
    expect(lines.slice(4)).toEqual([
      "  = help: job.lathe:3:1: add `task: classification` to `m`",
      "3 | model m = decision_tree predicting target from train",
      "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    ]);
  });

  it("keeps going past the first error: one pass reports syntax and semantic errors together", () => {
    const ds = diagnose(`${src}prepare p = penguins { fil x with median }\nshow pengins\nmodel m = svn predicting Specis from penguins\nevaluate q on penguins`);
    expect(ds.map((d) => d.code)).toEqual(expect.arrayContaining(["syntax-error", "unknown-dataset", "unknown-algorithm", "unknown-column", "unknown-model"]));
  });
});
