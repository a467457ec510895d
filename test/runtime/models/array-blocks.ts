import type { Matrix, RowBlocks } from "../../../runtime/models/types.js";

/** Rows held in arrays, given as `RowBlocks` the way a DuckDB stream gives them (the tests' stand-in for a staged table). */
export function arrayBlocks(columns: Float32Array[], y: Float32Array, blockRows: number): RowBlocks {
  const n = y.length;
  const names = columns.map((_, j) => `x${j}`);
  return {
    n,
    names,
    rowsPerBlock: (multiple) => Math.max(1, Math.floor(blockRows / multiple)) * multiple,
    async forEach(rows, each) {
      for (let start = 0; start < n; start += rows) {
        const end = Math.min(n, start + rows);
        const x: Matrix = { n: end - start, columns: columns.map((c) => c.slice(start, end)), names };
        await each(x, y.slice(start, end), start);
      }
    },
    async read(from, to) {
      return { x: { n: to - from, columns: columns.map((c) => c.slice(from, to)), names }, y: y.slice(from, to) };
    },
  };
}
