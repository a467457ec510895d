/**
 * Class predictions arrive as float class indices (the learner contract stores
 * everything in Float32Array); metrics need them as validated integers.
 */

/** Converts float class indices to Int32Array, rejecting values outside 0..k-1 or non-integers. */
export function toClassIndices(y: ArrayLike<number>, k: number, what = "labels"): Int32Array {
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new RangeError(`${what}[${i}] = ${v} is not a class index in 0..${k - 1}`);
    }
    out[i] = v;
  }
  return out;
}

/** Sorted class indices that occur in either array (scikit-learn's `unique_labels`). */
export function presentLabels(k: number, ...ys: Int32Array[]): number[] {
  const seen = new Uint8Array(k);
  for (const y of ys) for (let i = 0; i < y.length; i++) seen[y[i]] = 1;
  const labels: number[] = [];
  for (let c = 0; c < k; c++) if (seen[c]) labels.push(c);
  return labels;
}

/** Throws unless both arrays have the same length. */
export function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, names = "yTrue and yPred"): void {
  if (a.length !== b.length) throw new RangeError(`${names} differ in length (${a.length} vs ${b.length})`);
}
