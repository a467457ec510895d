import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
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
    const stored = await (await open()).store.get(outcome.runId!);
    expect(stored?.run.status).toBe("succeeded");
    expect(stored?.metrics.find((m) => m.metric === "accuracy")?.value).toBe(metrics.values.accuracy);
  });

  it("gives bit-identical metrics on a second run with the same seed", async () => {
    const a = await (await open()).runFile(example);
    const b = await (await open()).runFile(example);
    const m = (o: typeof a) => o.output!.metrics.map((x) => `${x.metric}=${x.value}`);
    expect(m(a)).toEqual(m(b));
  });

  it("reports a missing data file as a diagnostic at the path", async () => {
    const dir = tempDir();
    const file = path.join(dir, "job.lathe");
    writeFileSync(file, 'source d = read "nope.csv"\nshow d\n');
    const outcome = await (await open()).runFile(file);
    expect(outcome.ok).toBe(false);
    expect(outcome.diagnostics).toMatchObject([{ code: "source-error", span: { line: 1, column: 17 } }]);
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
});
