import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrepareStep } from "../../../language/ast.js";
import { fitQueries } from "../../../runtime/data/steps.js";
import { dataset, tempDir } from "../../helpers.js";
import { close, isMissing, mean, median, mode, quantile, stdPop } from "./reference.js";
import { openSession } from "./run-lathe.js";

type Row = Record<string, unknown>;
const dir = tempDir("lathe-steps-");

// Small table with what real data has: exact duplicates, duplicate keys, nulls, NaN-free numbers,
// padded and mixed-case strings, date strings.
const small: Row[] = [
  { id: 1, k: "a", x: 1.5, n: 10, s: "  Red ", d: "2024-01-03", cat: "p" },
  { id: 2, k: "b", x: null, n: 20, s: "blue", d: "2024-02-01", cat: "q" },
  { id: 3, k: "a", x: 4, n: null, s: "RED", d: "2023-12-31", cat: "p" },
  { id: 3, k: "a", x: 4, n: null, s: "RED", d: "2023-12-31", cat: "p" },
  { id: 4, k: "c", x: -7, n: 40, s: null, d: "2024-03-15", cat: "r" },
  { id: 5, k: "b", x: 250, n: 50, s: " Green", d: "2024-01-20", cat: "q" },
  { id: 6, k: "c", x: 9, n: 20, s: "blue ", d: null, cat: null },
];
// DuckDB reads ISO date strings in JSON as dates, and a DATE comes back as DuckDB writes it: the same text.
const asRead: Row[] = small;
const unique = (rows: Row[]) => [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];

let s: Awaited<ReturnType<typeof openSession>>;
beforeAll(async () => {
  writeFileSync(path.join(dir, "small.json"), JSON.stringify(small));
  s = await openSession(dir);
  await s.run(`source small = read "small.json"`);
});
afterAll(() => s.close());

/** Runs one prepare over `small` and returns its rows ordered by id (then the whole row). */
async function prep(steps: string, input = "small"): Promise<Row[]> {
  await s.run(`prepare out = ${input} { ${steps} }`);
  return s.rows("out", "ALL");
}
const byId = (rows: Row[] = asRead) => [...rows].sort((a, b) => Number(a.id) - Number(b.id) || JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("prepare steps on a small table", () => {
  it("drop duplicates: whole rows, and one row per key", async () => {
    expect(await prep("drop duplicates")).toEqual(byId(unique(asRead)));
    const perKey = await prep("drop duplicates on k");
    expect(perKey.map((r) => r.k).sort()).toEqual(["a", "b", "c"]);
    for (const r of perKey) expect(asRead.some((o) => JSON.stringify(o) === JSON.stringify(r))).toBe(true);
  });

  it("drop and keep rows by a condition; a missing value in the condition never drops a row", async () => {
    expect(await prep("drop rows where x is missing")).toEqual(byId(asRead.filter((r) => !isMissing(r.x))));
    expect(await prep("drop rows where x > 3")).toEqual(byId(asRead.filter((r) => !(r.x !== null && Number(r.x) > 3))));
    expect(await prep("keep rows where x between 0 and 10 and k != 'c'")).toEqual(byId(asRead.filter((r) => r.x !== null && Number(r.x) >= 0 && Number(r.x) <= 10 && r.k !== "c")));
    expect(await prep("keep rows where k in ('a', 'c')")).toEqual(byId(asRead.filter((r) => r.k === "a" || r.k === "c")));
  });

  it("drop and keep columns, rename", async () => {
    const dropped = await prep("drop columns s, d");
    expect(Object.keys(dropped[0])).toEqual(["id", "k", "x", "n", "cat"]);
    await s.run(`prepare out = small { keep columns x, id }`);
    expect(s.columns("out")).toEqual(["x", "id"]);
    const renamed = await prep("rename k to key");
    expect(renamed.map((r) => r.key)).toEqual(byId().map((r) => r.k));
  });

  it("fill with a value, median, mean and mode", async () => {
    const filled = await prep(`fill x with 0\nfill s with "none"`);
    expect(filled.map((r) => r.x)).toEqual(byId().map((r) => r.x ?? 0));
    expect(filled.map((r) => r.s)).toEqual(byId().map((r) => r.s ?? "none"));
    const med = await prep("fill x, n with median");
    expect(med.map((r) => r.x)).toEqual(byId().map((r) => r.x ?? median(small.map((o) => o.x))));
    expect(med.map((r) => r.n)).toEqual(byId().map((r) => r.n ?? median(small.map((o) => o.n))));
    const avg = await prep("fill x with mean");
    avg.forEach((r, i) => expect(close(Number(r.x), Number(byId()[i].x ?? mean(small.map((o) => o.x))))).toBe(true));
    const mo = await prep("fill cat, n with mode");
    expect(mo.map((r) => r.cat)).toEqual(byId().map((r) => r.cat ?? mode(small.map((o) => o.cat as string))));
    expect(mo.map((r) => r.n)).toEqual(byId().map((r) => r.n ?? mode(small.map((o) => o.n as number))));
  });

  it("replace, clip, trim/lower/upper, cast and derive", async () => {
    const rep = await prep(`replace k "a" -> "A"`);
    expect(rep.map((r) => r.k)).toEqual(byId().map((r) => (r.k === "a" ? "A" : r.k)));
    const clipped = await prep("clip x between 0 and 100");
    expect(clipped.map((r) => r.x)).toEqual(byId().map((r) => (r.x === null ? null : Math.min(100, Math.max(0, Number(r.x))))));
    const text = await prep("trim s\nlower s");
    expect(text.map((r) => r.s)).toEqual(byId().map((r) => (r.s === null ? null : String(r.s).trim().toLowerCase())));
    expect((await prep("upper k")).map((r) => r.k)).toEqual(byId().map((r) => String(r.k).toUpperCase()));
    await s.run(`prepare out = small { cast d as date\ncast id as double }`);
    const types = await s.session.executor.db.describe(`SELECT * FROM "out"`);
    expect(types.find((t) => t.name === "d")?.type).toBe("DATE");
    expect(types.find((t) => t.name === "id")?.type).toBe("DOUBLE");
    const dated = await s.rows("out", "id, d");
    expect(dated.map((r) => r.d)).toEqual(byId().map((r) => r.d));
    // A date kept as text by the reader, then cast.
    writeFileSync(path.join(dir, "dates.csv"), "id,when\n1,2024-02-29\n2,\n3,1999-12-31\n");
    await s.run(`source dates = read "dates.csv" with { types: ["when varchar"] }\nprepare out = dates { cast when as date }`);
    expect((await s.rows("out", "id")).map((r) => r.when)).toEqual(["2024-02-29", null, "1999-12-31"]);
    const derived = await prep("derive ratio = x / n\nderive big = x > 5\nderive m = month(d)");
    derived.forEach((r, i) => {
      const o = byId()[i];
      if (o.x === null || o.n === null) expect(r.ratio).toBeNull();
      else expect(close(Number(r.ratio), Number(o.x) / Number(o.n))).toBe(true);
      expect(r.big).toBe(o.x === null ? null : Number(o.x) > 5);
      expect(r.m).toBe(o.d === null ? null : new Date(String(o.d)).getUTCMonth() + 1);
    });
    // Integer division is real division: 1 / 2 is 0.5, not 0.
    expect((await prep("derive half = id / 2")).map((r) => r.half)).toEqual(byId().map((r) => Number(r.id) / 2));
  });

  it("onehot: one indicator per category seen, nulls in none, in sorted order", async () => {
    const rows = await prep("onehot cat");
    const vocab = [...new Set(small.map((r) => r.cat).filter((v) => v !== null))].sort() as string[];
    expect(s.columns("out")).toEqual(["id", "k", "x", "n", "s", "d", ...vocab.map((v) => `cat_${v}`), "cat__other"]);
    rows.forEach((r, i) => {
      const o = byId()[i];
      for (const v of vocab) expect(r[`cat_${v}`]).toBe(o.cat === v ? 1 : 0);
      expect(r.cat__other).toBe(0);
    });
  });

  it("scale standard and minmax use the population statistics", async () => {
    const xs = small.map((r) => r.x);
    const std = await prep("scale x standard");
    std.forEach((r, i) => {
      const o = byId()[i].x;
      if (o === null) expect(r.x).toBeNull();
      else expect(close(Number(r.x), (Number(o) - mean(xs)) / stdPop(xs))).toBe(true);
    });
    const mm = await prep("scale x minmax");
    const lo = Math.min(...(xs.filter((v) => v !== null) as number[]));
    const hi = Math.max(...(xs.filter((v) => v !== null) as number[]));
    mm.forEach((r, i) => {
      const o = byId()[i].x;
      if (o !== null) expect(close(Number(r.x), (Number(o) - lo) / (hi - lo))).toBe(true);
    });
    // Minmax scans for its two statistics; standard learns from exact sums (exact-moments.test.ts), not a query of its own.
    const scale = (method: "standard" | "minmax") => fitQueries({ kind: "scale", columns: [{ text: "x" }], method } as PrepareStep, "t");
    expect(scale("standard")).toBeUndefined();
    expect(scale("minmax")!.join()).toMatch(/min\("x"\).*max\("x"\)/);
    expect(scale("minmax")!.join()).not.toMatch(/avg\(|stddev_pop\(/);
  });

  it("bucket into quantiles", async () => {
    const rows = await prep("bucket x into 3");
    const edges = [1 / 3, 2 / 3].map((p) => quantile(small.map((r) => r.x), p));
    rows.forEach((r, i) => {
      const o = byId()[i].x;
      const expected = o === null ? null : edges.filter((e) => Number(o) >= e).length;
      expect(r.x).toBe(expected);
    });
  });
});

describe("identifiers and literals are quoted", () => {
  it('a column named `x"; drop table t; --` goes through every step and drops nothing', async () => {
    const evil = 'x"; drop table t; --';
    const rows = [
      { [evil]: 1, "it's": "a'b", id: 1 },
      { [evil]: null, "it's": 'say "hi"', id: 2 },
      { [evil]: 3, "it's": "a'b", id: 3 },
    ];
    writeFileSync(path.join(dir, "evil.json"), JSON.stringify(rows));
    const q = JSON.stringify(evil);
    await s.run(`source t = read "evil.json"
prepare out = t {
  replace "it's" "a'b" -> "c'); drop table t; --"
  fill ${q} with median
  derive "y\\"z" = ${q} * 2
  onehot "it's"
  scale ${q} standard
  rename ${q} to "w'; --"
}`);
    expect(await s.session.executor.db.rows(`SELECT count(*) AS n FROM t`)).toEqual([{ n: 3 }]);
    const out = await s.rows("out", "id");
    expect(out.map((r) => r['y"z'])).toEqual([2, 4, 6]);
    expect(out.map((r) => r["it's_c'); drop table t; --"])).toEqual([1, 0, 1]);
    expect(out.map((r) => r[`it's_say "hi"`])).toEqual([0, 1, 0]);
    const scaled = out.map((r) => Number(r["w'; --"]));
    expect(scaled[1]).toBeCloseTo(0, 12);
    expect(scaled[0]).toBeCloseTo(-scaled[2], 12);
  });
});

describe("prepare steps on vega-datasets files", () => {
  const penguins = JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Row[];
  const cars = JSON.parse(readFileSync(dataset("cars.json"), "utf8")) as Row[];
  const weatherLines = readFileSync(dataset("seattle-weather.csv"), "utf8").trim().split("\n");
  const header = weatherLines[0].split(",");
  const weather = weatherLines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], i >= 1 && i <= 4 ? Number(v) : v])));

  it("penguins: drop rows, median fill, onehot, standard scale", async () => {
    await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare p = penguins {
  drop rows where Sex is missing
  fill "Body Mass (g)" with median
  onehot Island
  scale "Flipper Length (mm)" standard
}`);
    const kept = penguins.filter((r) => !isMissing(r.Sex));
    const rows = await s.rows("p");
    expect(rows).toHaveLength(kept.length);
    const massMedian = median(kept.map((r) => r["Body Mass (g)"]));
    expect(rows.filter((r) => r["Body Mass (g)"] === massMedian).length).toBe(kept.filter((r) => isMissing(r["Body Mass (g)"]) || r["Body Mass (g)"] === massMedian).length);
    const islands = [...new Set(kept.map((r) => r.Island as string))].sort();
    for (const island of islands) expect(rows.reduce((a, r) => a + Number(r[`Island_${island}`]), 0)).toBe(kept.filter((r) => r.Island === island).length);
    const flip = kept.map((r) => r["Flipper Length (mm)"]);
    const z = rows.map((r) => Number(r["Flipper Length (mm)"])).sort((a, b) => a - b);
    const expected = flip.map((v) => (Number(v) - mean(flip)) / stdPop(flip)).sort((a, b) => a - b);
    z.forEach((v, i) => expect(close(v, expected[i], 1e-9)).toBe(true));
  });

  it("cars: drop duplicates, derive, cast a date string, mean fill, mode fill", async () => {
    await s.run(`source cars = read "${dataset("cars.json")}"
prepare c = cars {
  drop duplicates
  fill Horsepower with mean
  fill Miles_per_Gallon with mode
  cast Year as date
  derive power_to_weight = Horsepower / Weight_in_lbs
}`);
    const uniq = unique(cars);
    const rows = await s.rows("c");
    expect(rows).toHaveLength(uniq.length);
    const hpMean = mean(uniq.map((r) => r.Horsepower));
    const mpgMode = mode(uniq.map((r) => r.Miles_per_Gallon as number));
    const sumHp = rows.reduce((a, r) => a + Number(r.Horsepower), 0);
    const expectedSum = uniq.reduce((a, r) => a + (isMissing(r.Horsepower) ? hpMean : Number(r.Horsepower)), 0);
    expect(close(sumHp, expectedSum, 1e-9)).toBe(true);
    expect(rows.filter((r) => r.Miles_per_Gallon === mpgMode).length).toBe(uniq.filter((r) => isMissing(r.Miles_per_Gallon) || r.Miles_per_Gallon === mpgMode).length);
    expect(new Set(rows.map((r) => String(r.Year).slice(0, 10)))).toEqual(new Set(uniq.map((r) => r.Year)));
    const ptw = rows.map((r) => Number(r.power_to_weight)).sort((a, b) => a - b);
    const expPtw = uniq.map((r) => (isMissing(r.Horsepower) ? hpMean : Number(r.Horsepower)) / Number(r.Weight_in_lbs)).sort((a, b) => a - b);
    ptw.forEach((v, i) => expect(close(v, expPtw[i], 1e-9)).toBe(true));
  });

  it("seattle-weather: cast date, upper, clip, bucket, keep rows", async () => {
    await s.run(`source weather = read "${dataset("seattle-weather.csv")}"
prepare w = weather {
  upper weather
  clip wind between 1 and 6
  bucket temp_max into 4
  keep rows where weather != 'SUN'
}`);
    const kept = weather.filter((r) => String(r.weather).toUpperCase() !== "SUN");
    const rows = await s.rows("w", "date");
    expect(rows).toHaveLength(kept.length);
    const edges = [0.25, 0.5, 0.75].map((p) => quantile(weather.map((r) => r.temp_max), p));
    rows.forEach((r, i) => {
      const o = kept[i];
      expect(String(r.date).slice(0, 10)).toBe(o.date);
      expect(r.weather).toBe(String(o.weather).toUpperCase());
      expect(r.wind).toBe(Math.min(6, Math.max(1, Number(o.wind))));
      expect(r.temp_max).toBe(edges.filter((e) => Number(o.temp_max) >= e).length);
    });
  });
});

describe("constants learned from sums", () => {
  it("scale standard and fill mean learn the same bits on every run over many row groups (one thread, in row order)", async () => {
    const { Database } = await import("../../../runtime/data/database.js");
    const { fitStep } = await import("../../../runtime/data/steps.js");
    const db = await Database.open();
    try {
      // 1M rows (9 of DuckDB's row groups): on two threads, the partial sums add up in varying orders.
      await db.exec(`CREATE TABLE big AS SELECT (hash(i) % 1000003) / 7.3 + 1e-3 * (hash(i * 3) % 1000) AS x, CASE WHEN i % 11 = 0 THEN NULL ELSE (hash(i * 5) % 100003) / 3.1 END AS y FROM range(1000000) r(i)`);
      const scale = { kind: "scale", method: "standard", columns: [{ text: "x" }, { text: "y" }] } as unknown as PrepareStep;
      const fill = { kind: "fill", strategy: "mean", columns: [{ text: "y" }] } as unknown as PrepareStep;
      const seen = new Set<string>();
      for (let k = 0; k < 6; k++) seen.add(JSON.stringify([await fitStep(db, scale, "big"), await fitStep(db, fill, "big")]));
      expect(seen.size).toBe(1);
      // DuckDB's own threads are back as they were.
      expect((await db.rows("SELECT current_setting('threads')::VARCHAR AS t"))[0].t).not.toBe("1");
      const [ref] = await db.rows("SELECT avg(x)::DOUBLE AS m, stddev_pop(x)::DOUBLE AS s FROM big");
      const fitted = JSON.parse([...seen][0])[0].stats.x;
      expect(fitted.center).toBeCloseTo(Number(ref.m), 6);
      expect(fitted.scale).toBeCloseTo(Number(ref.s), 6);
    } finally {
      db.close();
    }
  });
});
