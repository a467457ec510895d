import { statSync } from "node:fs";
import { readBytes } from "./file-access.js";

/**
 * DuckDB's CSV reader buffer per reading thread, by default. Its own default (32 MB, 16 × the 2 MB
 * line limit) held ≈ 100 MB more at the peak of reading a 78 MB CSV (200k × 20: 238 → 168 MB for
 * the whole process; a 390 MB one: 397 → 341 MB), and read it no faster.
 */
export const smallCsvBuffer = 4 << 20;

/**
 * The buffer for large files of short lines. A table written from a CSV in file order (a load, a
 * prepare's staged rows) gets the rows a buffer at a time, and DuckDB's order-keeping insert copies
 * a buffer's rows once more when they are too few for row groups of their own: the 5M-row, 33-byte
 * line CSV of bench/prepare.mjs parsed into a table took ≈ 0.8 s more CPU with 4 MB buffers (126k
 * rows each) than with 16 MB ones (505k rows), and 8 or 12 MB buffers (250k, 380k rows) were no
 * cheaper than 4 MB (bench/RESULTS.md). The price is ≈ 40 MB more at the read's peak, so only files
 * where it buys that: short lines, and several buffers' worth of them.
 */
export const largeCsvBuffer = 16 << 20;

/** Lines a large buffer must hold, at the head's average line length, to be worth its memory. */
const linesPerLargeBuffer = 450_000;

/** How much of the start of a file its average line length is taken from. */
const headBytes = 1 << 16;

/**
 * The CSV buffer for a file of `size` bytes whose first bytes are `head`: the large buffer when the
 * file spans several of them and one holds at least 450,000 lines of the head's average length;
 * else the small one.
 */
export function csvBufferFor(size: number, head: Uint8Array): number {
  if (size < 4 * largeCsvBuffer || head.length === 0) return smallCsvBuffer;
  let lines = 0;
  for (const b of head) if (b === 10) lines++;
  if (lines < 2) return smallCsvBuffer;
  return largeCsvBuffer / (head.length / lines) >= linesPerLargeBuffer ? largeCsvBuffer : smallCsvBuffer;
}

/**
 * The CSV buffer for reading `files` in one `read_csv`: decided by the largest, plain-text file
 * (a compressed file's head says nothing about its lines).
 */
export function csvBufferBytes(files: string[]): number {
  try {
    const sized = files.filter((f) => !/\.(gz|zst)$/i.test(f)).map((f) => ({ f, size: statSync(f).size }));
    if (!sized.length) return smallCsvBuffer;
    const largest = sized.reduce((a, b) => (b.size > a.size ? b : a));
    if (largest.size < 4 * largeCsvBuffer) return smallCsvBuffer;
    return csvBufferFor(largest.size, readBytes(largest.f, 0, headBytes));
  } catch {
    // Gone or unreadable since it was checked: DuckDB's read says so, with the file's coded error.
    return smallCsvBuffer;
  }
}
