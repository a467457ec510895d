import { truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { csvBufferBytes, csvBufferFor, largeCsvBuffer, smallCsvBuffer } from "../../../runtime/data/csv-buffer.js";
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
