// Bounded outputs, the same in a notebook (partDisplay) and the terminal (the CLI's resultDetail):
// show asked for more rows than a table shows, describe of more columns than it charts, a table
// longer than a surface shows. Real sessions on DuckDB.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partDisplay } from "../../api/index.js";
import { resultDetail } from "../../cli/report.js";
import { renderResult } from "../../runtime/ops/index.js";
import { boundedTable, maxDescribeCharts, maxShownRows } from "../../runtime/output-bounds.js";
import type { StepResult } from "../../runtime/results.js";
import { tempDir } from "../helpers.js";
import { openSession } from "./data/run-lathe.js";

let s: Awaited<ReturnType<typeof openSession>>;
beforeAll(async () => {
  s = await openSession(tempDir("lathe-bounds-"));
});
afterAll(() => s.close());

const resultOf = async (text: string, kind: StepResult["kind"]) => (await s.run(text)).output!.results.find((r) => r.kind === kind)!;

describe("output bounds", () => {
  it("show asked for 1,000 rows of 400,000 holds 50 and says so, in a notebook and in the terminal", async () => {
    const r = await resultOf('source big = sql "select range as i from range(400000)"\nshow big limit 1000', "table");
    expect(r).toMatchObject({ kind: "table", asked: 1000 });
    expect((r as Extract<StepResult, { kind: "table" }>).rows).toHaveLength(maxShownRows);
    const note = "showing the first 50 of the 1,000 rows asked for: a table shows at most 50 rows";
    expect(resultDetail(r)).toContain(`(${note})`);
    expect(resultDetail(r)!.split("\n")).toHaveLength(2 + maxShownRows + 1);
    const shown = partDisplay(renderResult(r).parts[0]).data;
    expect(shown["text/plain"]).toContain(note);
    expect(shown["text/html"]).toContain(`<i>${note}</i>`);
  });

  it("show within the bound, or of fewer rows than asked, says nothing more", async () => {
    const few = await resultOf("show big limit 3", "table");
    expect(few).not.toHaveProperty("asked");
    expect(resultDetail(few)).not.toContain("(");
    const all = await resultOf('source small = sql "select range as i from range(7)"\nshow small limit 1000', "table");
    expect((all as Extract<StepResult, { kind: "table" }>).rows).toHaveLength(7);
    expect(all).not.toHaveProperty("asked");
  });

  it("describe of 60 columns charts the first 20 and its table of 60 rows shows 50, saying both", async () => {
    const cols = Array.from({ length: 60 }, (_, i) => `range * ${i} as c${i}`).join(", ");
    const r = (await resultOf(`source wide = sql "select ${cols} from range(5)"\ndescribe wide`, "describe")) as Extract<StepResult, { kind: "describe" }>;
    expect(r.columns).toHaveLength(60);
    expect(r.charts.map((c) => c.column)).toEqual(Array.from({ length: maxDescribeCharts }, (_, i) => `c${i}`));
    expect(r.unchartedColumns).toBe(40);
    const parts = renderResult(r).parts;
    expect(parts).toHaveLength(1 + maxDescribeCharts);
    const text = resultDetail(r)!;
    expect(text).toContain("the first 50 of 60 rows; charts for the first 20 of 60 columns that have one (at most 20); `plot histogram of wide columns NAME` draws any other");
    expect(partDisplay(parts[0]).data["text/plain"]).toContain("charts for the first 20 of 60 columns");
  });

  it("a table part past the bound is cut to it with a note; within it, untouched", () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i }));
    expect(boundedTable({ rows })).toEqual({ rows: rows.slice(0, 50), note: "the first 50 of 3,000 rows" });
    expect(boundedTable({ rows: rows.slice(0, 50), note: "n" })).toEqual({ rows: rows.slice(0, 50), note: "n" });
    expect(boundedTable({ rows: rows.slice(0, 2) })).toEqual({ rows: rows.slice(0, 2) });
  });
});
