/**
 * The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, which SciPy's
 * `ks_2samp` uses for its asymptotic p-value (`kstwo.sf(d, round(mn/(m+n)))`). The method for each
 * (n, d) follows Simard & L'Ecuyer, "Computing the Two-Sided Kolmogorov–Smirnov Distribution",
 * J. Stat. Softw. 39(11), 2011, with the same regions as SciPy's `scipy.stats._ksstats`:
 *
 * - Ruben–Gambino closed forms for nd ≤ 1 and nd ≥ n − 1;
 * - 2 × the one-sided Smirnov tail (exact for d ≥ ½, and the upper tail elsewhere);
 * - the Durbin matrix (Marsaglia–Tsang–Wang) for small n·d², Pomeranz's recursion for n ≤ 140,
 *   and the Pelz–Good asymptotic series for large n.
 *
 * The regions matter, not only the mathematics: Pelz–Good is an approximation, so agreeing with
 * SciPy to 1e-9 means using it exactly where SciPy does.
 */

const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
/** exp() of anything below this underflows (SciPy's _MIN_LOG). */
const MIN_LOG = -708;
/** Cephes' MINLOG, ln of the smallest subnormal. */
const CEPHES_MIN_LOG = -745.1332191019412;
const EPS = 2.220446049250313e-16;

/** x · 2^e without overflowing the intermediate power of two. */
function ldexp(x: number, e: number): number {
  let r = x;
  let k = e;
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);
const pick = (cdfProb: number, sfProb: number, cdf: boolean): number => clip01(cdf ? cdfProb : sfProb);

/** ln(n! / nⁿ) by Stirling's series with n ln n taken out first (no cancellation). */
function logFactorialOverPower(n: number): number {
  // B₂ⱼ/(2j(2j−1)) for j = 8 … 1, highest power first (evaluated by Horner in 1/n²).
  const coeffs = [
    -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
    -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
  ];
  const rn = 1 / n;
  const u = rn / n;
  let poly = 0;
  for (const c of coeffs) poly = poly * u + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * The one-sided Smirnov upper tail Pr(D⁺_n ≥ x) by the Birnbaum–Tingey sum
 * x · Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v),
 * summed in log space (terms would overflow) until the rest cannot change the sum; for
 * n > 10⁶ SciPy's approximation e^(−(6nx+1)²/18n).
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  if (nx <= 1) return clip01(1 - x * (1 + x) ** (n - 1));
  if (-2 * n * x * x < CEPHES_MIN_LOG) return 0;
  if (Math.floor(nx) >= n - 1) return (1 - x) ** n;
  if (n > 1_000_000) {
    const logp = -((6 * nx + 1) ** 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }
  let sum = 0;
  let logBinomial = 0;
  for (let v = 0; v < n; v++) {
    const right = (n - v) / n - x;
    if (!(right > 0)) break;
    const left = x + v / n;
    const logTerm = logBinomial + (v - 1) * Math.log(left) + (n - v) * Math.log(right);
    const term = Math.exp(logTerm);
    sum += term;
    const remaining = Math.ceil(n * (1 - x)) - v;
    if (term > 0 ? 4 * remaining * term < EPS * sum : v > n / 2) break;
    logBinomial += Math.log((n - v) / (v + 1));
  }
  return clip01(x * sum);
}

/** Pr(D_n ≤ d) by the Durbin matrix, computed as Marsaglia, Tsang & Wang do (H^n by squaring, rescaled). */
function durbinMatrix(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  // First column v and the factorial weights w (1/j!).
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fact = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fact;
    fact /= j;
    v[j - 1] = (1 - h ** j) * fact;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fact;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  const multiply = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l];
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] += a * B[l * m + j];
      }
    return C;
  };
  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let remaining = n;
  let exponent = 0;
  let hExponent = 0;
  while (remaining > 0) {
    if (remaining % 2) {
      power = multiply(power, H);
      exponent += hExponent;
    }
    H = multiply(H, H);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > SCALE_UP) {
      for (let i = 0; i < H.length; i++) H[i] /= SCALE_UP;
      hExponent += SCALE_EXPONENT;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
  }
  return clip01(exponent !== 0 ? ldexp(p, exponent) : p);
}

/** Pr(D_n ≤ d) by Pomeranz's recursion (two rows of the n × (2n+2) table, convolved with Poisson-like weights). */
function pomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  const gn = g / n;
  const twogn = (2 * g) / n;
  const onem2gn = (1 - 2 * g) / n;
  for (let k = 1; k < npwrs; k++) {
    gpower[k] = (gpower[k - 1] * gn) / k;
    twogpower[k] = (twogpower[k - 1] * twogn) / k;
    onem2gpower[k] = (onem2gpower[k - 1] * onem2gn) / k;
  }
  // The columns row i may reach: a window [j1, j2] of the 0..n positions.
  const window = (i: number): [number, number] => {
    let j1: number;
    let j2: number;
    if (i === 0) {
      j1 = -ll - ceilf - 1;
      j2 = ll + ceilf - 1;
    } else {
      const half = Math.floor((i + 1) / 2);
      if ((i + 1) % 2 === 0) {
        if (half === n + 1) {
          j1 = n - ll - ceilf - 1;
          j2 = n + ll + ceilf - 1;
        } else {
          j1 = half - 1 - ll - roundf - 1;
          j2 = half + ll - 1 + ceilf - 1;
        }
      } else {
        j1 = half - 1 - ll - 1;
        j2 = half + ll + roundf - 1;
      }
    }
    return [Math.max(j1 + 2, 0), Math.min(j2, n)];
  };
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let exponent = 0;
  let [j1, j2] = window(0);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = window(i);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const len = j2 - k1 + 1;
    if (len > 0) {
      const from = k1 - V0s;
      const start = j1 - k1;
      const count = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < count; c++) {
        // Entry `start + c` of the full convolution of V0[from .. from+len) with pwrs[0 .. len).
        const kk = start + c;
        let s = 0;
        const last = Math.min(kk, len - 1, V0.length - 1 - from);
        for (let a = Math.max(0, kk - len + 1); a <= last; a++) s += V0[from + a] * pwrs[kk - a];
        V1[c] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < SCALE_DOWN) {
        for (let c = 0; c < count; c++) V1[c] *= SCALE_UP;
        exponent -= SCALE_EXPONENT;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let answer = V1[n - V1s];
  for (let k = 1; k <= n; k++) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += SCALE_EXPONENT;
    }
    answer *= k;
  }
  return clip01(exponent !== 0 ? ldexp(answer, exponent) : answer);
}

/** Pr(D_n ≤ x) by the Pelz–Good series (Li-Chien/Korolyuk terms K₀…K₃ rewritten with Jacobi theta identities). */
function pelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Horner in q⁸ over the odd squares m = 2k − 1.
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT_2PI) / divisors[i];
  // The sums over all integers k in K₂ and K₃.
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2] += k2extra * ((PI2 * SQRT_2PI) / (-36 * z3));
  K[3] += k3extra * ((PI2 * SQRT_2PI) / (216 * z6));
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2);
  return sum;
}

/** Pr(D_n ≤ x) (cdf) or Pr(D_n > x) (sf), choosing the method as Simard & L'Ecuyer (and SciPy) do. */
export function kolmogorovN(n: number, x: number, cdf: boolean): number {
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return pick(1, 0, cdf);
  if (x <= 0) return pick(0, 1, cdf);
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return pick(0, 1, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob, 1 - prob, cdf);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n;
    return pick(1 - prob, prob, cdf);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob, cdf);
  }
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) {
      const prob = durbinMatrix(n, x);
      return pick(prob, 1 - prob, cdf);
    }
    if (nx2 <= 4) {
      const prob = pomeranz(n, x);
      return pick(prob, 1 - prob, cdf);
    }
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob, cdf);
  }
  if (!cdf) {
    if (nx2 >= 370) return 0;
    if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  }
  let cdfProb: number;
  if (nx2 >= 18) cdfProb = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfProb = durbinMatrix(n, x);
  else cdfProb = pelzGood(n, x);
  return pick(cdfProb, 1 - cdfProb, cdf);
}

/** SciPy's `kstwo.sf(d, n)`: Pr(D_n > d), 1 below the support's start ½n, 0 from 1 on. */
export function kstwoSf(d: number, n: number): number {
  if (Number.isNaN(d)) return NaN;
  if (d <= 0.5 / n) return 1;
  if (d >= 1) return 0;
  return clip01(kolmogorovN(n, d, false));
}
