import { describe, expect, it } from "vitest";
import { sourceFormatOf } from "../../language/catalog.js";
import { check, type SourceSchema } from "../../language/checker.js";
import { complete } from "../../language/complete.js";
import { dict, has, own } from "../../language/lookup.js";
import { parse } from "../../language/parse.js";
import type { Schema } from "../../language/schema.js";

// Names that a plain object answers from Object.prototype. Each used to pass the checker (or crash
// it) wherever it is looked up in a table: the program then failed at run time.
const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

const columns: Schema = [
  { name: "y", type: "string" },
  { name: "x", type: "number" },
];

function codes(text: string, schemas: Record<string, SourceSchema> = { s: { columns } }, params: Record<string, number> = {}): string[] {
  const parsed = parse(text);
  expect(parsed.diagnostics).toEqual([]);
  return check(parsed.program, schemas, params).diagnostics.filter((d) => d.severity !== "info").map((d) => d.code);
}

const src = `source s = read "s.csv"\n`;
const trained = `${src}split s into train 80%, test 20%\nmodel m = decision_tree predicting y from train\n`;

describe.each(names)("the name %s", (n) => {
  it("as a function name is unknown-function", () => {
    expect(codes(`${src}prepare p = s { derive z = ${n}(x) }`)).toEqual(["unknown-function"]);
  });

  it("as a dataset name: defined, it works; undefined, it is unknown-dataset", () => {
    expect(codes(`source ${n} = read "s.csv"\nprepare p = ${n} { drop rows where x < 0 }\nshow ${n}`, { [n]: { columns } })).toEqual([]);
    expect(codes(`${src}show ${n}`)).toEqual(["unknown-dataset"]);
    expect(codes(`${src}split s into ${n} 50%, b 50%\nshow ${n}`)).toEqual([]);
    expect(codes(`${trained}model q = decision_tree predicting y from train { validation: ${n} }`)).toEqual(["unknown-dataset"]);
  });

  it("as a model name: defined, it works; undefined, it is unknown-model", () => {
    expect(codes(`${src}split s into train 80%, test 20%\nmodel ${n} = decision_tree predicting y from train\nevaluate ${n} on test`)).toEqual([]);
    expect(codes(`${trained}evaluate ${n} on test`)).toEqual(["unknown-model"]);
    expect(codes(`${trained}describe ${n}`)).toEqual(["unknown-dataset"]);
  });

  it("as a column name: present, it works; absent, it is unknown-column", () => {
    const withIt: Schema = [...columns, { name: n, type: "number" }];
    expect(codes(`${src}prepare p = s { derive z = ${n} + 1; fill ${n} with median }`, { s: { columns: withIt } })).toEqual([]);
    expect(codes(`${src}prepare p = s { fill ${n} with 0 }`)).toEqual(["unknown-column"]);
  });

  it("as an option name is unknown-option (model, tune and source options)", () => {
    expect(codes(`${trained}model q = random_forest predicting y from train { ${n}: 1 }`)).toEqual(["unknown-option"]);
    expect(codes(`${trained}tune m over { ${n}: [1, 2] } by f1 on test`)).toEqual(["unknown-option"]);
    expect(codes(`source t = read "t.csv" with { ${n}: 1 }`, { t: { columns } })).toEqual(["unknown-option"]);
  });

  it("as a param name: defined, it works; overridden or used undefined, it is unknown-param", () => {
    expect(codes(`param ${n} = 3\n${src}split s into a 50%, b 50% seed ${n}`)).toEqual([]);
    expect(codes(`${src}split s into a 50%, b 50% seed ${n}`)).toEqual(["unknown-param"]);
    expect(codes(`param seed = 1`, {}, { [n]: 2 })).toEqual(["unknown-param"]);
    expect(codes(`param ${n} = 3\n${src}split s into a 50%, b 50% seed ${n}`, { s: { columns } }, { [n]: 5 })).toEqual([]);
  });

  it("as an algorithm, metric, chart, type, unit, signal, drift method or format is unknown", () => {
    expect(codes(`${src}split s into train 80%, test 20%\nmodel m = ${n} predicting y from train { trees: 1 }`)).toEqual(["unknown-algorithm"]);
    expect(codes(`${trained}evaluate m on test metrics ${n}`)).toEqual(["unknown-metric"]);
    expect(codes(`${trained}plot ${n} of m on test`)).toEqual(["unknown-chart"]);
    expect(codes(`${src}prepare p = s { cast x as ${n} }`)).toEqual(["unknown-type"]);
    expect(codes(`retrain "r" every ${n}`)).toEqual(["invalid-option"]);
    expect(codes(`monitor "r" { ${n} > 1 }`)).toEqual(["unknown-metric"]);
    expect(codes(`monitor "r" { drift on x using ${n} }`)).toEqual(["invalid-option"]);
    expect(codes(`source t = read "t.csv" format ${n}`, { t: { error: "cannot read" } })).toEqual(["unknown-format"]);
    expect(sourceFormatOf(`data.${n}`)).toBeUndefined();
  });

  it("does not throw in completion", () => {
    for (const text of [`${trained}model q = ${n} predicting y from train { |`, `${trained}evaluate ${n} on test metrics |`, `${trained}plot ${n} of |`, `${trained}tune ${n} over { |`]) {
      const offset = text.indexOf("|");
      expect(() => complete(text.replace("|", ""), offset, { s: { columns } })).not.toThrow();
    }
  });
});

describe("lookup", () => {
  it("finds own entries only, in tables with no prototype", () => {
    expect(own({ a: 1 }, "constructor")).toBeUndefined();
    expect(has({ a: 1 }, "toString")).toBe(false);
    const t = dict<number>();
    t.__proto__ = 1;
    expect(Object.keys(t)).toEqual(["__proto__"]);
    expect(own(t, "__proto__")).toBe(1);
    expect(dict({ constructor: 2 }).constructor).toBe(2);
  });

  it("the checker's tables have no prototype", () => {
    const { checked } = check(parse(`param seed = 1\n${trained}`).program, { s: { columns } });
    for (const table of [checked.params, checked.datasets, checked.models]) expect(Object.getPrototypeOf(table)).toBeNull();
  });
});
