import { describe, expect, it } from "vitest";
import type { SourceSchema } from "../../language/checker.js";
import { complete } from "../../language/complete.js";

const schemas: Record<string, SourceSchema> = {
  penguins: {
    columns: [
      { name: "Species", type: "string" },
      { name: "Body Mass (g)", type: "number" },
      { name: "Island", type: "string" },
    ],
  },
};
const head = `source penguins = read "p.json"
prepare clean = penguins { onehot Island }
split clean into train 70%, validation 15%, test 15%
model m = random_forest predicting Species from train { trees: 10 }
`;

/** Completes at the `|` in the text. */
function at(textWithCursor: string) {
  const offset = textWithCursor.indexOf("|");
  const text = textWithCursor.replace("|", "");
  const r = complete(text, offset, schemas);
  return { ...r, labels: r.items.map((i) => i.label), kinds: new Set(r.items.map((i) => i.kind)), text };
}

describe("complete", () => {
  it("offers statement keywords at the start of a statement, filtered by the word typed", () => {
    expect(at("|").labels).toEqual(expect.arrayContaining(["source", "prepare", "tune", "monitor", "retrain"]));
    const r = at(`${head}ev|`);
    expect(r.labels).toEqual(["evaluate"]);
    expect(r.text.slice(r.from, r.to)).toBe("ev");
  });

  it("offers the keywords the grammar allows next", () => {
    expect(at(`${head}split clean in|`).labels).toEqual(["into"]);
    expect(at(`${head}evaluate m on test |`).labels).toEqual(expect.arrayContaining(["metrics", "evaluate", "source"]));
    expect(at(`${head}tune m over { trees: [1, 2] } by f1 on validation |`).labels).toEqual(expect.arrayContaining(["trials", "search"]));
  });

  it("offers datasets, models, algorithms and metrics for the model's task", () => {
    expect(at(`${head}evaluate m on |`).items.filter((i) => i.kind === "dataset").map((i) => i.label)).toEqual(["penguins", "clean", "train", "validation", "test"]);
    expect(at(`${head}evaluate |`).labels).toEqual(["m"]);
    expect(at(`${head}model q = log|`).labels).toEqual(["logistic_regression"]);
    const metrics = at(`${head}evaluate m on test metrics |`).labels;
    expect(metrics).toContain("f1");
    expect(metrics).not.toContain("rmse");
    expect(at(`${head}plot conf|`).items).toMatchObject([{ label: "confusion", kind: "chart" }]);
  });

  it("offers the columns of the dataset in scope, quoted when they need it", () => {
    const r = at(`${head}prepare p = penguins { fill |`);
    expect(r.items.filter((i) => i.kind === "column").map((i) => i.label)).toEqual(["Species", '"Body Mass (g)"', "Island"]);
    expect(at(`${head}prepare p = penguins { drop rows where Sp|`).labels).toEqual(["Species"]);
    const quoted = at(`${head}prepare p = penguins { fill "Bo|`);
    expect(quoted.labels).toEqual(['"Body Mass (g)"']);
    expect(quoted.text.slice(quoted.from, quoted.to)).toBe('"Bo');
    expect(at(`${head}model q = svm predicting Species from train { features: |`).kinds).toEqual(new Set(["column"]));
    // A bare word finds a name that needs quotes by its text, and the quoted name replaces the word.
    const bare = at(`${head}prepare p = penguins { fill bod|`);
    expect(bare.labels).toEqual(['"Body Mass (g)"']);
    expect(bare.text.slice(bare.from, bare.to)).toBe("bod");
  });

  it("offers the algorithm's option names and choices", () => {
    const opts = at(`${head}model q = svm predicting Species from train { |`).items;
    expect(opts.map((i) => i.label)).toEqual(expect.arrayContaining(["features", "kernel", "gamma"]));
    expect(opts.every((i) => i.kind === "option" && i.detail)).toBe(true);
    expect(at(`${head}model q = svm predicting Species from train { kernel: |`).labels).toEqual(expect.arrayContaining(["linear", "rbf"]));
    const tunable = at(`${head}tune m over { |`).labels;
    expect(tunable).toContain("trees");
    expect(tunable).not.toContain("features");
  });

  it("offers the common options, datasets for validation, and leaves them out of tune", () => {
    const opts = at(`${head}model q = neural_network predicting Species from train { |`).labels;
    expect(opts).toEqual(expect.arrayContaining(["seed", "validation", "dropout"]));
    expect(at(`${head}model q = neural_network predicting Species from train { validation: |`).labels).toEqual(["penguins", "clean", "train", "validation", "test"]);
    const tunable = at(`${head}tune m over { |`).labels;
    expect(tunable).not.toContain("seed");
    expect(tunable).not.toContain("validation");
  });

  it("offers `column` after `by` in a split, then the input's columns; cast types from the catalog", () => {
    expect(at(`${head}split clean into a, b by |`).labels).toEqual(expect.arrayContaining(["column", "time"]));
    expect(at(`${head}split clean into a, b by column |`).labels).toEqual(["Species", '"Body Mass (g)"', "Island"]);
    expect(at(`${head}prepare p = penguins { cast Species as |`).labels).toEqual(["number", "integer", "string", "boolean", "date", "timestamp"]);
  });

  it("offers a source's reader options for its format", () => {
    const csv = at(`source t = read "data/t.csv" with { |`).items;
    expect(csv.map((i) => i.label)).toEqual(expect.arrayContaining(["delimiter", "header", "na_values", "types"]));
    expect(csv.every((i) => i.kind === "option" && i.detail)).toBe(true);
    const json = at(`source t = read "data/t.txt" format json with { header: true; |`).labels;
    expect(json).toContain("date_format");
    expect(json).not.toContain("delimiter");
    expect(at(`source t = read "t.tsv.gz" with { delimiter: |`).labels).toEqual(expect.arrayContaining(["tab", "semicolon"]));
    expect(at(`source t = table "events" from |`).labels).toEqual(["clickhouse"]);
  });

  it("knows the new statements: monitor signals, qualifiers, registry names, schedule units", () => {
    const reg = `${head}register m as "species"\n`;
    expect(at(`${reg}monitor "species" { drift on |`).labels).toEqual(expect.arrayContaining(["Species", '"Body Mass (g)"']));
    expect(at(`${reg}monitor "species" { latency |`).labels).toEqual(expect.arrayContaining(["p50", "p99"]));
    expect(at(`${reg}monitor "species" { err|`).labels).toEqual(["error_rate"]);
    expect(at(`${reg}promote |`).labels).toEqual(['"species"']);
    expect(at(`${reg}promote "species" to |`).labels).toEqual(["production", "staging", "champion"]);
    expect(at(`${reg}promote "species" |`).labels).toEqual(expect.arrayContaining(["version", "to"]));
    expect(at(`${reg}retrain "species" every |`).labels).toEqual(["hour", "day", "week", "month"]);
  });

  it("still completes after a broken statement, and not inside comments", () => {
    expect(at(`${head}prepare broken = { fill\nevaluate m on te|`).labels).toEqual(["test"]);
    expect(at(`${head}# evaluate m on |`).items).toEqual([]);
  });

  it("uses what earlier notebook cells defined", () => {
    const prior = { params: {}, datasets: { cells: { name: "cells", kind: "source" as const, schema: [{ name: "z", type: "number" as const }], fitted: false, statement: 0 } }, models: {} };
    expect(complete("show ", 5, {}, { prior }).items.map((i) => i.label)).toEqual(["cells"]);
  });
});
