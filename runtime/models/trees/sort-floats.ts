/**
 * Sorting float32 values in place, ascending, as `Float32Array.prototype.sort()` orders them
 * (−0 before +0), for the binning of every tree learner: V8's built-in sort took ≈ 17 ms per
 * 126,000-value column, 10% of a gradient-boosting fit on 140k × 20 rows. An LSD radix sort on the
 * values' bit patterns (sign-flipped so they order as unsigned integers) takes three passes of 11
 * bits and gives the same array; short arrays keep the built-in sort.
 */

/** Below this many values the built-in sort is as fast as the radix passes' fixed cost. */
const RADIX_MIN = 2048;
const BITS = 11;
const BUCKETS = 1 << BITS;

/** The radix sort's two key buffers, kept across calls (one column after another) so a binning of many columns allocates them once. */
export class SortScratch {
  keys = new Uint32Array(0);
  out = new Uint32Array(0);

  /** Both buffers at least `n` long. */
  reserve(n: number): void {
    if (this.keys.length >= n) return;
    this.keys = new Uint32Array(n);
    this.out = new Uint32Array(n);
  }
}

/**
 * Sorts `values` (no NaN) ascending in place and returns it; the result equals `values.sort()`.
 * `scratch`: buffers to reuse, else two of `values.length` are allocated.
 */
export function sortFloats(values: Float32Array, scratch: SortScratch = new SortScratch()): Float32Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  scratch.reserve(n);
  // Keys: negatives have every bit flipped, positives only the sign bit, so unsigned order is float order.
  let keys = scratch.keys;
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  let out = scratch.out;
  const counts = new Int32Array(BUCKETS);
  for (let shift = 0; shift < 32; shift += BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & (BUCKETS - 1)]++;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      out[counts[(k >>> shift) & (BUCKETS - 1)]++] = k;
    }
    const t = keys;
    keys = out;
    out = t;
  }
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    bits[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
  return values;
}
