import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { ident, literal } from "../../../runtime/sql/quote.js";

let db: Database;
beforeAll(async () => {
  db = await Database.open();
});
afterAll(() => db.close());

/** Reads values back through DuckDB as they would be compiled into generated SQL. */
async function roundTrip(values: number[]): Promise<number[]> {
  const rows = await db.rows(`SELECT ${values.map((v, i) => `${literal(v)} AS ${ident(`v${i}`)}`).join(", ")}`);
  return values.map((_, i) => rows[0][`v${i}`] as number);
}

describe("literal", () => {
  it("writes every double so DuckDB reads back the same bits (subnormals, ±0, extremes, NaN, ±Infinity)", async () => {
    const edges = [0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1e308, -1e308, 1.7976931348623157e308, 0.1, 0.30000000000000004, 4.35, 1 / 3, 2 ** 53, 2 ** 53 + 2, -(2 ** 60), NaN, Infinity, -Infinity];
    expect((await roundTrip(edges)).map((v, i) => Object.is(v, edges[i]))).toEqual(edges.map(() => true));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.double(), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 1, maxLength: 200 }), async (values) => {
        const back = await roundTrip(values);
        values.forEach((v, i) => expect(Object.is(back[i], v), `${v} came back as ${back[i]} (${literal(v)})`).toBe(true));
      }),
      { numRuns: 50 },
    );
  });

  it("keeps doubles DOUBLE and safe integers exact", async () => {
    const [r] = await db.rows(`SELECT typeof(${literal(0.1)}) AS a, typeof(${literal(-0)}) AS b, typeof(${literal(1e300)}) AS c, ${literal(2 ** 53 - 1)} AS d`);
    expect(r).toEqual({ a: "DOUBLE", b: "DOUBLE", c: "DOUBLE", d: 2 ** 53 - 1 });
  });

  it("quotes strings and identifiers", async () => {
    const [r] = await db.rows(`SELECT ${literal("it's; --")} AS ${ident('x"; drop')}`);
    expect(r).toEqual({ 'x"; drop': "it's; --" });
  });
});
