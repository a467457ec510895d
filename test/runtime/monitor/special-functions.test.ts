import { describe, expect, it } from "vitest";
import { chiSquaredSf, gammaQ, lgamma } from "../../../runtime/monitor/special-functions.js";
import { runPython, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

function grid(): [number, number][] {
  const out: [number, number][] = [];
  for (const a of [0.5, 1, 1.5, 2, 3.5, 5, 9.5, 10, 10.5, 20, 49.5, 100, 250, 1000, 5000, 25000]) {
    for (const f of [1e-4, 0.1, 0.5, 0.8, 0.95, 1, 1.05, 1.2, 2, 5, 20]) out.push([a, a * f]);
    for (const z of [-4, -1, 0, 1, 4, 8]) if (a + z * Math.sqrt(a) > 0) out.push([a, a + z * Math.sqrt(a)]);
  }
  return out;
}

describe.skipIf(!HAVE_SCIPY)("special functions agree with scipy.special", () => {
  const pairs = grid();
  const [q, lg, chi] = runPython([
    { script: "from scipy.special import gammaincc\nprint(json.dumps([float(gammaincc(a, x)) for a, x in data]))", data: pairs },
    { script: "from scipy.special import gammaln\nprint(json.dumps([float(gammaln(a)) for a, _ in data]))", data: pairs },
    { script: "from scipy.stats import chi2\nprint(json.dumps([float(chi2.sf(x, 2 * a)) for a, x in data]))", data: pairs },
  ]) as [number[], number[], number[]];

  it("Q(a, x) to 1e-12 relative where it is above 1e-300, and 1e-14 absolute everywhere", () => {
    const off = pairs
      .map(([a, x], i) => ({ a, x, mine: gammaQ(a, x), scipy: q[i] }))
      .filter((r) => !(Math.abs(r.mine - r.scipy) <= 1e-14 && (r.scipy < 1e-300 || Math.abs(r.mine - r.scipy) <= 1e-12 * r.scipy)));
    expect(off).toEqual([]);
  });

  it("ln Γ(a) to 1e-14 relative", () => {
    const off = pairs.map(([a], i) => ({ a, mine: lgamma(a), scipy: lg[i] })).filter((r) => !(Math.abs(r.mine - r.scipy) <= 1e-14 * Math.max(1, Math.abs(r.scipy))));
    expect(off).toEqual([]);
  });

  it("chi2.sf(x, k) to 1e-12", () => {
    const off = pairs.map(([a, x], i) => ({ a, x, mine: chiSquaredSf(x, 2 * a), scipy: chi[i] })).filter((r) => !(Math.abs(r.mine - r.scipy) <= 1e-12));
    expect(off).toEqual([]);
  });
});

describe("special function edge values", () => {
  it("Q(a, 0) = 1, Q(a, ∞) = 0, invalid arguments are NaN", () => {
    expect(gammaQ(3, 0)).toBe(1);
    expect(gammaQ(3, Infinity)).toBe(0);
    expect(gammaQ(0, 1)).toBeNaN();
    expect(gammaQ(1, -1)).toBeNaN();
    expect(chiSquaredSf(0, 4)).toBe(1);
  });

  it("Q(1, x) = e^(−x) and ln Γ(n) = ln (n−1)!", () => {
    for (const x of [0.1, 1, 2, 7.5, 30]) expect(Math.abs(gammaQ(1, x) - Math.exp(-x))).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.exp(-x)) + 1e-300);
    let f = 1;
    for (let n = 2; n < 25; n++) {
      expect(lgamma(n)).toBeCloseTo(Math.log(f), 12);
      f *= n;
    }
  });
});
