/** K(row a of `x`, row b of `y`) = exp(−γ‖a − b‖²) over row-major float rows, the squared distance summed in float64. */
export function rbf(x: Float32Array, a: number, y: Float32Array, b: number, d: number, gamma: number): number {
  let s = 0;
  const oa = a * d;
  const ob = b * d;
  for (let k = 0; k < d; k++) {
    const t = x[oa + k] - y[ob + k];
    s += t * t;
  }
  return Math.exp(-gamma * s);
}
