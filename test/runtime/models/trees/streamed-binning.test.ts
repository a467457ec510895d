import { describe, expect, it } from "vitest";
import { binColumns } from "../../../../runtime/models/trees/binning.js";
import { binToChunks, byteCells, sampleColumns, streamedEdges } from "../../../../runtime/models/trees/streamed-binning.js";
import { ChunkFile } from "../../../../runtime/models/trees/chunk-file.js";
import type { BinArray } from "../../../../runtime/models/trees/binning.js";
import { SeededRandom } from "../../../../runtime/models/seeded-random.js";
import { arrayBlocks } from "../array-blocks.js";

const rng = new SeededRandom(4);
const n = 9_000;
// A continuous feature (quantile bins), a few distinct values (exact bins) with missing ones, and a wide one (16-bit cells).
const columns = [
  Float32Array.from({ length: n }, () => rng.normal()),
  Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? NaN : i % 5)),
  Float32Array.from({ length: n }, (_, i) => i * 0.5),
];
const y = Float32Array.from({ length: n }, (_, i) => i % 3);

/** Every row binned into a chunk file of `chunkRows`-row chunks, read back whole (cells feature-major, as binColumns gives them). */
async function binnedByChunks(blockRows: number, maxBins: number, sampleRows: number, chunkRows: number) {
  const data = arrayBlocks(columns, y, blockRows);
  const binning = await streamedEdges(data, maxBins, sampleRows, 1);
  const bytes = byteCells(binning.edges) ? 1 : 2;
  const file = new ChunkFile(n, chunkRows, { bins: columns.length * bytes, y: 4 });
  try {
    await binToChunks(data, binning, file);
    const bins: BinArray = bytes === 1 ? new Uint8Array(n * columns.length) : new Uint16Array(n * columns.length);
    const ys = new Float32Array(n);
    for (let c = 0; c < file.chunks; c++) {
      const m = file.rows(c);
      const cells = bytes === 1 ? new Uint8Array(m * columns.length) : new Uint16Array(m * columns.length);
      file.read(c, "bins", cells);
      file.read(c, "y", ys.subarray(c * chunkRows, c * chunkRows + m));
      for (let j = 0; j < columns.length; j++) bins.set(cells.subarray(j * m, (j + 1) * m), j * n + c * chunkRows);
    }
    return { ...binning, bins, y: ys };
  } finally {
    file.close();
  }
}

describe("binning streamed rows", () => {
  it("gives binColumns' cells, edges and bin ranges when the sample holds every row, over blocks and chunks of any size", async () => {
    for (const maxBins of [255, 1000]) {
      const whole = binColumns(columns, n, maxBins);
      for (const blockRows of [700, 4096]) {
        const binned = await binnedByChunks(blockRows, maxBins, n, 1000);
        const ys = binned.y;
        expect(binned.bins).toEqual(whole.bins);
        expect(binned.edges).toEqual(whole.edges);
        expect(binned.low).toEqual(whole.low);
        expect(binned.high).toEqual(whole.high);
        expect(ys).toEqual(y);
      }
    }
  });

  it("takes the edges from a seeded uniform sample: the same rows for a seed, whatever the block size", async () => {
    const a = await sampleColumns(arrayBlocks(columns, y, 700), 500, 7);
    const b = await sampleColumns(arrayBlocks(columns, y, 4096), 500, 7);
    const c = await sampleColumns(arrayBlocks(columns, y, 700), 500, 8);
    expect(a.n).toBe(500);
    expect(a.columns).toEqual(b.columns);
    expect(a.columns).not.toEqual(c.columns);
    // Uniform over the rows: the wide feature (the row index / 2) averages near the middle.
    const mean = a.columns[2].reduce((s, v) => s + v, 0) / a.n;
    expect(Math.abs(mean - n / 4)).toBeLessThan(n / 20);
    // Every row binned by the sample's edges: cells for all rows, ranges from all rows.
    const binned = await binnedByChunks(700, 255, 500, 333);
    expect(binned.y).toEqual(y);
    expect(Math.max(...binned.high[2].filter((v) => v === v))).toBe((n - 1) * 0.5);
  });
});
