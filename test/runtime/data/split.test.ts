import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers.js";
import type { PrepareStep } from "../../../language/ast.js";
import { carriesRowId, partChunks, partSql, splitSql } from "../../../runtime/data/split.js";
import { learnsInAnyOrder } from "../../../runtime/data/steps.js";
import { openSession } from "./run-lathe.js";

type Row = { id: number; c: string; t: string; v: number };
const dir = tempDir("lathe-split-");
// Classes of very different sizes, so per-class proportions are visible.
const sizes: Record<string, number> = { a: 500, b: 137, c: 23 };
const rows: Row[] = Object.entries(sizes).flatMap(([c, n]) => Array.from({ length: n }, (_, i) => ({ id: 0, c, t: "", v: (i * 7919) % 1000 })));
rows.forEach((r, i) => {
  r.id = i + 1;
  r.t = new Date(Date.UTC(2020, 0, 1) + ((i * 7) % rows.length) * 86_400_000).toISOString().slice(0, 10);
});
/** A deterministic shuffle (LCG), so the test data is the same on every run. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

let s: Awaited<ReturnType<typeof openSession>>;
beforeAll(async () => {
  writeFileSync(path.join(dir, "rows.json"), JSON.stringify(rows));
  writeFileSync(path.join(dir, "shuffled.json"), JSON.stringify(shuffled(rows, 7)));
  writeFileSync(path.join(dir, "fewer.json"), JSON.stringify(shuffled(rows, 3).slice(0, 400)));
  writeFileSync(path.join(dir, "lists.json"), JSON.stringify(rows.map((r) => ({ id: r.id, tags: [r.c, r.t] }))));
  // A column named rowid hides the table's own: not unique here, so joining on it would repeat rows.
  writeFileSync(path.join(dir, "rowid.json"), JSON.stringify(shuffled(rows, 5).map((r) => ({ ...r, rowid: r.id % 13 }))));
  s = await openSession(dir);
});
afterAll(() => s.close());

const parts = ["train", "validation", "test"];
/** Splits a file and returns id → part, plus the reported sizes. */
async function assign(file: string, clause = "", fractions = "train 70%, validation 15%, test 15%") {
  const outcome = await s.run(`source d = read "${file}"\nsplit d into ${fractions} ${clause}`);
  const result = outcome.output!.results.find((r) => r.kind === "split");
  if (result?.kind !== "split") throw new Error("no split result");
  const part = new Map<number, string>();
  for (const p of result.parts) for (const r of await s.rows(p.name)) part.set(Number(r.id), p.name);
  return { part, sizes: Object.fromEntries(result.parts.map((p) => [p.name, p.rows])) as Record<string, number> };
}

describe("split", () => {
  it("puts each row in the same part whatever the row order or the row count (unstratified)", async () => {
    const all = await assign("rows.json", "seed 11");
    const reordered = await assign("shuffled.json", "seed 11");
    const fewer = await assign("fewer.json", "seed 11");
    expect(all.part.size).toBe(rows.length);
    expect([...reordered.part]).toEqual(expect.arrayContaining([...all.part]));
    expect(reordered.part.size).toBe(all.part.size);
    expect(fewer.part.size).toBe(400);
    for (const [id, p] of fewer.part) expect(p).toBe(all.part.get(id));
    // Hash assignment is approximately proportional.
    expect(Math.abs(all.sizes.train - 0.7 * rows.length)).toBeLessThan(0.05 * rows.length);
  });

  it("reports sizes that match the parts and add up to the input", async () => {
    const { part, sizes } = await assign("rows.json", "seed 5");
    for (const p of parts) expect(sizes[p]).toBe([...part.values()].filter((x) => x === p).length);
    expect(sizes.train + sizes.validation + sizes.test).toBe(rows.length);
  });

  it("hash native: the same properties with DuckDB's own hash, other parts than the portable hash, which is the default", async () => {
    for (const clause of ["seed 11", "stratify by c seed 3", "by time on t seed 3"]) {
      const native = await assign("rows.json", `${clause} hash native`);
      const reordered = await assign("shuffled.json", `${clause} hash native`);
      expect([...reordered.part].sort()).toEqual([...native.part].sort());
      expect(native.part.size).toBe(rows.length);
      if (clause.startsWith("seed")) {
        const portable = await assign("rows.json", `${clause} hash portable`);
        expect([...native.part].sort()).not.toEqual([...portable.part].sort());
        expect([...(await assign("rows.json", clause)).part].sort()).toEqual([...portable.part].sort());
      }
      if (clause.startsWith("stratify")) {
        for (const [c, n] of Object.entries(sizes)) {
          const ids = rows.filter((r) => r.c === c).map((r) => r.id);
          expect(Math.abs(ids.filter((id) => native.part.get(id) === "train").length - 0.7 * n)).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it("splits rows with a column that has no portable text by DuckDB's own hash, unless the program asks for the portable one", async () => {
    const byDefault = await assign("lists.json", "seed 11");
    expect([...byDefault.part].sort()).toEqual([...(await assign("lists.json", "seed 11 hash native")).part].sort());
    const asked = await s.session.run(`source d = read "lists.json"\nsplit d into train 70%, test 30% seed 11 hash portable`);
    expect(asked.error?.code).toBe("engine-unsupported");
  });

  it("stratifies: each class is divided in the split's proportions, independent of row order", async () => {
    const { part } = await assign("rows.json", "stratify by c seed 3");
    const reordered = await assign("shuffled.json", "stratify by c seed 3");
    expect([...reordered.part].sort()).toEqual([...part].sort());
    for (const [c, n] of Object.entries(sizes)) {
      const ids = rows.filter((r) => r.c === c).map((r) => r.id);
      const count = (p: string) => ids.filter((id) => part.get(id) === p).length;
      expect(Math.abs(count("train") - 0.7 * n)).toBeLessThanOrEqual(1);
      expect(Math.abs(count("validation") - 0.15 * n)).toBeLessThanOrEqual(1);
      expect(count("train") + count("validation") + count("test")).toBe(n);
    }
  });

  it("by time: the earliest rows form the first part", async () => {
    const { part, sizes } = await assign("shuffled.json", "by time on t", "train 80%, test 20%");
    const time = new Map(rows.map((r) => [r.id, r.t]));
    const latestTrain = [...part].filter(([, p]) => p === "train").map(([id]) => time.get(id)!).sort().at(-1)!;
    const earliestTest = [...part].filter(([, p]) => p === "test").map(([id]) => time.get(id)!).sort()[0];
    expect(latestTrain <= earliestTest).toBe(true);
    expect(sizes.train).toBe(Math.round(0.8 * rows.length));
  });

  it("a different seed gives a different assignment; the same seed the same one", async () => {
    const a = await assign("rows.json", "seed 1");
    const again = await assign("rows.json", "seed 1");
    const b = await assign("rows.json", "seed 2");
    expect([...again.part]).toEqual([...a.part]);
    const moved = [...a.part].filter(([id, p]) => b.part.get(id) !== p).length;
    expect(moved).toBeGreaterThan(rows.length / 5);
  });

  it("writes a part of more than half the rows in two pieces, in the order one sort of the whole part gives (a step that learns in order never learns from unsorted rows)", async () => {
    expect(partChunks(0.7, {})).toBe(2);
    expect([partChunks(0.3, {}), partChunks(0.7, { time: "t" }), partChunks(0.7, { column: "c" })]).toEqual([1, 1, 1]);
    // Both hashes: the pieces are ranges of each one's values (2^53 of the portable hash's, 2^64 of DuckDB's).
    for (const hash of ["portable", "native"] as const) {
      // A mode learns from the rows in order (its ties): the portable split writes the training rows once, sorted, and learns from them.
      const outcome = await s.run(`source d = read "shuffled.json"\nprepare p = d { fill v with median\n fill c with mode\n scale v standard\n onehot c }\nsplit p into train 70%, test 30% seed 9 hash ${hash}`);
      const split = outcome.output!.results.find((r) => r.kind === "split");
      // The part as a single sorted query over the same rows, with the same constants.
      const db = s.session.executor.db;
      const rowsSql = `(SELECT * FROM read_json_auto('${path.join(dir, "shuffled.json")}'))`;
      const assigned = `(${splitSql(rowsSql, await db.describe(rowsSql), { parts: [{ name: "train", fraction: 0.7 }, { name: "test", fraction: 0.3 }], seed: 9, hash })})`;
      const whole = await db.rows(`SELECT id FROM ${partSql(assigned, "train", {})}`);
      const train = await s.rows("train");
      expect(train.map((r) => r.id)).toEqual(whole.map((r) => r.id));
      // Scaled with what the training rows give (exact sums: to rounding of DuckDB's own avg and stddev_pop).
      const sorted = partSql(assigned, "train", {});
      const scaled = await db.rows(`SELECT (v - (SELECT avg(v)::DOUBLE FROM ${sorted})) / (SELECT stddev_pop(v)::DOUBLE FROM ${sorted}) AS v FROM ${sorted}`);
      train.forEach((r, i) => expect(Number(r.v)).toBeCloseTo(Number(scaled[i].v), 12));
      expect(split).toMatchObject({ parts: [{ name: "train", rows: whole.length }, { name: "test" }] });
      // The train part is the hashes below 0.7 of the range: the halves hold 5/7 and 2/7 of it (a range past the hash's values would hold none).
      const pieces = await Promise.all([0, 1].map(async (index) => (await db.rows(`SELECT count(*) AS n FROM ${partSql(assigned, "train", { hash }, { index, of: 2 })}`))[0].n));
      expect(pieces.map((n) => Math.round((7 * Number(n)) / whole.length))).toEqual([5, 2]);
      // The portable split's training part is a view over those sorted rows, which it owns: they are not written a second time.
      const views = (await db.rows("SELECT view_name FROM duckdb_views() WHERE NOT internal")).map((r) => r.view_name);
      expect(views.includes("train")).toBe(hash === "portable");
    }
    // Redefined (by the second split, a table), the view went with the rows it owned.
    expect(await s.session.executor.db.rows("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '__lathe_split%'")).toEqual([]);
    expect(learnsInAnyOrder({ kind: "fill", columns: [], strategy: "mode" } as unknown as PrepareStep)).toBe(false);
    expect(learnsInAnyOrder({ kind: "scale", columns: [], method: "standard" } as unknown as PrepareStep)).toBe(true);
    expect(learnsInAnyOrder({ kind: "drop-duplicates", on: [{ text: "c" }] } as unknown as PrepareStep)).toBe(false);
    expect(learnsInAnyOrder({ kind: "fill", columns: [], strategy: "median" } as unknown as PrepareStep)).toBe(true);
  });

  it("a plain portable split reads its parts beside a table of each row's keys: the rows and order one query over the prepared rows gives, joined on the rowid or by position", async () => {
    // The split applies p's steps to d itself, for the keys and again for each part, joined to its
    // keys on d's rowid (steps that keep every column) or by position (`keep columns`, `drop
    // duplicates`): the parts must be those of the rows with their part computed in one query over
    // p's table (the split before keys tables), row for row.
    const programs = {
      rowid: ["shuffled.json", "drop rows where v < 100\n derive w = v % 7\n rename c to k"],
      position: ["shuffled.json", "drop rows where v < 100\n derive w = v % 7\n keep columns v, w\n drop duplicates"],
      "a column named rowid": ["rowid.json", "drop rows where v < 100\n derive w = v % 7"],
    };
    for (const [how, [file, steps]] of Object.entries(programs)) {
      const outcome = await s.run(`source d = read "${file}"\nprepare p = d {\n ${steps}\n}\nsplit p into train 60%, validation 25%, test 15% seed 4`);
      const db = s.session.executor.db;
      const prepared = s.session.executor.dataset("p").relation;
      const spec = { parts: [{ name: "train", fraction: 0.6 }, { name: "validation", fraction: 0.25 }, { name: "test", fraction: 0.15 }], seed: 4, hash: "portable" as const };
      const assigned = `(${splitSql(prepared, await db.describe(`SELECT * FROM ${prepared}`), spec)})`;
      const [{ n }] = await db.rows(`SELECT count(*) AS n FROM ${prepared}`);
      const kept = rows.filter((r) => r.v >= 100).length;
      // Duplicates to drop: the classes share values of v (and so of w) once c is gone.
      if (how === "position") expect(Number(n)).toBeLessThan(kept);
      else expect(Number(n)).toBe(kept);
      let total = 0;
      for (const part of spec.parts) {
        const expected = await db.rows(`SELECT * FROM ${partSql(assigned, part.name, {})}`);
        expect(await s.rows(part.name)).toEqual(expected);
        total += expected.length;
      }
      expect(total).toBe(Number(n));
      expect(outcome.output!.results.find((r) => r.kind === "split")).toMatchObject({ parts: spec.parts.map((p) => ({ name: p.name })) });
    }
    expect([carriesRowId([{ kind: "derive" }, { kind: "rename" }] as PrepareStep[]), carriesRowId([{ kind: "drop-duplicates" }] as PrepareStep[])]).toEqual([true, false]);
  });

  it("draws an independent assignment per seed, even for two equal parts", async () => {
    // Independent 50/50 assignments disagree on about half the rows. (A seed once only XORed each
    // row's hash with a constant, which leaves a 50/50 split unchanged or swaps its parts.)
    const parts: Awaited<ReturnType<typeof assign>>[] = [];
    for (const seed of [1, 2, 7, 42]) parts.push(await assign("rows.json", `seed ${seed}`, "a 50%, b 50%"));
    for (let i = 1; i < parts.length; i++) {
      const moved = [...parts[0].part].filter(([id, p]) => parts[i].part.get(id) !== p).length;
      expect(moved / rows.length).toBeGreaterThan(0.35);
      expect(moved / rows.length).toBeLessThan(0.65);
    }
  });
});
