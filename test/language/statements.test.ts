import { describe, expect, it } from "vitest";
import type { Statement } from "../../language/ast.js";
import { check, type SourceSchema } from "../../language/checker.js";
import { parse } from "../../language/parse.js";
import { normalizeQuantity } from "../../language/quantity.js";
import type { Schema } from "../../language/schema.js";

const penguins: Schema = [
  { name: "Species", type: "string" },
  { name: "Island", type: "string" },
  { name: "Beak Length (mm)", type: "number" },
  { name: "Body Mass (g)", type: "number" },
];
const schemas: Record<string, SourceSchema> = { penguins: { columns: penguins } };

/** A program that trains and registers `m` as "species", so later statements have something to refer to. */
const base = `source penguins = read "p.json"
prepare clean = penguins { drop rows where Species is missing; onehot Island }
split clean into train 70%, validation 15%, test 15% stratify by Species
model m = random_forest predicting Species from train { features: "Beak Length (mm)", "Body Mass (g)", Island; trees: 50 }
`;

function one<K extends Statement["kind"]>(text: string, kind: K): Extract<Statement, { kind: K }> {
  const { program, diagnostics } = parse(text);
  expect(diagnostics).toEqual([]);
  const s = program.statements.find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind} statement in ${text}`);
  return s as Extract<Statement, { kind: K }>;
}

function codes(text: string): string[] {
  const parsed = parse(text);
  expect(parsed.diagnostics).toEqual([]);
  return check(parsed.program, schemas).diagnostics.map((d) => d.code);
}

describe("tune", () => {
  it("parses the search space, metric, data, trials and search", () => {
    const s = one("tune m over { trees: [50, 100, 200]; max_depth: [4, 8] } by f1 on validation trials 6 search random", "tune");
    expect(s.model.text).toBe("m");
    expect(s.space.map((o) => o.key.text)).toEqual(["trees", "max_depth"]);
    expect(s.space[0].values[0]).toMatchObject({ kind: "list", items: [{ value: 50 }, { value: 100 }, { value: 200 }] });
    expect(s).toMatchObject({ metric: { text: "f1" }, data: { text: "validation" }, trials: 6, search: "random" });
  });

  it("checks options against the algorithm, value types, the metric and the data", () => {
    expect(codes(`${base}tune m over { trees: [50, 100]; max_depth: [4, 8] } by f1 on validation`)).toEqual([]);
    expect(codes(`${base}tune m over { tres: [50, 100] } by f1 on validation`)).toEqual(["unknown-option"]);
    expect(codes(`${base}tune m over { trees: 50 } by f1 on validation`)).toEqual(["invalid-option"]);
    expect(codes(`${base}tune m over { trees: [50, "many"] } by f1 on validation`)).toEqual(["type-mismatch"]);
    expect(codes(`${base}tune m over { trees: [50, 100] } by rmse on validation`)).toEqual(["metric-task-mismatch"]);
    expect(codes(`${base}tune m over { trees: [50, 100] } by f1 on train`)).toEqual(["tune-on-training-data"]);
    expect(codes(`${base}tune q over { trees: [50, 100] } by f1 on validation`)).toEqual(["unknown-model"]);
  });
});

describe("register, promote, rollback", () => {
  it("parse names and versions", () => {
    expect(one('register m as "species"', "register")).toMatchObject({ model: { text: "m" }, as: { value: "species" } });
    expect(one('promote "species" version 3', "promote")).toMatchObject({ target: { name: { value: "species" }, version: 3 } });
    expect(one('promote "species"', "promote").target.version).toBeUndefined();
    expect(one('rollback "species" to version 2', "rollback")).toMatchObject({ name: { value: "species" }, version: 2 });
    expect(one('promote "species" version 3 to production', "promote")).toMatchObject({ target: { name: { value: "species" }, version: 3 }, alias: { text: "production" } });
    expect(one('promote "species@staging" to production', "promote")).toMatchObject({ target: { name: { value: "species@staging" } }, alias: { text: "production" } });
    expect(one('promote "species"', "promote").alias).toBeUndefined();
    expect(one('rollback "species@production" to version 2', "rollback")).toMatchObject({ name: { value: "species@production" }, version: 2 });
  });

  it("check aliases: any word may be promoted to and rolled back, except `latest`", () => {
    const gated = `${base}assert m on test: f1 >= 0.8\nregister m as "species"\n`;
    expect(codes(`${gated}promote "species" to production\npromote "species@production" to staging\nrollback "species@staging"\nrollback "species@production" to version 1`)).toEqual([]);
    expect(codes(`${gated}promote "species" to latest`)).toEqual(["invalid-alias"]);
    expect(codes(`${gated}rollback "species@latest"`)).toEqual(["invalid-alias"]);
    expect(codes(`${gated}rollback "species@my prod"`)).toEqual(["invalid-alias"]);
    // Serving an alias this program promotes to is fine; a near miss of it is suspicious, another word may exist in the registry.
    expect(codes(`${gated}promote "species" to production\nserve "species@production"\nserve "species@canary"`)).toEqual([]);
    expect(codes(`${gated}promote "species" to production\nserve "species@productoin"`)).toEqual(["unknown-alias"]);
    expect(codes(`${base}register m as "species"\npromote "species" to staging`)).toEqual(["ungated-promote"]);
  });

  it("check the model, the registry name and the gate before promote", () => {
    expect(codes(`${base}assert m on test: f1 >= 0.8\nregister m as "species"\npromote "species"\nrollback "species"`)).toEqual([]);
    expect(codes(`${base}register nope as "species"`)).toEqual(["unknown-model"]);
    expect(codes(`${base}register m as "penguin species"`)).toEqual(["invalid-name"]);
    expect(codes(`${base}register m as "species"\npromote "species"`)).toEqual(["ungated-promote"]);
    // A name never registered here may exist in the registry: fine, unless it is a near miss of one registered here.
    expect(codes(`${base}promote "other-model" version 2`)).toEqual([]);
    expect(codes(`${base}assert m on test: f1 >= 0.8\nregister m as "species"\npromote "specie"`)).toEqual(["unregistered-name"]);
    expect(codes(`${base}rollback "species" to version 0`)).toEqual(["invalid-option"]);
  });
});

describe("deploy, serve, export", () => {
  it("parse", () => {
    expect(one('deploy "species" batch from clean to "out/scores.parquet"', "deploy")).toMatchObject({ target: { name: { value: "species" } }, data: { text: "clean" }, output: { kind: "file", path: { value: "out/scores.parquet" } } });
    expect(one('deploy "species" batch from clean to table "scores" in "w.duckdb"', "deploy")).toMatchObject({ output: { kind: "table", table: { value: "scores" }, database: { value: "w.duckdb" } } });
    expect(one('save clean to "out/clean.csv"', "save")).toMatchObject({ data: { text: "clean" }, output: { kind: "file", path: { value: "out/clean.csv" } } });
    expect(one('export "species" to "dist/cloud" for container', "export")).toMatchObject({ path: { value: "dist/cloud" }, form: { text: "container" } });
    expect(one('serve "species" version 2 port 8080', "serve")).toMatchObject({ target: { version: 2 }, port: 8080 });
    expect(one('serve "species"', "serve").port).toBeUndefined();
    expect(one('export "species" to "dist/edge"', "export")).toMatchObject({ path: { value: "dist/edge" } });
  });

  it("check data, features, ports and paths", () => {
    expect(codes(`${base}register m as "species"\ndeploy "species" batch from clean to "out/s.parquet"\nserve "species" port 8080\nexport "species" to "dist/edge"`)).toEqual([]);
    expect(codes(`${base}register m as "species"\ndeploy "species" batch from nowhere to "out/s.parquet"`)).toEqual(["unknown-dataset"]);
    expect(codes(`${base}register m as "species"\ndeploy "species" batch from penguins to "out/s.parquet"`)).toEqual([]);
    expect(codes(`${base}prepare slim = clean { keep columns Species }\nregister m as "species"\ndeploy "species" batch from slim to "o.csv"`)).toEqual(["missing-features"]);
    expect(codes(`${base}save clean to "out/clean.docx"`)).toEqual(["unknown-format"]);
    expect(codes(`${base}register m as "species"\nserve "species@latest"\nexport "species@champion" to "d"`)).toEqual([]);
    expect(codes(`${base}register m as "species"\nserve "species@staging"`)).toEqual([]);
    expect(codes(`${base}register m as "species"\nserve "species@sta ging"`)).toEqual(["invalid-alias"]);
    expect(codes(`${base}register m as "species"\nserve "species@latest" version 2`)).toEqual(["invalid-alias"]);
    expect(codes(`${base}save nowhere to "out/clean.csv"`)).toEqual(["unknown-dataset"]);
    expect(codes(`${base}save clean to table "clean" in "out/w.duckdb"`)).toEqual([]);
    expect(codes(`${base}register m as "species"\nexport "species" to "dist" for lambda`)).toEqual(["invalid-option"]);
    expect(codes(`${base}serve "species" port 70000`)).toEqual(["invalid-option"]);
    expect(codes(`${base}export "species" to ""`)).toEqual(["invalid-option"]);
  });
});

describe("monitor", () => {
  it("parses drift rules and thresholds with units", () => {
    const s = one('monitor "species" { drift on "Body Mass (g)", Island using psi; latency p99 < 20 ms; error_rate < 1%; drift > 0.3 }', "monitor");
    expect(s.rules.map((r) => r.kind)).toEqual(["drift", "threshold", "threshold", "threshold"]);
    expect(s.rules[0]).toMatchObject({ columns: [{ text: "Body Mass (g)", quoted: true }, { text: "Island" }], method: { text: "psi" } });
    const latency = s.rules[1];
    if (latency.kind !== "threshold") throw new Error("kind");
    expect(latency.threshold).toMatchObject({ signal: { text: "latency" }, qualifier: { text: "p99" }, op: "<", bound: { value: 20, unit: "ms" } });
    expect(normalizeQuantity(latency.threshold.bound)).toBe(20);
    const errors = s.rules[2];
    if (errors.kind !== "threshold") throw new Error("kind");
    expect(normalizeQuantity(errors.threshold.bound)).toBe(0.01);
    expect(normalizeQuantity({ value: 2, unit: "s" })).toBe(2000);
  });

  it("checks columns against the registered model, signals, qualifiers and units", () => {
    expect(codes(`${base}register m as "species"\nmonitor "species" { drift on "Body Mass (g)", Island; latency p99 < 20 ms; error_rate < 1% }`)).toEqual([]);
    expect(codes(`${base}register m as "species"\nmonitor "species" { drift on "Body Mass (kg)" }`)).toEqual(["unknown-column"]);
    // Unknown model: columns cannot be checked, signals still are.
    expect(codes(`monitor "elsewhere" { drift on anything; latency p99 < 20 ms }`)).toEqual([]);
    expect(codes(`monitor "x" { latncy p99 < 20 ms }`)).toEqual(["unknown-metric"]);
    expect(codes(`monitor "x" { latency p100 < 20 ms }`)).toEqual(["invalid-option"]);
    expect(codes(`monitor "x" { latency p99 < 20 }`)).toEqual(["unit-mismatch"]);
    expect(codes(`monitor "x" { error_rate < 5 }`)).toEqual(["unit-mismatch"]);
    expect(codes(`monitor "x" { drift on a using magic }`)).toEqual(["invalid-option"]);
    expect(codes(`monitor "x" { }`)).toEqual(["invalid-option"]);
  });

  it("bounds the server's memory and CPU: rss in KB, MB or GB (binary), cpu as a share of one core", () => {
    const s = one('monitor "x" { rss < 500 MB; rss mean < 1.5GB; cpu < 80%; cpu max <= 1.5 }', "monitor");
    const bounds = s.rules.map((r) => (r.kind === "threshold" ? normalizeQuantity(r.threshold.bound) : NaN));
    expect(bounds).toEqual([500 * 2 ** 20, 1.5 * 2 ** 30, 0.8, 1.5]);
    expect(normalizeQuantity({ value: 2, unit: "KB" })).toBe(2048);
    expect(codes(`monitor "x" { rss < 500 MB; rss mean < 1 GB; cpu < 80%; cpu max < 150% }`)).toEqual([]);
    expect(codes(`monitor "x" { rss < 500 }`)).toEqual(["unit-mismatch"]);
    expect(codes(`monitor "x" { latency p99 < 5 MB }`)).toEqual(["unit-mismatch"]);
    expect(codes(`monitor "x" { cpu < 2 s }`)).toEqual(["unit-mismatch"]);
    expect(codes(`monitor "x" { rss p99 < 1 GB }`)).toEqual(["invalid-option"]);
    // A unit word stays a name elsewhere: a column may be called MB.
    expect(codes(`monitor "x" { drift on MB, GB }`)).toEqual([]);
  });
});

describe("retrain", () => {
  it("parses schedules and conditions joined by or", () => {
    const s = one('retrain "species" every week or when drift > 0.25 or when accuracy < 0.85', "retrain");
    expect(s.triggers).toMatchObject([
      { kind: "schedule", count: 1, unit: { text: "week" } },
      { kind: "condition", threshold: { signal: { text: "drift" }, op: ">", bound: { value: 0.25 } } },
      { kind: "condition", threshold: { signal: { text: "accuracy" }, op: "<", bound: { value: 0.85 } } },
    ]);
    expect(one('retrain "species" every 2 days', "retrain").triggers[0]).toMatchObject({ count: 2, unit: { text: "days" } });
    expect(one('retrain "species" when drift > 0.2', "retrain").triggers).toHaveLength(1);
  });

  it("checks units, schedules and metrics against the model's task", () => {
    expect(codes(`${base}register m as "species"\nretrain "species" every week or when drift > 0.25 or when accuracy < 0.85`)).toEqual([]);
    expect(codes(`retrain "x" every fortnight`)).toEqual(["invalid-option"]);
    expect(codes(`retrain "x" every week or every day`)).toEqual(["duplicate-option"]);
    expect(codes(`${base}register m as "species"\nretrain "species" when rmse > 3`)).toEqual(["metric-task-mismatch"]);
  });
});

describe("model options", () => {
  it("checks option value types and duplicates", () => {
    expect(codes(`${base}model n = random_forest predicting Species from train { trees: many }`)).toEqual(["type-mismatch"]);
    expect(codes(`${base}model n = random_forest predicting Species from train { trees: 5; trees: 6 }`)).toEqual(["duplicate-option"]);
    expect(codes(`${base}model n = svm predicting Species from train { kernel: rbff }`)).toEqual(["invalid-option"]);
    expect(codes(`param t = 30\n${base}model n = random_forest predicting Species from train { trees: t }`)).toEqual([]);
  });
});

describe("the one statement list (statements.ts)", () => {
  it("gives the lexer a keyword for every statement and step word", async () => {
    const { K, keywordWords } = await import("../../language/lexer.js");
    const { statementKeywords, stepKeywords } = await import("../../language/statements.js");
    for (const w of [...statementKeywords, ...stepKeywords]) {
      expect(K[w], w).toBeDefined();
      expect(keywordWords).toContain(w);
    }
  });

  it("gives the parser its statement and step alternatives, in its order", async () => {
    const { parser } = await import("../../language/parser.js");
    const { statementKeywords, statements, stepRules } = await import("../../language/statements.js");
    type Gast = { type: string; name?: string; definition?: Gast[] };
    const alternatives = (rule: string) => {
      const production: Gast | undefined = parser.getSerializedGastProductions().find((p: Gast) => p.name === rule);
      const choice = production?.definition?.find((d) => d.type === "Alternation");
      return choice?.definition?.map((alt) => alt.definition?.[0].name);
    };
    expect(alternatives("statement")).toEqual(statementKeywords.map((k) => statements[k].rule));
    expect(alternatives("prepareStep")).toEqual(stepRules);
    // Each statement word parses to a statement of its kind.
    for (const k of statementKeywords) expect(parser.getGAstProductions()[statements[k].rule], k).toBeDefined();
  });

  it("gives \"did you mean\" and completion their words", async () => {
    const { statementKeywords, stepKeywords } = await import("../../language/statements.js");
    const { complete } = await import("../../language/complete.js");
    for (const w of statementKeywords) {
      const typo = w.slice(0, -1) + (w.endsWith("x") ? "y" : "x");
      expect(parse(`${typo} a`).diagnostics[0].suggestions, typo).toContain(w);
    }
    for (const w of stepKeywords) {
      const typo = w.slice(0, -1) + (w.endsWith("x") ? "y" : "x");
      expect(parse(`prepare p = d { ${typo} a }`).diagnostics[0].suggestions, typo).toContain(w);
    }
    expect(complete("", 0).items.map((i) => i.label)).toEqual(expect.arrayContaining([...statementKeywords]));
    expect(complete("prepare p = d { ", 16).items.map((i) => i.label)).toEqual(expect.arrayContaining([...stepKeywords]));
  });
});
