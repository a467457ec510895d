/**
 * Grows one CART tree on binned data with histogram split finding:
 *
 *   rows (bootstrap multiplicities as weights) ─▶ per node: histogram of (bin → weight, class
 *   weights | target sum) for the sampled features ─▶ best "bin <= t" cut (NaN bin sent left or
 *   right, whichever is better) ─▶ stable in-place partition of the row index buffer ─▶ children.
 *
 * When every feature is examined at every node (single trees, regression forests) a node keeps
 * the histograms of all features, so a split builds them only for the smaller child and obtains
 * the larger child's by subtraction. When few features are sampled per node (classification
 * forests) building only the sampled features' histograms directly is cheaper, and nodes that
 * touch few of a feature's bins sort those instead of sweeping all of them.
 *
 * A cut between two adjacent non-empty bins of the node puts its threshold midway between the
 * largest training value of the left bin and the smallest of the next bin (scikit-learn's rule
 * when bins hold one distinct value each), so unseen values in the gap split evenly instead of
 * all going right.
 */
import { nativeTrees, type NativeTreeModule } from "../native-engine.js";
import type { BinArray, BinnedMatrix } from "./binning.js";
import type { TreeOptions } from "./tree-options.js";
import { Rng } from "./prng.js";
import { NodeBuffer } from "./node-buffer.js";
import { Pacer } from "../abort.js";

// The shape of a grown tree lives on its own (node-buffer.ts builds it, and is imported here).
export type { TreeArrays } from "./tree-arrays.js";
import type { TreeArrays } from "./tree-arrays.js";

/** Training data shared by every tree of a model. */
export interface TreeData {
  binned: BinnedMatrix;
  /** Class index or regression target per row. */
  y: Float32Array;
}

/** Below this many rows a node neither keeps nor receives all-feature histograms. */
const HIST_MIN_ROWS = 256;
/** Up to this many touched bins, a node orders them by insertion instead of sweeping all bins. */
const SPARSE_BINS = 48;
/** Fewest node rows for which the native kernels pay for a call (≈ 1 µs of argument checks; deep trees have many tiny nodes). */
const NATIVE_MIN_ROWS = 512;
/** A node that touches fewer than 1/SORT_RATIO of a feature's bins sorts them instead of sweeping. */
const SORT_RATIO = 8;

interface Node {
  id: number;
  start: number;
  end: number;
  depth: number;
  /** [weight, class weights…] or [weight, weighted target sum]. */
  stats: Float64Array;
  /** Histograms of all features for this node's rows, when kept. */
  hist: Float64Array | null;
  yMin: number;
  yMax: number;
}

function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

/**
 * A float32 threshold between a (largest value on the left) and b (smallest on the right):
 * a <= t < b, so training rows go where the split sent them.
 */
export function midGap(a: number, b: number): number {
  const mid = Math.fround(a / 2 + b / 2);
  // Rounding to float32 may land on b (adjacent floats), or overflow to Infinity.
  return mid < b && mid >= a ? mid : a;
}

/** Reusable buffers for growing many trees over the same data (one per thread). */
export class TreeGrower {
  private readonly n: number;
  private readonly f: number;
  private readonly k: number;
  /** Histogram stride per bin: weight then k class weights, or weight then target sum. */
  private readonly d: number;
  private readonly bins: BinArray;
  private readonly yClass: Int32Array;
  private readonly yValue: Float32Array;
  private readonly weight: Float64Array;
  private readonly idx: Int32Array;
  private readonly scratch: Int32Array;
  private readonly featureOrder: Int32Array;
  private readonly histOne: Float64Array;
  /** The native one-feature histogram and partition when built (the same sums and row order as the loops here). */
  private readonly kernels: NativeTreeModule | null = nativeTrees() ?? null;
  /** Per byte bin of the feature being split on: 1 when its rows go left (the native partition's table). */
  private readonly goesLeft = new Uint8Array(256);
  private readonly touched: Int32Array;
  private touchedCount = 0;
  private readonly order: Int32Array;
  private readonly acc: Float64Array;
  private readonly pool: Float64Array[] = [];
  /** Per feature: value bins, the missing bin (= value bins) and where its histogram starts. */
  private readonly valueBins: Int32Array;
  private readonly histOffset: Int32Array;
  private readonly histSize: number;
  /** Fewest rows for which a node keeps all-feature histograms (more bins, more rows needed). */
  private readonly histMinRows: number;
  private readonly low: Float32Array[];
  private readonly high: Float32Array[];

  private bestProxy = -Infinity;
  private bestFeature = -1;
  private bestBin = 0;
  /** The node's next non-empty bin after `bestBin`, or -1 when only missing rows go right. */
  private bestNext = -1;
  private bestMissingLeft = false;
  private readonly bestLeft: Float64Array;

  // Growing output.
  private readonly nodes = new NodeBuffer();
  private values = new Float64Array(0);
  private valueCount = 0;
  private importance: Float64Array;

  constructor(
    private readonly data: TreeData,
    private readonly options: TreeOptions,
  ) {
    const { binned, y } = data;
    this.n = binned.n;
    this.f = binned.features;
    this.bins = binned.bins;
    this.k = options.task === "classification" ? options.classes : 1;
    this.d = this.k + 1;
    if (y.length !== this.n) throw new Error(`y has ${y.length} rows, expected ${this.n}`);
    this.yValue = y;
    this.yClass = new Int32Array(options.task === "classification" ? this.n : 0);
    if (options.task === "classification") {
      for (let i = 0; i < this.n; i++) {
        const c = y[i];
        if (!(c >= 0 && c < this.k && Number.isInteger(c))) throw new Error(`row ${i}: class index ${c} is not in 0..${this.k - 1}`);
        this.yClass[i] = c;
      }
    } else {
      for (let i = 0; i < this.n; i++) if (!Number.isFinite(y[i])) throw new Error(`row ${i}: target ${y[i]} is not a finite number`);
    }
    this.weight = new Float64Array(this.n);
    this.idx = new Int32Array(this.n);
    this.scratch = new Int32Array(this.n);
    this.featureOrder = new Int32Array(this.f);
    this.valueBins = Int32Array.from(binned.edges, (e) => e.length + 1);
    this.histOffset = new Int32Array(this.f);
    let size = 0;
    let widest = 0;
    for (let j = 0; j < this.f; j++) {
      this.histOffset[j] = size;
      size += (this.valueBins[j] + 1) * this.d;
      widest = Math.max(widest, this.valueBins[j] + 1);
    }
    this.histSize = size;
    this.histMinRows = Math.max(HIST_MIN_ROWS, Math.ceil(size / this.d / Math.max(1, this.f)));
    this.histOne = new Float64Array(widest * this.d);
    this.touched = new Int32Array(widest);
    this.order = new Int32Array(widest);
    this.acc = new Float64Array(this.d);
    this.bestLeft = new Float64Array(this.d);
    this.importance = new Float64Array(this.f);
    this.low = binned.low;
    this.high = binned.high;
  }

  /** Grows one tree; `seed` drives the bootstrap sample and the feature sampling. */
  grow(seed: number): TreeArrays {
    const { rng, stack } = this.begin(seed);
    while (stack.length > 0) this.splitOrLeaf(stack.pop()!, rng, stack);
    return this.finish();
  }

  /**
   * As `grow`, the same tree, handing the event loop a turn every `everyMs` (a kernel's interrupt,
   * a progress line) and stopping with an AbortError once `signal` is aborted: a single tree on
   * millions of rows takes tens of seconds.
   */
  async growYielding(seed: number, signal?: AbortSignal, everyMs = 50): Promise<TreeArrays> {
    const { rng, stack } = this.begin(seed);
    const pace = new Pacer(signal, everyMs);
    for (let nodes = 1; stack.length > 0; nodes++) {
      this.splitOrLeaf(stack.pop()!, rng, stack);
      if ((nodes & 63) === 0) await pace.tick();
    }
    return this.finish();
  }

  /** A new tree's root (its rows, statistics and, when kept, histograms) on the stack of nodes to grow. */
  private begin(seed: number): { rng: Rng; stack: Node[] } {
    const { n, f, d, idx, weight, options } = this;
    const rng = new Rng(seed);
    if (options.bootstrap) {
      weight.fill(0);
      for (let s = 0; s < n; s++) weight[rng.nextInt(n)]++;
    } else {
      weight.fill(1);
    }
    let m = 0;
    for (let i = 0; i < n; i++) if (weight[i] > 0) idx[m++] = i;
    for (let j = 0; j < f; j++) this.featureOrder[j] = j;
    this.reset();

    const rootStats = new Float64Array(d);
    let yMin = Infinity;
    let yMax = -Infinity;
    for (let p = 0; p < m; p++) {
      const i = idx[p];
      const w = weight[i];
      rootStats[0] += w;
      if (options.task === "classification") rootStats[1 + this.yClass[i]] += w;
      else {
        const v = this.yValue[i];
        rootStats[1] += w * v;
        if (v < yMin) yMin = v;
        if (v > yMax) yMax = v;
      }
    }
    const keepHist = options.maxFeatures >= f && m >= this.histMinRows;
    const root: Node = { id: this.nodes.add(), start: 0, end: m, depth: 0, stats: rootStats, hist: null, yMin, yMax };
    if (keepHist) {
      root.hist = this.acquire();
      this.buildAll(root.hist, 0, m);
    }
    return { rng, stack: [root] };
  }

  /** The histogram layout: where each feature's bins start, the stride of a bin ([weight, class weights…] or [weight, weighted target sum]) and the total length. */
  get layout(): { histOffset: Int32Array; stride: number; size: number } {
    return { histOffset: this.histOffset, stride: this.d, size: this.histSize };
  }

  /**
   * The cut of a node known only by its all-feature histograms `hist` and its `stats` (rows
   * streamed from disk, streamed-tree.ts), by the same rules and split search as a node grown here;
   * null when the node is a leaf. `gain` is its impurity decrease (the importance it adds), `leftWeight` the left side's weight.
   */
  bestCut(stats: Float64Array, hist: Float64Array, depth: number, yMin: number, yMax: number, rng: Rng): { feature: number; bin: number; next: number; missingLeft: boolean; gain: number; leftWeight: number } | null {
    const node: Node = { id: -1, start: 0, end: 0, depth, stats, hist, yMin, yMax };
    // Each node's draws start from the same order, so its cut depends on its own generator only.
    for (let j = 0; j < this.f; j++) this.featureOrder[j] = j;
    if (this.isLeaf(node, rng)) return null;
    return { feature: this.bestFeature, bin: this.bestBin, next: this.bestNext, missingLeft: this.bestMissingLeft, gain: Math.max(0, this.bestProxy - this.parentProxy(stats)), leftWeight: this.bestLeft[0] };
  }

  /** Whether a node stays a leaf: pure, at the depth limit, too few rows, or no valid cut (else the best cut is in the best-split fields). */
  private isLeaf(node: Node, rng: Rng): boolean {
    const { options, d } = this;
    const stats = node.stats;
    const w = stats[0];
    let pure: boolean;
    if (options.task === "classification") {
      let max = 0;
      for (let c = 1; c < d; c++) if (stats[c] > max) max = stats[c];
      pure = max >= w;
    } else {
      pure = node.yMin === node.yMax;
    }
    return pure || (options.maxDepth > 0 && node.depth >= options.maxDepth) || w < options.minSamplesSplit || w < 2 * options.minSamplesLeaf || !this.findSplit(node, rng);
  }

  private splitOrLeaf(node: Node, rng: Rng, stack: Node[]): void {
    const { options, d } = this;
    const stats = node.stats;
    if (this.isLeaf(node, rng)) {
      if (node.hist) this.release(node.hist);
      this.makeLeaf(node.id, stats);
      return;
    }

    const feature = this.bestFeature;
    const bin = this.bestBin;
    const next = this.bestNext;
    const missingLeft = this.bestMissingLeft;
    const leftStats = this.bestLeft.slice();
    const rightStats = new Float64Array(d);
    for (let c = 0; c < d; c++) rightStats[c] = stats[c] - leftStats[c];
    this.importance[feature] += Math.max(0, this.bestProxy - this.parentProxy(stats));

    const mid = this.partition(node.start, node.end, feature, bin, missingLeft);
    const leftChild: Node = { id: this.nodes.add(), start: node.start, end: mid, depth: node.depth + 1, stats: leftStats, hist: null, yMin: Infinity, yMax: -Infinity };
    const rightChild: Node = { id: this.nodes.add(), start: mid, end: node.end, depth: node.depth + 1, stats: rightStats, hist: null, yMin: Infinity, yMax: -Infinity };
    if (options.task === "regression") {
      this.targetRange(leftChild);
      this.targetRange(rightChild);
    }
    const id = node.id;
    this.nodes.split(id, feature, next < 0 ? Infinity : midGap(this.high[feature][bin], this.low[feature][next]), leftChild.id, rightChild.id, missingLeft);

    if (node.hist) this.handOnHistograms(node.hist, leftChild, rightChild);
    stack.push(rightChild, leftChild);
  }

  /** Gives children all-feature histograms: build the smaller one, subtract for the larger. */
  private handOnHistograms(parent: Float64Array, a: Node, b: Node): void {
    const [small, large] = a.end - a.start <= b.end - b.start ? [a, b] : [b, a];
    if (large.end - large.start < this.histMinRows) {
      this.release(parent);
      return;
    }
    const smallHist = this.acquire();
    this.buildAll(smallHist, small.start, small.end);
    for (let q = 0; q < parent.length; q++) parent[q] -= smallHist[q];
    large.hist = parent;
    if (small.end - small.start >= this.histMinRows) small.hist = smallHist;
    else this.release(smallHist);
  }

  /** The split proxy of the unsplit node, so proxy − this is the impurity decrease. */
  private parentProxy(stats: Float64Array): number {
    const w = stats[0];
    if (this.options.task === "regression") return (stats[1] * stats[1]) / w;
    if (this.options.criterion === "entropy") {
      let e = -xlogx(w);
      for (let c = 1; c < this.d; c++) e += xlogx(stats[c]);
      return e;
    }
    let sq = 0;
    for (let c = 1; c < this.d; c++) sq += stats[c] * stats[c];
    return sq / w;
  }

  /**
   * Examines features in a fresh random order until `maxFeatures` non-constant ones have been
   * scanned and a valid cut exists (more are scanned if none of the first ones can split).
   */
  private findSplit(node: Node, rng: Rng): boolean {
    const { f, featureOrder, options } = this;
    this.bestProxy = -Infinity;
    this.bestFeature = -1;
    let visited = 0;
    for (let j = 0; j < f; j++) {
      if (visited >= options.maxFeatures && this.bestFeature >= 0) break;
      const r = j + rng.nextInt(f - j);
      const feature = featureOrder[r];
      featureOrder[r] = featureOrder[j];
      featureOrder[j] = feature;
      let hist: Float64Array;
      let base: number;
      let bins: number;
      if (node.hist) {
        hist = node.hist;
        base = this.histOffset[feature];
        bins = this.denseOrder(hist, base, feature);
      } else {
        hist = this.histOne;
        base = 0;
        this.buildOne(feature, node.start, node.end);
        const t = this.touchedCount;
        bins = t <= SPARSE_BINS ? this.sparseOrder(feature) : t * SORT_RATIO < this.valueBins[feature] ? this.sortedOrder(feature) : this.denseOrder(hist, 0, feature);
      }
      const missing = hist[base + this.valueBins[feature] * this.d] > 0;
      if (bins + (missing ? 1 : 0) >= 2) {
        visited++;
        this.scan(hist, base, bins, node.stats, feature, false);
        if (missing) this.scan(hist, base, bins, node.stats, feature, true);
      }
      if (!node.hist) this.clearOne(feature);
    }
    return this.bestFeature >= 0;
  }

  /** Non-empty value bins of a feature in ascending order, by sweeping all of them. */
  private denseOrder(hist: Float64Array, base: number, feature: number): number {
    const nb = this.valueBins[feature];
    const d = this.d;
    const order = this.order;
    let count = 0;
    for (let b = 0; b < nb; b++) if (hist[base + b * d] > 0) order[count++] = b;
    return count;
  }

  /** Non-empty value bins in ascending order, by insertion-sorting the few the node touched. */
  private sparseOrder(feature: number): number {
    const { touched, order } = this;
    const missing = this.valueBins[feature];
    let count = 0;
    for (let t = 0; t < this.touchedCount; t++) {
      const b = touched[t];
      if (b === missing) continue;
      let p = count++;
      while (p > 0 && order[p - 1] > b) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = b;
    }
    return count;
  }

  /** Non-empty value bins in ascending order, by sorting the touched ones (many, but far fewer than all bins). */
  private sortedOrder(feature: number): number {
    const { touched, order } = this;
    const missing = this.valueBins[feature];
    let count = 0;
    for (let t = 0; t < this.touchedCount; t++) if (touched[t] !== missing) order[count++] = touched[t];
    order.subarray(0, count).sort();
    return count;
  }

  /**
   * Sweeps cuts "bin <= t" over the ordered bins, with missing rows on the left when
   * `missingLeft`, and records the best one in the best-split fields.
   */
  private scan(hist: Float64Array, base: number, count: number, stats: Float64Array, feature: number, missingLeft: boolean): void {
    const { d, acc, order, options } = this;
    const minLeaf = options.minSamplesLeaf;
    const w = stats[0];
    acc.fill(0);
    const missingBase = base + this.valueBins[feature] * d;
    if (missingLeft) for (let c = 0; c < d; c++) acc[c] = hist[missingBase + c];
    const regression = options.task === "regression";
    const entropy = options.criterion === "entropy";
    // Running split quality of each side, updated per bin instead of recomputed.
    let qLeft = 0;
    let qRight = 0;
    if (!regression) {
      for (let c = 1; c < d; c++) {
        const l = acc[c];
        const r = stats[c] - l;
        if (entropy) {
          qLeft += xlogx(l);
          qRight += xlogx(r);
        } else {
          qLeft += l * l;
          qRight += r * r;
        }
      }
    }
    for (let o = 0; o < count; o++) {
      const h = base + order[o] * d;
      acc[0] += hist[h];
      if (regression) {
        acc[1] += hist[h + 1];
      } else if (entropy) {
        for (let c = 1; c < d; c++) {
          const add = hist[h + c];
          if (add === 0) continue;
          const l = acc[c];
          const r = stats[c] - l;
          qLeft += xlogx(l + add) - xlogx(l);
          qRight += xlogx(r - add) - xlogx(r);
          acc[c] = l + add;
        }
      } else {
        for (let c = 1; c < d; c++) {
          const add = hist[h + c];
          if (add === 0) continue;
          const l = acc[c];
          const r = stats[c] - l;
          qLeft += add * (2 * l + add);
          qRight += add * (add - 2 * r);
          acc[c] = l + add;
        }
      }
      const wl = acc[0];
      const wr = w - wl;
      if (wl < minLeaf) continue;
      if (wr < minLeaf) break;
      let proxy: number;
      if (regression) {
        const sr = stats[1] - acc[1];
        proxy = (acc[1] * acc[1]) / wl + (sr * sr) / wr;
      } else if (entropy) {
        proxy = qLeft - xlogx(wl) + qRight - xlogx(wr);
      } else {
        proxy = qLeft / wl + qRight / wr;
      }
      if (proxy > this.bestProxy) {
        this.bestProxy = proxy;
        this.bestFeature = feature;
        this.bestBin = order[o];
        this.bestNext = o + 1 < count ? order[o + 1] : -1;
        // With no missing rows at training time, unseen missing values follow the larger side.
        this.bestMissingLeft = missingLeft || (hist[missingBase] === 0 && wl >= wr);
        this.bestLeft.set(acc);
      }
    }
  }

  /** Histogram of one feature over the node's rows into `histOne`, noting touched bins. */
  private buildOne(feature: number, start: number, end: number): void {
    const { idx, weight, bins, d, histOne: hist, touched } = this;
    if (this.kernels && end - start >= NATIVE_MIN_ROWS) {
      this.touchedCount = this.kernels.oneHistogram(bins, this.n, feature, idx, start, end, weight, this.yClass, this.yValue, d, this.options.task === "classification", hist, touched);
      return;
    }
    const offset = feature * this.n;
    let t = 0;
    if (this.options.task === "classification") {
      const y = this.yClass;
      for (let p = start; p < end; p++) {
        const i = idx[p];
        const b = bins[offset + i];
        const w = weight[i];
        const h = b * d;
        if (hist[h] === 0) touched[t++] = b;
        hist[h] += w;
        hist[h + 1 + y[i]] += w;
      }
    } else {
      const y = this.yValue;
      for (let p = start; p < end; p++) {
        const i = idx[p];
        const b = bins[offset + i];
        const w = weight[i];
        const h = b * 2;
        if (hist[h] === 0) touched[t++] = b;
        hist[h] += w;
        hist[h + 1] += w * y[i];
      }
    }
    this.touchedCount = t;
  }

  /** Zeroes `histOne` after use, touching only the bins that were filled when they are few. */
  private clearOne(feature: number): void {
    const { histOne, d } = this;
    if (this.touchedCount > SPARSE_BINS && this.touchedCount * SORT_RATIO >= this.valueBins[feature]) {
      histOne.fill(0, 0, (this.valueBins[feature] + 1) * d);
      return;
    }
    for (let t = 0; t < this.touchedCount; t++) histOne.fill(0, this.touched[t] * d, this.touched[t] * d + d);
  }

  /** Histograms of every feature over rows idx[start, end). */
  private buildAll(hist: Float64Array, start: number, end: number): void {
    const { idx, weight, bins, d, n } = this;
    const classification = this.options.task === "classification";
    for (let j = 0; j < this.f; j++) {
      const offset = j * n;
      const base = this.histOffset[j];
      for (let p = start; p < end; p++) {
        const i = idx[p];
        const h = base + bins[offset + i] * d;
        const w = weight[i];
        hist[h] += w;
        if (classification) hist[h + 1 + this.yClass[i]] += w;
        else hist[h + 1] += w * this.yValue[i];
      }
    }
  }

  /** Stable partition of idx[start, end) by the cut; returns where the right side starts. */
  private partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number {
    const { idx, scratch, bins } = this;
    const offset = feature * this.n;
    const missing = this.valueBins[feature];
    if (this.kernels && bins instanceof Uint8Array && end - start >= NATIVE_MIN_ROWS) {
      const goesLeft = this.goesLeft;
      for (let b = 0; b <= missing; b++) goesLeft[b] = b === missing ? (missingLeft ? 1 : 0) : b <= bin ? 1 : 0;
      return this.kernels.partition(bins, this.n, feature, idx, scratch, start, end, goesLeft);
    }
    let l = start;
    let r = 0;
    for (let p = start; p < end; p++) {
      const i = idx[p];
      const b = bins[offset + i];
      if (b === missing ? missingLeft : b <= bin) idx[l++] = i;
      else scratch[r++] = i;
    }
    idx.set(scratch.subarray(0, r), l);
    return l;
  }

  private targetRange(node: Node): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = node.start; p < node.end; p++) {
      const v = this.yValue[this.idx[p]];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    node.yMin = lo;
    node.yMax = hi;
  }

  private acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histSize);
  }

  private release(hist: Float64Array): void {
    hist.fill(0);
    this.pool.push(hist);
  }

  private reset(): void {
    this.nodes.reset();
    this.valueCount = 0;
    this.importance = new Float64Array(this.f);
  }

  private makeLeaf(id: number, stats: Float64Array): void {
    const k = this.k;
    if (this.valueCount + k > this.values.length) {
      const values = new Float64Array(Math.max(64, this.values.length * 2, this.valueCount + k));
      values.set(this.values);
      this.values = values;
    }
    const offset = this.valueCount;
    const w = stats[0];
    if (this.options.task === "classification") for (let c = 0; c < k; c++) this.values[offset + c] = stats[1 + c] / w;
    else this.values[offset] = stats[1] / w;
    this.valueCount += k;
    this.nodes.leaf(id, offset);
  }

  private finish(): TreeArrays {
    const importance = this.importance;
    let total = 0;
    for (let j = 0; j < this.f; j++) total += importance[j];
    if (total > 0) for (let j = 0; j < this.f; j++) importance[j] /= total;
    return this.nodes.finish(this.values.slice(0, this.valueCount), importance);
  }
}
