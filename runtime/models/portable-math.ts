/**
 * exp and log for the linear losses, written with +, −, ×, ÷ and exact scalings only, so that
 * native/linear-pass.cc, which does the same operations in the same order (no FMA contraction),
 * gives the same doubles bit for bit. Math.exp and Math.log1p are V8's own code and the C
 * library's differ from them in the last bit now and then: a native pass calling those would not
 * be the twin of this one. Accuracy: within a few units in the last place (tested against Math.*),
 * far below what a loss summed over rows can tell. No imports: a worker thread loads it.
 */

/** ln 2 split so that k · LN2_HI is exact for any exponent k (21 significant bits), and the rest. */
const LN2_HI = 0.6931467056274414;
const LN2_LO = 4.7493250390316726e-7;
const LN2 = 0.6931471805599453;
const INV_LN2 = 1.4426950408889634;
const SQRT2 = 1.4142135623730951;
/** Adding and subtracting 1.5 · 2^52 rounds a double of magnitude below 2^51 to an integer (ties to even). */
const ROUND = 6755399441055744;
/** Below this exp is under the smallest normal double: taken as 0. */
export const EXP_MIN = -708;

/** POW2[i] = 2^−i for i in [0, 1022], by exact halvings. */
const POW2 = new Float64Array(1023);
POW2[0] = 1;
for (let i = 1; i < POW2.length; i++) POW2[i] = POW2[i - 1] * 0.5;

/** e^x for x ≤ 0 (0 below EXP_MIN; NaN stays NaN): x = k·ln 2 + r, |r| ≤ ln 2 / 2, e^r by its Taylor polynomial to r^13. */
export function expNonPositive(x: number): number {
  if (!(x >= EXP_MIN)) return x === x ? 0 : x;
  const k = x * INV_LN2 + ROUND - ROUND;
  const r = x - k * LN2_HI - k * LN2_LO;
  const p =
    1 +
    r *
      (1 +
        r *
          (0.5 +
            r *
              (0.16666666666666666 +
                r *
                  (0.041666666666666664 +
                    r *
                      (0.008333333333333333 +
                        r *
                          (0.001388888888888889 +
                            r *
                              (0.0001984126984126984 +
                                r * (2.48015873015873e-5 + r * (2.7557319223985893e-6 + r * (2.755731922398589e-7 + r * (2.505210838544172e-8 + r * (2.08767569878681e-9 + r * 1.6059043836821613e-10))))))))))));
  return p * POW2[-k];
}

/** log m for m in [√2/2, √2]: 2·atanh(s), s = (m − 1)/(m + 1), by its series to s^21. */
export function logNearOne(m: number): number {
  const f = m - 1;
  const s = f / (2 + f);
  const w = s * s;
  const t = 2 * s;
  const q =
    0.3333333333333333 +
    w * (0.2 + w * (0.14285714285714285 + w * (0.1111111111111111 + w * (0.09090909090909091 + w * (0.07692307692307693 + w * (0.06666666666666667 + w * (0.058823529411764705 + w * (0.05263157894736842 + w * 0.047619047619047616))))))));
  return t + t * w * q;
}

/** log(1 + e) for e in [0, 1]: the log of the rounded 1 + e, corrected by what the rounding lost. */
export function log1pUnit(e: number): number {
  const u = 1 + e;
  const c = (e - (u - 1)) / u;
  if (u > SQRT2) return LN2 + (logNearOne(u * 0.5) + c);
  return logNearOne(u) + c;
}

/** log x for x ≥ 1 (a product of softmax normalisers): x = 2^k · m with m in [√2/2, √2] by exact halvings. */
export function logAtLeastOne(x: number): number {
  if (x === Infinity) return x;
  let k = 0;
  while (x >= 18446744073709551616) {
    x *= 5.421010862427522e-20;
    k += 64;
  }
  while (x >= 2) {
    x *= 0.5;
    k++;
  }
  if (x > SQRT2) {
    x *= 0.5;
    k++;
  }
  return k * LN2_HI + (k * LN2_LO + logNearOne(x));
}
