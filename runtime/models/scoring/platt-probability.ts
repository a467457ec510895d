/**
 * Probabilities from SVM decision values at prediction time, as libsvm computes them: Platt's
 * sigmoid (fitted in `kernel-svm/platt.ts`) and, for more than two classes, the pairwise
 * probabilities coupled by Wu, Lin & Weng's method 2.
 */

/** Sigmoid parameters: P(positive | f) = 1 / (1 + exp(A·f + B)). */
export interface Sigmoid {
  a: number;
  b: number;
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
