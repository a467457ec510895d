import { describe, expect, it } from "vitest";
import { binColumns } from "../../../../runtime/models/trees/binning.js";
import { binStreamed, sampleColumns } from "../../../../runtime/models/trees/streamed-binning.js";
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

describe("binning streamed rows", () => {
  it("gives binColumns' cells, edges and bin ranges when the sample holds every row, over blocks of any size", async () => {
    for (const maxBins of [255, 1000]) {
      const whole = binColumns(columns, n, maxBins);
      for (const blockRows of [700, 4096]) {
        const { binned, y: ys } = await binStreamed(arrayBlocks(columns, y, blockRows), maxBins, n, 1, false);
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
    const { binned } = await binStreamed(arrayBlocks(columns, y, 700), 255, 500, 7, true);
    expect(binned.n).toBe(n);
    expect(binned.bins.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Math.max(...binned.high[2].filter((v) => v === v))).toBe((n - 1) * 0.5);
  });
});
