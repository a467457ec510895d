import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lathe } from "../../../api/index.js";
import type { StepResult } from "../../../runtime/results.js";
import { dataset, tempDir } from "../../helpers.js";
import { isMissing, mean, present } from "./reference.js";
import { openSession } from "./run-lathe.js";
import { profileDataset } from "../../../runtime/describe.js";

type Row = Record<string, unknown>;
const penguins = JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Row[];
const columns = Object.keys(penguins[0]);
const sampleStd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

let s: Awaited<ReturnType<typeof openSession>>;
let result: Extract<StepResult, { kind: "describe" }>;
let shown: Extract<StepResult, { kind: "table" }>;
beforeAll(async () => {
  s = await openSession(tempDir("lathe-describe-"));
  const outcome = await s.run(`source penguins = read "${dataset("penguins.json")}"\nshow penguins limit 5\ndescribe penguins`);
  result = outcome.output!.results.find((r) => r.kind === "describe") as typeof result;
  shown = outcome.output!.results.find((r) => r.kind === "table") as typeof shown;
});
afterAll(() => s.close());

describe("show and describe", () => {
  it("show: the first n rows in file order", () => {
    expect(shown.columns).toEqual(columns);
    expect(shown.rows).toEqual(penguins.slice(0, 5));
  });

  it("describe: count, nulls, distinct, min/max/mean/std and top values per column", () => {
    expect(result.rows).toBe(penguins.length);
    expect(result.columns.map((c) => c.column)).toEqual(columns);
    for (const c of result.columns) {
      const values = penguins.map((r) => r[String(c.column)]);
      const kept = values.filter((v) => !isMissing(v));
      expect(c.count).toBe(kept.length);
      expect(c.nulls).toBe(values.length - kept.length);
      expect(c.distinct).toBe(new Set(kept).size);
      const counts = [...kept.reduce((m: Map<unknown, number>, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map())].sort((a, b) => b[1] - a[1] || ((a[0] as number) < (b[0] as number) ? -1 : 1));
      expect(c.top).toBe(counts.slice(0, 3).map(([v, n]) => `${v} (${n})`).join(", "));
      if (typeof kept[0] === "number") {
        const xs = present(values);
        expect(c.min).toBe(Math.min(...xs));
        expect(c.max).toBe(Math.max(...xs));
        expect(c.mean).toBeCloseTo(mean(xs), 9);
        expect(c.std).toBeCloseTo(sampleStd(xs), 9);
      } else {
        expect(c.min).toBe([...kept].map(String).sort()[0]);
        expect(c.mean).toBeNull();
      }
    }
  });

  it("describe: a histogram per numeric column and top values per text column, as chart bundles", () => {
    expect(result.charts.map((c) => c.column)).toEqual(columns);
    for (const { column, bundle } of result.charts) {
      expect(bundle["image/svg+xml"]).toContain("<svg");
      const spec = bundle["application/vnd.vegalite.v5+json"] as { data: { values: { count: number; value?: string }[] }; $schema: string };
      expect(spec.$schema).toContain("vega-lite/v5");
      const kept = penguins.map((r) => r[column]).filter((v) => !isMissing(v));
      const total = spec.data.values.reduce((a, v) => a + v.count, 0);
      // Histogram bins hold every value; the top-values bars (at most 20) hold every one of these few categories.
      expect(total).toBe(kept.length);
    }
    const species = result.charts.find((c) => c.column === "Species")!.bundle["application/vnd.vegalite.v5+json"] as { data: { values: { value: string; count: number }[] } };
    expect(JSON.parse(JSON.stringify(species.data.values))).toEqual([
      { value: "Adelie", count: penguins.filter((r) => r.Species === "Adelie").length },
      { value: "Gentoo", count: penguins.filter((r) => r.Species === "Gentoo").length },
      { value: "Chinstrap", count: penguins.filter((r) => r.Species === "Chinstrap").length },
    ]);
  });

  it("reaches TypeScript users as arquero tables", async () => {
    const r = await lathe.run(`describe penguins\nshow penguins limit 3`, { session: s.session, display: false });
    expect(r.tables["describe penguins"].numRows()).toBe(columns.length);
    expect(r.tables["describe penguins"].array("column")).toEqual(columns);
    expect(r.tables.penguins.numRows()).toBe(3);
    expect(r.tables.penguins.array("Species")).toEqual(penguins.slice(0, 3).map((p) => p.Species));
  });

  it("describe: top values and distinct counts are the same grouped a column at a time or many columns (of each type) at a time", async () => {
    const db = s.session.executor.db;
    // Columns named like the unpivot's own, missing values, an all-missing column, several types.
    await db.exec(`CREATE TEMP TABLE profile_mix AS SELECT i AS c, i % 7 AS value, NULL::INTEGER AS empty, i % 3 = 0 AS flag, DATE '2020-01-01' + (i % 13)::INTEGER AS day,
      CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' || (i % 4) END AS "name with space", (i % 11)::DOUBLE / 4 AS d, (i % 9)::DOUBLE AS d2 FROM range(500) r(i)`);
    const one = await profileDataset(db, "profile_mix", { maxCharts: 0, topCells: 1 });
    const many = await profileDataset(db, "profile_mix", { maxCharts: 0 });
    expect(many).toEqual(one);
    const byName = Object.fromEntries(many.columns.map((c) => [c.column, c]));
    expect(byName.value).toMatchObject({ distinct: 7, top: "0 (72), 1 (72), 2 (72)" });
    expect(byName.empty).toMatchObject({ distinct: 0, top: "", nulls: 500 });
    expect(byName["name with space"]).toMatchObject({ distinct: 4, nulls: 100, top: "x0 (100), x1 (100), x2 (100)" });
    expect(byName.flag).toMatchObject({ distinct: 2, top: "false (333), true (167)" });
    expect(byName.d2.distinct).toBe(9);
    expect(byName.c.distinct).toBe(500);
    await db.exec("DROP TABLE profile_mix");
  });
});
