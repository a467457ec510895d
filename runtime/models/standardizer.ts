import type { Standardizer } from "./scoring/standardize.js";
import type { Matrix } from "./types.js";

/** Learns mean and std per column; a constant column gets std 1 so it maps to zero, not NaN. */
export function fitStandardizer(x: Matrix): Standardizer {
  const mean: number[] = [];
  const std: number[] = [];
  for (const col of x.columns) {
    let s = 0;
    for (let i = 0; i < x.n; i++) s += col[i];
    const m = s / x.n;
    let v = 0;
    for (let i = 0; i < x.n; i++) v += (col[i] - m) * (col[i] - m);
    const sd = Math.sqrt(v / x.n);
    mean.push(m);
    std.push(sd > 1e-12 ? sd : 1);
  }
  return { mean, std };
}

/** Mean and std of a target vector, for learners that fit a standardised regression target. */
export function targetScale(y: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  const mean = s / y.length;
  let v = 0;
  for (let i = 0; i < y.length; i++) v += (y[i] - mean) * (y[i] - mean);
  const std = Math.sqrt(v / y.length);
  return { mean, std: std > 1e-12 ? std : 1 };
}
