import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { resultSummary } from "../../api/summary.js";
import { repo, tempDir } from "../helpers.js";

const example = path.join(repo, "examples/penguins.lathe");

describe("Session: the walking skeleton end to end", () => {
  const root = tempDir();
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  const open = async () => {
    const s = await Session.open({ root: path.join(root, ".lathe") });
    sessions.push(s);
    return s;
  };

  it("runs penguins: test accuracy >= 0.95, a confusion chart, a recorded run", async () => {
    const outcome = await (await open()).runFile(example);
    expect(outcome.error).toBeUndefined();
    expect(outcome.ok).toBe(true);
    const metrics = outcome.output!.results.find((r) => r.kind === "metrics");
    if (metrics?.kind !== "metrics") throw new Error("no metrics");
    expect(Object.keys(metrics.values)).toEqual(["accuracy", "precision", "recall", "f1"]);
    expect(metrics.values.accuracy).toBeGreaterThanOrEqual(0.95);
    const split = outcome.output!.results.find((r) => r.kind === "split");
    if (split?.kind !== "split") throw new Error("no split");
    // 342 labelled rows... 344 in the file, all with a species: 70/15/15 stratified.
    expect(split.parts.reduce((a, p) => a + p.rows, 0)).toBe(344);
    expect(split.parts[0].rows).toBeGreaterThan(230);
    const chart = outcome.output!.results.find((r) => r.kind === "chart");
    if (chart?.kind !== "chart") throw new Error("no chart");
    expect(chart.bundle["image/svg+xml"]).toContain("<svg");
    expect(chart.files.some((f) => f.endsWith(".svg"))).toBe(true);
    const stored = await (await open()).store.load(outcome.runId!);
    expect(stored?.status).toBe("succeeded");
    expect(stored?.metrics.find((m) => m.metric === "accuracy")?.value).toBe(metrics.values.accuracy);
  });

  it("gives bit-identical metrics on a second run with the same seed", async () => {
    // Computed both times: the step cache would hand the second run the first one's results.
    const a = await (await open()).runFile(example, { cache: "refresh" });
    const b = await (await open()).runFile(example, { cache: "refresh" });
    const m = (o: typeof a) => o.output!.metrics.map((x) => `${x.metric}=${x.value}`);
    expect(m(a)).toEqual(m(b));
  });

  it("reports a missing data file as a diagnostic at the path", async () => {
    const dir = tempDir();
    const file = path.join(dir, "job.lathe");
    writeFileSync(file, 'source d = read "nope.csv"\nshow d\n');
    const outcome = await (await open()).runFile(file);
    expect(outcome.ok).toBe(false);
    expect(outcome.diagnostics).toMatchObject([{ code: "file-not-found", span: { line: 1, column: 17 } }]);
    expect(outcome.diagnostics[0].message).toContain("file not found: nope.csv");
  });

  it("carries state across runs like notebook cells, and a cell may redefine a name", async () => {
    const s = await open();
    const text = readFileSync(example, "utf8");
    const [first, second] = [text.slice(0, text.indexOf("model species")), text.slice(text.indexOf("model species"))];
    expect((await s.run(first, { file: example })).ok).toBe(true);
    const r = await s.run(second, { file: example });
    expect(r.ok).toBe(true);
    const again = await s.run("model species = logistic_regression predicting Species from train { features: \"Body Mass (g)\" }\nevaluate species on test metrics accuracy", { file: example });
    expect(again.diagnostics).toEqual([]);
    expect(again.ok).toBe(true);
  });

  it("reuses the data and models of unchanged steps when cells run again, and only those", async () => {
    const s = await open();
    const source = 'source penguins = read "vega-datasets/data/penguins.json"\nprepare clean = penguins { drop rows where "Body Mass (g)" is missing }\n';
    const splitCell = (seed: number) => `split clean into train 70%, test 30% stratify by Species seed ${seed}\n`;
    const modelCell = 'model m = decision_tree predicting Species from train { features: "Body Mass (g)", "Flipper Length (mm)"; max_depth: 3 }\nevaluate m on test metrics accuracy\n';
    const reused = (r: Awaited<ReturnType<Session["run"]>>) => r.output!.results.map((x) => `${x.kind}${x.reused ? " reused" : ""}`);
    const run = async (text: string) => {
      const r = await s.run(text, { file: example });
      expect(r.error).toBeUndefined();
      return r;
    };
    await run(source + splitCell(1));
    const first = await run(modelCell);
    expect(reused(first)).toEqual(["model", "metrics"]);
    const model = s.executor.modelState("m");
    // The same cells again: nothing is loaded, split or trained again, and the results are the same.
    expect(reused(await run(source + splitCell(1)))).toEqual(["dataset reused", "dataset reused", "split reused"]);
    const second = await run(modelCell);
    expect(reused(second)).toEqual(["model reused", "metrics"]);
    expect(s.executor.modelState("m")).toBe(model);
    expect(resultSummary(second.output!.results[0])).toMatch(/features.*\(unchanged, reused\)$/);
    expect(second.output!.metrics).toEqual(first.output!.metrics);
    // Another seed upstream: the split runs, and the model cell (text unchanged) trains again.
    expect(reused(await run(source + splitCell(2)))).toEqual(["dataset reused", "dataset reused", "split"]);
    expect(reused(await run(modelCell))).toEqual(["model", "metrics"]);
    // An option changed in the model cell: trained again.
    expect(reused(await run(modelCell.replace("max_depth: 3", "max_depth: 4")))).toEqual(["model", "metrics"]);
  });

  it("loads a file source again when the file's content changed", async () => {
    const s = await open();
    const file = path.join(root, "points.csv");
    writeFileSync(file, "x,y\n1,a\n2,b\n3,a\n4,b\n");
    const cell = `source p = read ${JSON.stringify(file)}\nshow p`;
    await s.run(cell);
    expect((await s.run(cell)).output!.results[0].reused).toBe(true);
    writeFileSync(file, "x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n");
    const changed = await s.run(cell);
    expect(changed.output!.results[0]).toMatchObject({ kind: "dataset", rows: 5 });
    expect(changed.output!.results[0].reused).toBeUndefined();
  });

  it("always runs sql sources and what is built on them: their text does not fix their rows", async () => {
    const s = await open();
    const cell = 'source r = sql "select (i % 2)::varchar as y, i::double as x from range(40) t(i)"\nmodel m = decision_tree predicting y from r\n';
    await s.run(cell);
    const again = await s.run(cell);
    expect(again.error).toBeUndefined();
    expect(again.output!.results.map((x) => x.reused ?? false)).toEqual([false, false]);
  });

  it("takes names that plain objects would inherit (`__proto__`, `constructor`) as ordinary names, end to end", async () => {
    const s = await Session.open({ record: false });
    const r = await s.run(`source __proto__ = sql "select i::double as constructor, (i % 2)::varchar as toString from range(30) t(i)"
prepare constructor = __proto__ { derive hasOwnProperty = constructor * 2 }
model valueOf = decision_tree predicting toString from constructor { features: constructor, hasOwnProperty }
evaluate valueOf on constructor metrics accuracy`);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.error).toBeUndefined();
    expect(r.output!.metrics.map((m) => m.metric)).toEqual(["accuracy"]);
    const shown = await s.run(`source q = sql "select 7 as __proto__, 8 as constructor"\nshow q`);
    const table = shown.output!.results.find((x) => x.kind === "table");
    expect(table?.kind === "table" && Object.getOwnPropertyDescriptor(table.rows[0], "__proto__")?.value).toBe(7);
    const call = await s.run(`prepare p = constructor { derive z = constructor(hasOwnProperty) }`);
    expect(call.diagnostics.map((d) => d.code)).toContain("unknown-function");
    s.close();
  });
});
