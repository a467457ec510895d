/** Per-feature |coefficient| summed over outputs, normalised to sum 1 (coefficients are on standardised features, so comparable). */
export function coefficientImportance(w: ArrayLike<number>, d: number, k: number): Float64Array {
  const imp = new Float64Array(d);
  let total = 0;
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < k; c++) imp[j] += Math.abs(w[j * k + c]);
    total += imp[j];
  }
  if (total > 0) for (let j = 0; j < d; j++) imp[j] /= total;
  return imp;
}
