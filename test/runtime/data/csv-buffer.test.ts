import { truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { csvBufferBytes, csvBufferFor, largeCsvBuffer, smallCsvBuffer } from "../../../runtime/data/csv-buffer.js";
import { Database } from "../../../runtime/data/database.js";
import { dropDuplicatesInPlace } from "../../../runtime/data/drop-duplicates.js";
import { tempDir } from "../../helpers.js";

/** `n` lines of `width` bytes each (newline included). */
const lines = (n: number, width: number) => Buffer.from(`${"x".repeat(width - 1)}\n`.repeat(n));

describe("the CSV reader's buffer", () => {
  it("is large only for files of several large buffers whose lines are short enough for 450,000 in one", () => {
    const big = 200 << 20;
    // 16 MB / 33 bytes ≈ 508k lines (bench/prepare.mjs's file); 16 MB / 40 bytes ≈ 419k.
    expect(csvBufferFor(big, lines(1000, 33))).toBe(largeCsvBuffer);
    expect(csvBufferFor(big, lines(1000, 40))).toBe(smallCsvBuffer);
    // 200k × 20 doubles: ≈ 390 bytes a line.
    expect(csvBufferFor(big, lines(100, 390))).toBe(smallCsvBuffer);
    // A file of fewer than four large buffers keeps the small one, however short its lines.
    expect(csvBufferFor(60 << 20, lines(1000, 20))).toBe(smallCsvBuffer);
    // No line ends in the head: nothing to judge by.
    expect(csvBufferFor(big, Buffer.from("x".repeat(1000)))).toBe(smallCsvBuffer);
    expect(csvBufferFor(big, Buffer.alloc(0))).toBe(smallCsvBuffer);
  });

  it("is decided by the largest of a glob's files, from its first bytes", () => {
    const dir = tempDir("lathe-csv-buffer-");
    const small = path.join(dir, "a.csv");
    const large = path.join(dir, "b.csv");
    writeFileSync(small, lines(100, 390));
    // Short lines at its head, then a hole to 80 MB: only the head is read.
    writeFileSync(large, lines(2000, 30));
    truncateSync(large, 80 << 20);
    expect(csvBufferBytes([small, large])).toBe(largeCsvBuffer);
    expect(csvBufferBytes([small])).toBe(smallCsvBuffer);
    // A compressed file's head says nothing about its lines.
    const gz = path.join(dir, "c.csv.gz");
    writeFileSync(gz, lines(2000, 30));
    truncateSync(gz, 80 << 20);
    expect(csvBufferBytes([gz])).toBe(smallCsvBuffer);
  });
});

describe("rows read from a CSV into a table", () => {
  it("keep the file's order whatever the buffer, and so the rows `drop duplicates` keeps", async () => {
    const dir = tempDir("lathe-csv-buffer-order-");
    const file = path.join(dir, "short.csv");
    const db = await Database.open(":memory:", { threads: "4" });
    try {
      // Short lines as in bench/prepare.mjs (≈ 30 bytes), every 19th row repeated further on.
      await db.exec(`COPY (WITH base AS (SELECT i AS id, CASE WHEN hash(i, 1) % 20 = 0 THEN NULL ELSE round((hash(i, 2) % 100000) / 100.0, 2) END AS amount,
          ['  Red', 'blue', 'GREEN '][CAST(1 + hash(i, 5) % 3 AS BIGINT)] AS category FROM range(150000) r(i))
        SELECT * FROM base UNION ALL SELECT * FROM base WHERE id % 19 = 0) TO '${file}' (HEADER)`);
      // File order, numbered on one thread; then the same file through many small buffers and through one.
      const read = (buffer: number) => `read_csv('${file}', buffer_size = ${buffer}, max_line_size = 65536)`;
      const [{ expected }] = await db.rows(`SELECT bit_xor(hash(n - 1, id, amount, category)) AS expected FROM (SELECT row_number() OVER () AS n, * FROM ${read(1 << 20)})`);
      const kept: unknown[] = [];
      for (const buffer of [1 << 18, 16 << 20]) {
        await db.exec(`CREATE OR REPLACE TEMP TABLE staged AS SELECT * FROM ${read(buffer)}`);
        const [{ got }] = await db.rows(`SELECT bit_xor(hash(rowid, id, amount, category)) AS got FROM staged`);
        expect(got).toBe(expected);
        const [{ n }] = await db.rows(`SELECT count(*) AS n FROM staged`);
        expect(await dropDuplicatesInPlace(db, "staged", ["id", "amount", "category"], Number(n))).toBe(Math.ceil(150000 / 19));
        kept.push((await db.rows(`SELECT bit_xor(hash(n, id, amount, category)) AS h FROM (SELECT row_number() OVER () AS n, * FROM staged)`))[0].h);
      }
      expect(kept[0]).toBe(kept[1]);
    } finally {
      db.close();
    }
  });
});
