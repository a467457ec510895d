import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers.js";
import { openSession } from "./run-lathe.js";

const dir = tempDir("lathe-view-");
let s: Awaited<ReturnType<typeof openSession>>;
afterAll(() => s?.close());

describe("a prepared dataset only split is kept as a view", () => {
  it("is still readable later, and keeps its rows when its source is redefined", async () => {
    writeFileSync(path.join(dir, "a.json"), JSON.stringify([{ x: 1 }, { x: null }, { x: 3 }, { x: 4 }]));
    writeFileSync(path.join(dir, "b.json"), JSON.stringify([{ x: 100 }]));
    s = await openSession(dir);
    const first = await s.run(`source raw = read "a.json"\nprepare f = raw { fill x with mean }\nsplit f into train 50%, test 50%`);
    const prep = first.plan!.steps.find((p) => p.op === "prepare");
    expect(prep?.op === "prepare" && prep.view).toBe(true);
    const kinds = await s.session.executor.db.rows(`SELECT table_name, table_type FROM information_schema.tables WHERE table_name IN ('f', 'train')`);
    // The part is a table of its own rows, not a view over f (a mean learns in any order, so no sorted copy): it keeps them whatever becomes of raw.
    expect(Object.fromEntries(kinds.map((k) => [k.table_name, k.table_type]))).toEqual({ f: "VIEW", train: "BASE TABLE" });
    const train = await s.rows("train");
    const shown = await s.run(`show f limit 10`);
    const table = shown.output!.results.find((r) => r.kind === "table");
    // Mean of 1, 3, 4 fills the gap, fitted on f's own rows.
    expect(table?.kind === "table" && table.rows.map((r) => r.x)).toEqual([1, 8 / 3, 3, 4]);
    await s.run(`source raw = read "b.json"`);
    expect((await s.rows("f")).map((r) => r.x)).toEqual([1, 8 / 3, 3, 4]);
    expect((await s.rows("raw")).map((r) => r.x)).toEqual([100]);
    expect(await s.rows("train")).toEqual(train);
  });

  it("learns in the query what a table learns by fitting: same rows from fill, scale and bucket", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, a: i % 5 === 0 ? null : (i * 37) % 23, b: (i * 11) % 7, c: i % 3 ? "x" : "y", d: i % 4 === 0 ? null : i % 3 }));
    writeFileSync(path.join(dir, "many.json"), JSON.stringify(rows));
    const steps = `fill a with median\nfill d with mode\nscale a standard\nscale b minmax\nbucket a into 3\nonehot c\nkeep rows where id >= 0`;
    const outcome = await s.run(`source m = read "many.json"\nprepare v = m { ${steps} }\nprepare t = m { ${steps} }\nshow t limit 1\nsplit v into train 50%, test 50%`);
    const kinds = outcome.plan!.steps.filter((p) => p.op === "prepare").map((p) => p.op === "prepare" && !!p.view);
    expect(kinds).toEqual([true, false]);
    const [view, table] = [await s.rows("v", "id"), await s.rows("t", "id")];
    expect(view).toHaveLength(40);
    view.forEach((r, i) => {
      for (const [k, v] of Object.entries(table[i])) {
        if (typeof v === "number") expect(Number(r[k])).toBeCloseTo(v, 12);
        else expect(r[k]).toEqual(v);
      }
    });
    expect(s.session.executor.dataset("v").rows).toBe(40);
  });

  it("is a table when a later statement reads it", async () => {
    const outcome = await s.run(`source raw = read "a.json"\nprepare g = raw { fill x with mean }\nshow g limit 2`);
    const prep = outcome.plan!.steps.find((p) => p.op === "prepare");
    expect(prep?.op === "prepare" && prep.view).toBeFalsy();
  });
});
