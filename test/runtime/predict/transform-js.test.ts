import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../../../language/index.js";
import type { PrepareStep } from "../../../language/ast.js";
import { chainSql, fitChain } from "../../../runtime/data/chain.js";
import { Database } from "../../../runtime/data/database.js";
import { applyTransform } from "../../../runtime/predict/transform-js.js";
import { doubleText, type Value } from "../../../runtime/predict/sql-values.js";
import { literal } from "../../../runtime/sql/quote.js";
import { columnSteps, transformTypes } from "../../../runtime/transform.js";
import { rng as seeded } from "../../seeded-rng.js";

// The JavaScript transform that serving and export use must give what DuckDB gives for the same steps.
let db: Database;
beforeAll(async () => {
  db = await Database.open();
  const rng = { next: seeded(11) };
  const words = ["red", " Red", "blue ", "GREEN", "é", "", "n/a"];
  const values: string[] = [];
  for (let i = 0; i < 300; i++) {
    const x = rng.next() < 0.1 ? "NULL" : literal((rng.next() - 0.3) * 10 ** Math.floor(rng.next() * 6 - 2));
    const y = rng.next() < 0.1 ? "NULL" : rng.next() < 0.2 ? "'nan'::DOUBLE" : literal(rng.next());
    const n = rng.next() < 0.1 ? "NULL" : String(Math.floor(rng.next() * 7) - 2);
    const s = rng.next() < 0.1 ? "NULL" : literal(words[Math.floor(rng.next() * words.length)]);
    const b = rng.next() < 0.1 ? "NULL" : rng.next() < 0.5 ? "TRUE" : "FALSE";
    const d = rng.next() < 0.1 ? "NULL" : literal(`20${10 + Math.floor(rng.next() * 15)}-${1 + Math.floor(rng.next() * 12)}-${1 + Math.floor(rng.next() * 28)}`);
    values.push(`(${i}, ${x}::DOUBLE, ${n}::BIGINT, ${s}::VARCHAR, ${b}::BOOLEAN, ${d}::VARCHAR, ${y}::DOUBLE)`);
  }
  await db.exec(`CREATE TABLE t AS SELECT * FROM (VALUES ${values.join(", ")}) v(id, x, n, s, b, d, y)`);
});
afterAll(() => db.close());

const programs = [
  "fill x with median\nfill n with mode\nfill s with mode",
  "fill x with 0\nscale x standard\nfill n with mean\nscale n minmax",
  "onehot s\nonehot n",
  "cast n as string\nonehot n\ncast x as string\nonehot b",
  "fill x with median\nbucket x into 4\nonehot x",
  "clip x between -1 and 2.5\nclip n between 0 and 3",
  "replace s \"red\" -> \"RED\"\nreplace n 2 -> 20",
  "trim s\nlower s\nonehot s",
  "upper s\ncast b as integer\ncast d as date\nderive yr = year(d)\nderive m = month(d) * 100 + day(d)\nderive w = dayofweek(d)",
  "derive r = x / n\nderive q = n % 3\nderive z = -x * 2 + 1\nderive big = x > 1 and n < 2 or s is missing",
  "derive m1 = y is missing\nderive m5 = y > 0.5\nderive m6 = y + 1\nderive m2 = n between 0 and 2\nderive m3 = s in ('red', 'GREEN')\nderive m4 = not (n != 1)",
  "derive a = abs(x)\nderive c = ceil(x) + floor(x)\nderive r = round(x)\nderive l = length(s)\nderive u = concat(s, n, b)\nderive g = greatest(x, n)\nderive k = least(x, 1)\nderive co = coalesce(x, n, 0)",
  "derive ss = substr(s, 2, 2)\nderive sq = sqrt(abs(x))\nderive p = pow(abs(x), 0.5)\nderive e = exp(n)",
  "rename x to xx\ndrop columns d\nfill xx with mean\nkeep columns id, xx, n, s",
  "cast x as integer\ncast n as number\nderive t = x + n\nonehot t",
];

function stepsOf(text: string): PrepareStep[] {
  const parsed = parse(`prepare p = t {\n${text}\n}`);
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const s = parsed.program.statements[0];
  if (s.kind !== "prepare") throw new Error("not a prepare");
  return JSON.parse(JSON.stringify(s.steps, (k, v) => (k === "span" ? undefined : v)));
}

const same = (a: unknown, b: unknown) => {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return a === b || Math.abs(a - b) <= 1e-15 * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
};

describe("applyTransform (JavaScript) matches DuckDB", () => {
  it.each(programs)("%s", async (text) => {
    const steps = stepsOf(text);
    const cols = ["id", "x", "n", "s", "b", "d", "y"];
    const applied = await fitChain(db, "t", steps, cols);
    const chain = chainSql("t", applied, cols);
    const described = await db.describe(chain.sql);
    // NaN must survive the trip to JS to be compared, so doubles come back as text.
    const select = described.map((c) => (["DOUBLE", "DATE", "TIMESTAMP"].includes(c.type) ? `CAST("${c.name}" AS VARCHAR) AS "${c.name}"` : `"${c.name}"`)).join(", ");
    const sqlRows = await db.rows(`SELECT ${select} FROM (${chain.sql}) ORDER BY id`);
    const raw = await db.rows(`SELECT id, CAST(x AS VARCHAR) AS x, n, s, b, d, CAST(y AS VARCHAR) AS y FROM t ORDER BY id`);
    const rawTypes = { id: "INTEGER", x: "DOUBLE", n: "BIGINT", s: "VARCHAR", b: "BOOLEAN", d: "VARCHAR", y: "DOUBLE" };
    const transform = { steps: columnSteps(applied), types: (await transformTypes(db, rawTypes, columnSteps(applied), cols)).steps };
    const doubles = new Set(described.filter((c) => c.type === "DOUBLE").map((c) => c.name));
    let compared = 0;
    raw.forEach((r, i) => {
      const num = (v: unknown) => (v === null ? null : v === "nan" ? NaN : Number(v));
      const input: Record<string, Value> = { ...(r as Record<string, Value>), x: num(r.x), y: num(r.y) };
      let out: Record<string, Value>;
      try {
        out = applyTransform(input, transform);
      } catch (e) {
        throw new Error(`row ${i} ${JSON.stringify(r)}: ${(e as Error).message}`);
      }
      for (const c of described.map((d) => d.name)) {
        const text = String(sqlRows[i][c]);
        const want = doubles.has(c) && sqlRows[i][c] !== null ? (/nan$/.test(text) ? NaN : Number(text.replace(/^(-?)inf$/, "$1Infinity"))) : sqlRows[i][c];
        const got = out[c];
        const wantNorm = want;
        expect(same(got ?? null, wantNorm ?? null), `row ${i} column ${c}: JS ${JSON.stringify(got)} vs DuckDB ${JSON.stringify(wantNorm)} (input ${JSON.stringify(r)})`).toBe(true);
        compared++;
      }
      expect(Object.keys(out).sort()).toEqual(described.map((d) => d.name).sort());
    });
    expect(compared).toBeGreaterThan(300);
  });
});

describe("doubleText", () => {
  it("prints doubles as DuckDB casts them to VARCHAR", async () => {
    const rng = { next: seeded(5) };
    const xs = [0, 1, -1, 0.1, 1e15, 1e16, 1e-4, 1e-5, 123456789.125, 5e-324, 1.7976931348623157e308, 2 ** 53, 1 / 3];
    for (let i = 0; i < 300; i++) xs.push((rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 40 - 20));
    const rows = await db.rows(`SELECT ${xs.map((x, i) => `CAST(CAST('${x}' AS DOUBLE) AS VARCHAR) AS c${i}`).join(", ")}`);
    xs.forEach((x, i) => expect(doubleText(x), String(x)).toBe(rows[0][`c${i}`]));
  });
});
