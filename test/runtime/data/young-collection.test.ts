import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";

let db: Database;
beforeAll(async () => {
  db = await Database.open();
  await db.exec(`CREATE TABLE t AS SELECT ${Array.from({ length: 10 }, (_, j) => `i * ${j + 1.5} AS c${j}`).join(", ")} FROM range(200_000) r(i)`);
});
afterAll(() => db.close());

describe("chunks released while reading", () => {
  it("holds no more than the columns read and a few MB of DuckDB's chunks after a read", async () => {
    const sql = `SELECT ${Array.from({ length: 10 }, (_, j) => `CAST(c${j} AS DOUBLE)`).join(", ")} FROM t`;
    const before = process.memoryUsage().arrayBuffers;
    // 200k × 10 DOUBLE: 16 MB of chunks (every one of them, held until V8 collects, was the old
    // read's peak), 8 MB of float32 columns.
    const { n, columns } = await db.float32Columns(sql, { rows: 200_000 });
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(n).toBe(200_000);
    expect(columns[9][199_999]).toBe(Math.fround(199_999 * 10.5));
    expect(grown).toBeLessThan(8 * 2 ** 20 + 6 * 2 ** 20);
    let blocks = 0;
    const streamed = process.memoryUsage().arrayBuffers;
    await db.float32Blocks(sql, 10_000, () => void blocks++, { reuse: true });
    expect(blocks).toBe(20);
    expect(process.memoryUsage().arrayBuffers - streamed).toBeLessThan(6 * 2 ** 20);
  });
});
