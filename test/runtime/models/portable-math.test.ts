import { describe, expect, it } from "vitest";
import { EXP_MIN, expNonPositive, log1pUnit, logAtLeastOne, logNearOne } from "../../../runtime/models/portable-math.js";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";

/** Relative error in units of 2^-52 (ulps of a number in [1, 2)). */
const ulps = (got: number, want: number) => Math.abs(got - want) / Math.abs(want) / Number.EPSILON;

describe("the portable exp and log of the linear losses", () => {
  const rng = new SeededRandom(5);

  it("match Math.exp, Math.log1p and Math.log to a few units in the last place", () => {
    let exp = 0;
    let log1p = 0;
    let log = 0;
    for (let i = 0; i < 20_000; i++) {
      // Spread over the whole range: many magnitudes of x, e and products.
      const x = -Math.abs(rng.normal()) * 10 ** (rng.next() * 3 - 1);
      exp = Math.max(exp, ulps(expNonPositive(x), Math.exp(x)));
      const e = rng.next() ** (1 + 40 * rng.next());
      log1p = Math.max(log1p, ulps(log1pUnit(e), Math.log1p(e)));
      const p = 1 + 3 ** (rng.next() * 40);
      log = Math.max(log, ulps(logAtLeastOne(p), Math.log(p)));
    }
    expect(exp).toBeLessThan(4);
    expect(log1p).toBeLessThan(4);
    expect(log).toBeLessThan(4);
    expect(ulps(logNearOne(1.4), Math.log(1.4))).toBeLessThan(4);
  });

  it("handle the edges: zero, the underflow bound, infinities and NaN", () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(ulps(expNonPositive(EXP_MIN), Math.exp(EXP_MIN))).toBeLessThan(4);
    expect(expNonPositive(EXP_MIN - 1e-9)).toBe(0);
    expect(expNonPositive(-Infinity)).toBe(0);
    expect(expNonPositive(NaN)).toBeNaN();
    expect(log1pUnit(0)).toBe(0);
    expect(log1pUnit(1e-300)).toBe(1e-300);
    expect(ulps(log1pUnit(1), Math.LN2)).toBeLessThan(2);
    expect(logAtLeastOne(1)).toBe(0);
    expect(ulps(logAtLeastOne(2 ** 1000), 1000 * Math.LN2)).toBeLessThan(2);
    expect(logAtLeastOne(Infinity)).toBe(Infinity);
    expect(logAtLeastOne(NaN)).toBeNaN();
  });
});
