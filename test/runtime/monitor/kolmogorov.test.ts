import { describe, expect, it } from "vitest";
import { kstwoSf, smirnovSf } from "../../../runtime/monitor/kolmogorov.js";
import { runPython, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

/**
 * (n, d) pairs reaching every region of the method choice: Ruben–Gambino (nd ≤ 1, nd ≥ n − 1),
 * d ≥ ½ (Smirnov), the Durbin matrix, Pomeranz (n ≤ 140), Pelz–Good (large n), the Smirnov upper
 * tail for large n, and the support's ends.
 */
function grid(): [number, number][] {
  const out: [number, number][] = [];
  for (const n of [1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 200, 500, 1000, 5000, 20000, 100000, 100001, 1200000]) {
    for (const d of [0.0005, 0.002, 0.006, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.99, 0.4 / n, 0.5 / n, 0.75 / n, 1 / n, 1.5 / n, 1 - 1 / n, 1 - 0.25 / n]) {
      // SciPy's double-double Smirnov sums take ~0.2 s each for large n; the z grid below covers that region.
      if (d > 0 && d <= 1 && (n <= 20000 || n * d * d < 2)) out.push([n, d]);
    }
    for (const z of n > 20000 ? [0.3, 0.868, 1.2, 1.5, 2.1, 4] : [0.3, 0.6, 0.8, 0.868, 0.9, 1.2, 1.5, 1.8, 2.1, 3, 5, 14]) {
      const d = z / Math.sqrt(n);
      if (d < 1) out.push([n, d]);
    }
  }
  return out;
}

describe.skipIf(!HAVE_SCIPY)("the Kolmogorov distributions agree with SciPy", () => {
  const pairs = grid();
  // SciPy takes ~0.2 s per Smirnov sum at n = 10⁵: two of them there, the rest up to n = 20,000.
  const smirnovPairs = [...pairs.filter(([n, d]) => n <= 20000 && d > 1 / n), [100000, 0.0066], [100001, 0.0126]] as [number, number][];
  const [kstwo, smirnov] = runPython([
    { script: "from scipy.stats import kstwo\nprint(json.dumps([float(kstwo.sf(d, n)) for n, d in data]))", data: pairs },
    { script: "from scipy.special import smirnov\nprint(json.dumps([float(smirnov(n, d)) for n, d in data]))", data: smirnovPairs },
  ]) as [number[], number[]];

  it("kstwo.sf(d, n) to 1e-9 over every method region", () => {
    const off = pairs.map(([n, d], i) => ({ n, d, mine: kstwoSf(d, n), scipy: kstwo[i] })).filter((r) => !(Math.abs(r.mine - r.scipy) <= 1e-9));
    expect(off).toEqual([]);
  });

  it("the one-sided Smirnov tail smirnov(n, d) to 1e-9", () => {
    const off = smirnovPairs.map(([n, d], i) => ({ n, d, mine: smirnovSf(n, d), scipy: smirnov[i] })).filter((r) => !(Math.abs(r.mine - r.scipy) <= 1e-9));
    expect(off).toEqual([]);
  });
});
