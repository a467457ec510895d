/**
 * The special functions the drift p-values need: log Γ, the regularized upper incomplete gamma
 * function Q(a, x) and the χ² survival function built on it. Written for ~1e-14 relative accuracy
 * on the arguments drift tests produce (a = dof/2 up to tens of thousands, any x ≥ 0).
 */

const HALF_LOG_2PI = 0.91893853320467274178032973640561764;
const EPS = 2.220446049250313e-16;
/** Below this Lentz's method replaces a zero denominator (Numerical Recipes' FPMIN). */
const TINY = 1e-300;
const MAX_ITERATIONS = 1_000_000;

/**
 * Stirling's correction s(z) = ln Γ(z) − ((z − ½) ln z − z + ½ ln 2π) for z ≥ 10, from its
 * asymptotic series (terms B₂ₖ / (2k(2k−1) z^(2k−1)); the first omitted one is < 1e-17 at z = 10).
 */
function stirlingCorrection(z: number): number {
  const r = 1 / z;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156 + r2 * (-3617 / 122400))))))))
  );
}

/** ln Γ(x) for x > 0 (Stirling's series, shifted up to 10 by the recurrence Γ(x+1) = xΓ(x)). */
export function lgamma(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return Infinity;
  if (x === Infinity) return Infinity;
  let z = x;
  let product = 1;
  while (z < 10) {
    product *= z;
    z += 1;
  }
  const stirling = (z - 0.5) * Math.log(z) - z + HALF_LOG_2PI + stirlingCorrection(z);
  return product === 1 ? stirling : stirling - Math.log(product);
}

/**
 * ln(x^a e^(−x) / Γ(a)), the common factor of P(a, x) and Q(a, x). For a ≥ 10 it is written as
 * a·(ln(1+t) − t) + ½ ln(a/2π) − s(a) with t = (x − a)/a, which avoids subtracting the two large
 * numbers a ln x and ln Γ(a) (their rounding would cost ~a·ln a·ε of relative accuracy).
 */
function logGammaFactor(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - lgamma(a);
  const t = (x - a) / a;
  return a * (Math.log1p(t) - t) + 0.5 * Math.log(a / (2 * Math.PI)) - stirlingCorrection(a);
}

/** P(a, x) by its power series Σ xⁿ / (a(a+1)…(a+n)) (converges fast for x < a + 1). */
function lowerBySeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(logGammaFactor(a, x));
}

/** Q(a, x) by Legendre's continued fraction, evaluated with the modified Lentz method (x ≥ a + 1). */
function upperByContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logGammaFactor(a, x)) * h;
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) (Cephes' `igamc`),
 * for a > 0, x ≥ 0: the series for P below a + 1 (where P ≲ ½, so 1 − P keeps its digits), the
 * continued fraction above.
 */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - lowerBySeries(a, x);
  return upperByContinuedFraction(a, x);
}

/** The χ² survival function Pr(X ≥ x) with k degrees of freedom (SciPy's `chi2.sf`, `chdtrc`). */
export function chiSquaredSf(x: number, k: number): number {
  if (x <= 0) return 1;
  return gammaQ(k / 2, x / 2);
}
