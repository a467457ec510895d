/**
 * Probabilities from SVM decision values, as libsvm computes them: Platt's sigmoid fitted by
 * Newton's method with backtracking (Lin, Lin & Weng's numerically careful version), and for
 * more than two classes the pairwise probabilities coupled by Wu, Lin & Weng's method 2.
 */

/** Sigmoid parameters: P(positive | f) = 1 / (1 + exp(A·f + B)). */
export interface Sigmoid {
  a: number;
  b: number;
}

/** Fits A, B to decision values `f` with labels (true = positive), libsvm's `sigmoid_train`. */
export function fitSigmoid(f: Float64Array, positive: Uint8Array): Sigmoid {
  const l = f.length;
  let prior1 = 0;
  for (let i = 0; i < l; i++) prior1 += positive[i];
  const prior0 = l - prior1;
  const maxIter = 100;
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(l);
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  const objective = (a: number, b: number): number => {
    let v = 0;
    for (let i = 0; i < l; i++) {
      const fApB = f[i] * a + b;
      v += fApB >= 0 ? t[i] * fApB + Math.log(1 + Math.exp(-fApB)) : (t[i] - 1) * fApB + Math.log(1 + Math.exp(fApB));
    }
    return v;
  };
  for (let i = 0; i < l; i++) t[i] = positive[i] ? hiTarget : loTarget;
  let fval = objective(A, B);
  for (let iter = 0; iter < maxIter; iter++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < l; i++) {
      const fApB = f[i] * A + B;
      let p: number;
      let q: number;
      if (fApB >= 0) {
        const e = Math.exp(-fApB);
        p = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(fApB);
        p = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = p * q;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      const d1 = t[i] - p;
      g1 += f[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < eps && Math.abs(g2) < eps) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const newA = A + step * dA;
      const newB = B + step * dB;
      const newF = objective(newA, newB);
      if (newF < fval + 0.0001 * step * gd) {
        A = newA;
        B = newB;
        fval = newF;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break;
  }
  return { a: A, b: B };
}

/** P(positive | decision value f), libsvm's `sigmoid_predict`. */
export function sigmoidProbability(f: number, s: Sigmoid): number {
  const fApB = f * s.a + s.b;
  return fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
}

/**
 * Class probabilities p (length k) from pairwise probabilities r (k×k row-major, r[i][j] =
 * P(i | i or j)), libsvm's `multiclass_probability`; `q` and `qp` are k×k and k scratch.
 */
export function couplePairwise(k: number, r: Float64Array, p: Float64Array, q: Float64Array, qp: Float64Array): void {
  const maxIter = Math.max(100, k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      q[t * k + t] += r[j * k + t] * r[j * k + t];
      q[t * k + j] = q[j * k + t];
    }
    for (let j = t + 1; j < k; j++) {
      q[t * k + t] += r[j * k + t] * r[j * k + t];
      q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += q[t * k + j] * p[j];
      qp[t] = s;
      pQp += p[t] * s;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) maxError = Math.max(maxError, Math.abs(qp[t] - pQp));
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-qp[t] + pQp) / q[t * k + t];
      p[t] += diff;
      pQp = (pQp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
}
