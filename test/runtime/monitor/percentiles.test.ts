import { describe, expect, it } from "vitest";
import { latencySummary, percentileSorted, quantileSorted } from "../../../runtime/monitor/percentiles.js";
import { SeededRandom, runPython, sample, scipyAvailable } from "./oracle.js";

const HAVE_NUMPY = scipyAvailable();
const LEVELS = [0, 0.5, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 99.9, 100];

function windows(): number[][] {
  const rng = new SeededRandom(99);
  const out: number[][] = [[7], [1, 2], [3, 1, 2], [5, 5, 5, 5]];
  for (const n of [4, 10, 11, 100, 1001, 20000]) out.push(sample(rng, n, "exponential"));
  out.push(sample(rng, 500, "ties"));
  out.push(sample(rng, 64, "normal").map((v) => v * 1e6));
  return out;
}

describe.skipIf(!HAVE_NUMPY)("percentiles agree with numpy.percentile (linear)", () => {
  const all = windows();
  const expected = runPython([
    {
      script: `
levels = data["levels"]
print(json.dumps([[[float(v) for v in np.percentile(w, levels)], float(np.mean(w)), float(np.max(w))] for w in data["windows"]]))`,
      data: { levels: LEVELS, windows: all },
    },
  ])[0] as [number[], number, number][];

  it.each(all.map((w, i) => [w.length, i] as const))("window of %i values", (_n, i) => {
    const sorted = Float64Array.from(all[i]).sort();
    const [percentiles, mean, max] = expected[i];
    LEVELS.forEach((p, j) => expect(Math.abs(percentileSorted(sorted, p) - percentiles[j])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(percentiles[j]))));
    const s = latencySummary(Float64Array.from(all[i]));
    expect(s.count).toBe(all[i].length);
    expect(s.p50).toBe(percentileSorted(sorted, 50));
    expect(s.p99).toBe(percentiles[LEVELS.indexOf(99)]);
    expect(Math.abs((s.mean as number) - mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(mean)));
    expect(s.max).toBe(max);
  });
});

describe("latency summaries", () => {
  it("an empty window has a count of 0 and null statistics", () => {
    expect(latencySummary(new Float64Array(0))).toEqual({ count: 0, mean: null, max: null, p50: null, p90: null, p95: null, p99: null });
  });

  it("NaN entries are left out", () => {
    expect(latencySummary(Float64Array.from([1, NaN, 3]))).toEqual(latencySummary(Float64Array.from([1, 3])));
  });

  it("interpolates linearly between neighbours", () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2.5);
  });
});
