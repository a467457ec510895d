/**
 * The seeded validation holdout gradient boosting stops early on when the model has no validation
 * dataset (scikit-learn's `validation_fraction`): ⌈fraction·n⌉ rows, stratified by class for
 * classification so each class keeps its share. The rows are drawn one at a time in row order
 * (`HoldoutDraw`), so rows streamed from DuckDB a block at a time are held out exactly as the
 * same rows in memory, with memory for the class counts only.
 */
import { Rng } from "./prng.js";

/** Rows 0..n−1 cut into training and validation rows, both ascending. */
export interface Holdout {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * The holdout decision for each row in turn: per class (one group for regression) a quota of the
 * ⌈fraction·n⌉ rows, rounded by largest remainder, drawn by selection sampling (Knuth's
 * Algorithm S: a member is held with probability still-needed / still-to-come), which gives every
 * subset of the quota's size the same chance. One generator seeded with `seed` across all rows in
 * order: the same rows for the same data and seed, on every pass.
 */
export class HoldoutDraw {
  private readonly needed: number[];
  private readonly remaining: number[];
  private readonly rng: Rng;

  /** `counts[c]`: rows of class c (one count for regression). */
  constructor(counts: ArrayLike<number>, fraction: number, seed: number) {
    const members = Array.from(counts);
    const n = members.reduce((s, m) => s + m, 0);
    const total = Math.min(n - 1, Math.max(1, Math.ceil(fraction * n)));
    const quota = members.map((m) => (total * m) / n);
    const take = quota.map(Math.floor);
    let left = total - take.reduce((s, t) => s + t, 0);
    const byRemainder = quota.map((q, c) => c).sort((a, b) => quota[b] - take[b] - (quota[a] - take[a]) || a - b);
    for (const c of byRemainder) {
      if (left === 0) break;
      if (take[c] < members[c]) {
        take[c]++;
        left--;
      }
    }
    this.needed = take;
    this.remaining = members;
    this.rng = new Rng(seed);
  }

  /** Rows held out in all. */
  get total(): number {
    return this.needed.reduce((s, t) => s + t, 0);
  }

  /** Whether the next row, of class `group` (0 for regression), is held out. Call once per row, in row order. */
  held(group: number): boolean {
    const r = this.remaining[group]--;
    const t = this.needed[group];
    if (t === 0) return false;
    if (this.rng.nextInt(r) < t) {
      this.needed[group]--;
      return true;
    }
    return false;
  }
}

/** The class counts a `HoldoutDraw` needs: per class for classification (`classes` > 0), else one group of every row. */
export function holdoutGroups(y: Float32Array, classes: number): Float64Array {
  const counts = new Float64Array(Math.max(1, classes));
  for (let i = 0; i < y.length; i++) counts[classes > 0 ? y[i] : 0]++;
  return counts;
}

/** Draws the validation rows of targets `y` in memory (`HoldoutDraw` over every row in order). */
export function holdout(y: Float32Array, classes: number, fraction: number, seed: number): Holdout {
  const n = y.length;
  const draw = new HoldoutDraw(holdoutGroups(y, classes), fraction, seed);
  const validation = new Int32Array(draw.total);
  const train = new Int32Array(n - draw.total);
  let v = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (draw.held(classes > 0 ? y[i] : 0)) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
