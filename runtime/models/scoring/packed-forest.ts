import type { Matrix } from "../types.js";

/** The arrays of one grown tree that scoring reads (a subset of `TreeArrays`). */
export interface TreeNodes {
  feature: ArrayLike<number>;
  threshold: ArrayLike<number>;
  left: ArrayLike<number>;
  right: ArrayLike<number>;
  missingLeft: ArrayLike<number>;
  values: ArrayLike<number>;
}

/**
 * A forest laid out for scoring: every node is 4 consecutive 32-bit slots of one buffer, trees one
 * after the other, each in preorder (a left child follows its parent), so a step down a tree reads
 * one cache line instead of one per array of the trained form.
 *
 *   internal node at p: I[p] = feature + 1, F[p+1] = threshold, I[p+2] = left, I[p+3] = right
 *   leaf at p:          I[p] = 0,           I[p+1] = offset of its outputs in `values`, I[p+2] = I[p+3] = p
 *
 * Rows are copied into a row-major block whose column 0 is always 0, so a leaf "splits" on that
 * column and loops to itself: a descent can step several rows at once without a branch per row
 * and stops when every row reads feature slot 0.
 */
export interface PackedForest {
  /** Node slots as integers (`nodes`) and the same memory as floats (`thresholds`). */
  nodes: Int32Array;
  thresholds: Float32Array;
  /** 1 where rows with a missing value go left, by node index (slot / 4). */
  missingLeft: Uint8Array;
  /** Slot of each tree's root, in tree order. */
  roots: Int32Array;
  /** Every leaf's outputs, k each. */
  values: Float64Array;
  /** Outputs per leaf. */
  k: number;
  features: number;
}

/** Packs trees (as trained or as read from a model file) for `forestAverages`. */
export function packForest(trees: readonly TreeNodes[], k: number, features: number): PackedForest {
  let nodeCount = 0;
  let valueCount = 0;
  for (const t of trees) {
    nodeCount += t.feature.length;
    valueCount += t.values.length;
  }
  const buffer = new ArrayBuffer(nodeCount * 16);
  const I = new Int32Array(buffer);
  const F = new Float32Array(buffer);
  const missingLeft = new Uint8Array(nodeCount);
  const values = new Float64Array(valueCount);
  const roots = new Int32Array(trees.length);
  let next = 0; // next free node index
  let valueBase = 0;
  const stack: number[] = [];
  const parentSlot: number[] = [];
  trees.forEach((t, index) => {
    roots[index] = next * 4;
    const last = next + t.feature.length;
    for (let i = 0; i < t.values.length; i++) values[valueBase + i] = t.values[i];
    // Preorder, left first: push right then left, each with the slot its new index goes into.
    stack.push(0);
    parentSlot.push(-1);
    while (stack.length) {
      const node = stack.pop()!;
      const from = parentSlot.pop()!;
      // A node reached twice (a graph, not a tree) would overrun the buffer: refuse it.
      if (next >= last) throw new Error(`tree ${index} is malformed: a node has two parents`);
      const p = next++ * 4;
      if (from >= 0) I[from] = p;
      if (t.left[node] === -1) {
        I[p] = 0;
        I[p + 1] = valueBase + t.right[node];
        I[p + 2] = p;
        I[p + 3] = p;
      } else {
        I[p] = t.feature[node] + 1;
        F[p + 1] = t.threshold[node];
        missingLeft[p >> 2] = t.missingLeft[node] ? 1 : 0;
        stack.push(t.right[node], t.left[node]);
        parentSlot.push(p + 3, p + 2);
      }
    }
    valueBase += t.values.length;
  });
  return { nodes: I, thresholds: F, missingLeft, roots, values, k, features };
}

/**
 * Rows per block. Each tree walks the whole block before the next tree starts, so a tree is
 * fetched into cache once per block: large blocks amortise that (measured on flights: 4,096 rows
 * cost 2×, 65,536 rows 1.5× the time of 262,144), while the block's features stay within a few MB.
 */
const BLOCK_ROWS = 1 << 18;
const BLOCK_FLOATS = 1 << 21;

function defaultBlockRows(stride: number): number {
  return Math.max(256, Math.min(BLOCK_ROWS, Math.floor(BLOCK_FLOATS / stride)));
}

/**
 * Leaf outputs of rows `start` to `end` of `x`, summed over the trees in tree order (n×k, row-major,
 * into `sum` from row `start` on) — the order and arithmetic of averaging tree by tree, so the sums
 * are the same to the bit. A missing value (NaN) goes where each node's `missingLeft` says.
 */
export function forestSums(f: PackedForest, x: Matrix, start: number, end: number, sum: Float64Array, blockRows = defaultBlockRows(f.features + 1)): void {
  const stride = f.features + 1;
  const block = new Float32Array(Math.min(blockRows, Math.max(end - start, 0)) * stride);
  for (let b0 = start; b0 < end; b0 += blockRows) {
    const rows = Math.min(blockRows, end - b0);
    const missing = packRowsInto(x, b0, rows, f.features, block);
    sumBlock(f, block, rows, missing, sum, b0 * f.k);
  }
}

/** Rows of a matrix packed once in the walk's row-major layout, for scoring many forests (or trees) on them. */
export interface PackedRows {
  n: number;
  features: number;
  /** n × (features + 1) floats, column 0 zero. */
  block: Float32Array;
  /** Whether any value is missing (NaN). */
  missing: boolean;
}

/** Packs every row of `x` for `packedSums` (e.g. the validation rows gradient boosting scores after each tree). */
export function packRows(x: Matrix): PackedRows {
  const features = x.columns.length;
  const block = new Float32Array(x.n * (features + 1));
  return { n: x.n, features, block, missing: packRowsInto(x, 0, x.n, features, block) };
}

/** forestSums over rows packed by `packRows`: the same walk, so the same sums, without packing them again. */
export function packedSums(f: PackedForest, rows: PackedRows, sum: Float64Array, blockRows = defaultBlockRows(f.features + 1)): void {
  if (rows.features !== f.features) throw new Error(`rows packed with ${rows.features} features, the forest reads ${f.features}`);
  const stride = f.features + 1;
  for (let b0 = 0; b0 < rows.n; b0 += blockRows) {
    const n = Math.min(blockRows, rows.n - b0);
    sumBlock(f, rows.block.subarray(b0 * stride, (b0 + n) * stride), n, rows.missing, sum, b0 * f.k);
  }
}

/** Copies rows [b0, b0 + rows) of `x` into `block` (row-major, column 0 left at 0); whether one is missing. */
function packRowsInto(x: Matrix, b0: number, rows: number, features: number, block: Float32Array): boolean {
  const stride = features + 1;
  const cols = x.columns;
  let missing = false;
  for (let j = 0; j < features; j++) {
    const col = cols[j];
    for (let r = 0, o = j + 1; r < rows; r++, o += stride) {
      const v = col[b0 + r];
      block[o] = v;
      if (v !== v) missing = true;
    }
  }
  return missing;
}

/** Adds every tree's leaf outputs for the `rows` rows of a packed block into `sum` from `out`. */
function sumBlock(f: PackedForest, block: Float32Array, rows: number, missing: boolean, sum: Float64Array, out: number): void {
  const { k, roots } = f;
  const stride = f.features + 1;
  if (rows < 4) {
    // Too few rows to step four at once (a served request): step four trees at once instead.
    for (let r = 0; r < rows; r++) walkTrees(f, block, r * stride, sum, out + r * k);
    return;
  }
  for (let t = 0; t < roots.length; t++) {
    if (missing) walkWithMissing(f, roots[t], block, rows, stride, sum, out);
    else walk(f, roots[t], block, rows, stride, sum, out);
  }
}

/** Adds one tree's leaf outputs for each row of a block with no missing value, four rows at a time. */
function walk(f: PackedForest, root: number, X: Float32Array, rows: number, stride: number, sum: Float64Array, out: number): void {
  const I = f.nodes;
  const F = f.thresholds;
  const V = f.values;
  const k = f.k;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * stride;
    const b1 = b0 + stride;
    const b2 = b1 + stride;
    const b3 = b2 + stride;
    let p0 = root;
    let p1 = root;
    let p2 = root;
    let p3 = root;
    while ((I[p0] | I[p1] | I[p2] | I[p3]) !== 0) {
      p0 = I[p0 + 3 - +(X[b0 + I[p0]] <= F[p0 + 1])];
      p1 = I[p1 + 3 - +(X[b1 + I[p1]] <= F[p1 + 1])];
      p2 = I[p2 + 3 - +(X[b2 + I[p2]] <= F[p2 + 1])];
      p3 = I[p3 + 3 - +(X[b3 + I[p3]] <= F[p3 + 1])];
    }
    const s = out + r * k;
    addLeaf(V, I[p0 + 1], sum, s, k);
    addLeaf(V, I[p1 + 1], sum, s + k, k);
    addLeaf(V, I[p2 + 1], sum, s + 2 * k, k);
    addLeaf(V, I[p3 + 1], sum, s + 3 * k, k);
  }
  for (; r < rows; r++) {
    const b = r * stride;
    let p = root;
    while (I[p] !== 0) p = I[p + 3 - +(X[b + I[p]] <= F[p + 1])];
    addLeaf(V, I[p + 1], sum, out + r * k, k);
  }
}

/**
 * `walk` for a block with a missing value somewhere: NaN fails every `<=` and goes where `missingLeft`
 * says. A copy of `walk` on purpose: one walk with a loop-invariant `missing ? … : …` per step
 * measured 25% slower on blocks without missing values.
 */
function walkWithMissing(f: PackedForest, root: number, X: Float32Array, rows: number, stride: number, sum: Float64Array, out: number): void {
  const I = f.nodes;
  const F = f.thresholds;
  const M = f.missingLeft;
  const V = f.values;
  const k = f.k;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * stride;
    const b1 = b0 + stride;
    const b2 = b1 + stride;
    const b3 = b2 + stride;
    let p0 = root;
    let p1 = root;
    let p2 = root;
    let p3 = root;
    while ((I[p0] | I[p1] | I[p2] | I[p3]) !== 0) {
      p0 = stepMissing(I, F, M, X, b0, p0);
      p1 = stepMissing(I, F, M, X, b1, p1);
      p2 = stepMissing(I, F, M, X, b2, p2);
      p3 = stepMissing(I, F, M, X, b3, p3);
    }
    const s = out + r * k;
    addLeaf(V, I[p0 + 1], sum, s, k);
    addLeaf(V, I[p1 + 1], sum, s + k, k);
    addLeaf(V, I[p2 + 1], sum, s + 2 * k, k);
    addLeaf(V, I[p3 + 1], sum, s + 3 * k, k);
  }
  for (; r < rows; r++) {
    const b = r * stride;
    let p = root;
    while (I[p] !== 0) p = stepMissing(I, F, M, X, b, p);
    addLeaf(V, I[p + 1], sum, out + r * k, k);
  }
}

/** Adds every tree's leaf outputs for the row at `b` of a block, four trees at a time, in tree order. */
function walkTrees(f: PackedForest, X: Float32Array, b: number, sum: Float64Array, s: number): void {
  const I = f.nodes;
  const F = f.thresholds;
  const M = f.missingLeft;
  const V = f.values;
  const { k, roots } = f;
  let t = 0;
  for (; t + 4 <= roots.length; t += 4) {
    let p0 = roots[t];
    let p1 = roots[t + 1];
    let p2 = roots[t + 2];
    let p3 = roots[t + 3];
    while ((I[p0] | I[p1] | I[p2] | I[p3]) !== 0) {
      p0 = stepMissing(I, F, M, X, b, p0);
      p1 = stepMissing(I, F, M, X, b, p1);
      p2 = stepMissing(I, F, M, X, b, p2);
      p3 = stepMissing(I, F, M, X, b, p3);
    }
    addLeaf(V, I[p0 + 1], sum, s, k);
    addLeaf(V, I[p1 + 1], sum, s, k);
    addLeaf(V, I[p2 + 1], sum, s, k);
    addLeaf(V, I[p3 + 1], sum, s, k);
  }
  for (; t < roots.length; t++) {
    let p = roots[t];
    while (I[p] !== 0) p = stepMissing(I, F, M, X, b, p);
    addLeaf(V, I[p + 1], sum, s, k);
  }
}

/** One step down from node slot `p` for the row at `b`: left when x <= threshold, or x is NaN and the node sends missing left. */
function stepMissing(I: Int32Array, F: Float32Array, M: Uint8Array, X: Float32Array, b: number, p: number): number {
  const v = X[b + I[p]];
  return I[p + 3 - (+(v <= F[p + 1]) | (+(v !== v) & M[p >> 2]))];
}

function addLeaf(V: Float64Array, o: number, sum: Float64Array, s: number, k: number): void {
  for (let c = 0; c < k; c++) sum[s + c] += V[o + c];
}
