/**
 * The RBF kernel K(a, b) = exp(−γ‖a − b‖²) over row-major float rows, and the Q matrices libsvm's
 * solver works on: Q_ij = y_i·y_j·K_ij for classification (SVC_Q), and the 2l×2l signed kernel for
 * epsilon-SVR (SVR_Q). Both gather their columns from cached rows of the whole training set's
 * kernel matrix (`KernelRows`).
 */
import { rbf } from "../scoring/rbf.js";
import { KernelCache } from "./kernel-cache.js";

/** Row-major rows (n×d) and the kernel width. */
export interface RbfData {
  rows: Float32Array;
  d: number;
  gamma: number;
}

/**
 * Rows of the training set's kernel matrix, K(x_i, ·) over all n training rows, computed on
 * demand and kept in an LRU cache under a byte budget. Every binary problem of a model (each
 * pair of classes, each Platt cross-validation fold) reads its Q columns from these rows, so a
 * kernel value is computed once per model rather than once per problem.
 */
export class KernelRows {
  private readonly cache: KernelCache;
  private readonly n: number;

  constructor(
    readonly data: RbfData,
    cacheBytes: number,
  ) {
    this.n = data.rows.length / data.d;
    this.cache = new KernelCache(this.n, cacheBytes);
  }

  /** K(x_i, x_j) for every training row j; valid until the next call. */
  row(i: number): Float32Array {
    const { n } = this;
    const { column, start } = this.cache.get(i, n);
    if (start < n) {
      const { rows, d, gamma } = this.data;
      for (let j = start; j < n; j++) column[j] = rbf(rows, i, rows, j, d, gamma);
    }
    return column;
  }
}

/** The matrix the SMO solver optimises over: columns on demand, a diagonal, and index swaps for shrinking. */
export interface QMatrix {
  /** Column i, valid for positions [0, len) until the next-but-one call. */
  column(i: number, len: number): Float32Array;
  /** Q_ii per position. */
  readonly diagonal: Float64Array;
  /** Exchanges positions i and j (the solver's shrinking moves inactive variables to the end). */
  swapIndex(i: number, j: number): void;
}

/** Two column buffers used in turn: the solver holds columns i and j at the same time. */
class ColumnBuffers {
  private readonly buffers: [Float32Array, Float32Array];
  private next = 0;

  constructor(length: number) {
    this.buffers = [new Float32Array(length), new Float32Array(length)];
  }

  take(): Float32Array {
    const out = this.buffers[this.next];
    this.next = 1 - this.next;
    return out;
  }
}

/** Q for C-SVC over training rows `index`: y_i y_j K(x_i, x_j), positions permuted as the solver shrinks. */
export class SvcQ implements QMatrix {
  readonly diagonal: Float64Array;
  private readonly y: Int8Array;
  /** Position → training row. */
  private readonly row: Int32Array;
  private readonly buffers: ColumnBuffers;

  constructor(
    private readonly kernel: KernelRows,
    index: Int32Array,
    y: Int8Array,
  ) {
    this.y = y.slice();
    this.row = index.slice();
    // K(x, x) = 1 for the RBF kernel.
    this.diagonal = new Float64Array(y.length).fill(1);
    this.buffers = new ColumnBuffers(y.length);
  }

  column(i: number, len: number): Float32Array {
    const { y, row } = this;
    const k = this.kernel.row(row[i]);
    const out = this.buffers.take();
    const yi = y[i];
    // Rounded to float32 as libsvm's Qfloat.
    for (let j = 0; j < len; j++) out[j] = yi * y[j] * k[row[j]];
    return out;
  }

  swapIndex(i: number, j: number): void {
    swap(this.y, i, j);
    swap(this.row, i, j);
    swap(this.diagonal, i, j);
  }
}

/** Q for epsilon-SVR over 2l variables (α then α*): sign_i·sign_j·K(x_real(i), x_real(j)). */
export class SvrQ implements QMatrix {
  readonly diagonal: Float64Array;
  private readonly sign: Int8Array;
  private readonly index: Int32Array;
  private readonly buffers: ColumnBuffers;

  constructor(
    private readonly kernel: KernelRows,
    l: number,
  ) {
    this.sign = new Int8Array(2 * l);
    this.index = new Int32Array(2 * l);
    for (let k = 0; k < l; k++) {
      this.sign[k] = 1;
      this.sign[k + l] = -1;
      this.index[k] = k;
      this.index[k + l] = k;
    }
    this.diagonal = new Float64Array(2 * l).fill(1);
    this.buffers = new ColumnBuffers(2 * l);
  }

  column(i: number, len: number): Float32Array {
    const { index, sign } = this;
    const k = this.kernel.row(index[i]);
    const out = this.buffers.take();
    const si = sign[i];
    for (let j = 0; j < len; j++) out[j] = si * sign[j] * k[index[j]];
    return out;
  }

  swapIndex(i: number, j: number): void {
    swap(this.sign, i, j);
    swap(this.index, i, j);
    swap(this.diagonal, i, j);
  }
}

function swap(a: Int8Array | Int32Array | Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
