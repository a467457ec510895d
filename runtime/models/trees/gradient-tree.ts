/**
 * Grows one tree of gradient boosting on binned data, as scikit-learn's HistGradientBoosting does:
 *
 *   gradients g, hessians h per row ─▶ per node: histogram of (bin → Σg, Σh, rows) for every
 *   feature ─▶ best cut "bin <= t" by the Newton gain G²/(H+λ) of the two sides minus the node's,
 *   missing rows (the NaN bin) sent to whichever side gains more ─▶ stable partition of the row
 *   index buffer ─▶ children, split best-first (largest gain next) until `maxLeafNodes` leaves.
 *
 * Only the smaller child's histograms are built (its gradients gathered into node order first, so
 * the inner loop reads them sequentially); the larger child's are the parent's minus those, in
 * place. A leaf's value is −learning_rate·G/(H+λ); it is added to the raw score of the training
 * rows in the leaf straight from the partition, without walking the tree.
 *
 * The cut thresholds, the tree arrays and the missing-value rule (a feature with no missing
 * training rows in the node sends them to the side with more rows) are the CART builder's
 * (tree-builder.ts), so boosted trees score with the same walk as forests.
 */
import type { BinnedMatrix } from "./binning.js";
import type { NativeBoostingModule } from "../native-engine.js";
import { boostingKernels, STRIDE, subtractHistograms, type HistogramData } from "./gradient-histograms.js";
import type { HistogramThreads } from "./histogram-threads.js";
import { midGap, type TreeArrays } from "./tree-builder.js";
import { NodeBuffer } from "./node-buffer.js";

/** The resolved settings a boosted tree is grown with. */
export interface GradientTreeOptions {
  /** Most leaves per tree. */
  maxLeafNodes: number;
  /** Deepest a leaf may be; 0 means unlimited. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (λ). */
  l2: number;
  learningRate: number;
}

/** Fewest hessian sum on each side of a cut (scikit-learn's min_hessian_to_split). */
const MIN_HESSIAN = 1e-3;

/** A node of the tree being grown, with its best cut once found. */
export interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  rows: number;
  hist: Float64Array | null;
  /** The best cut found (gain > 0), or feature -1. */
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  leftG: number;
  leftH: number;
  leftRows: number;
}

/**
 * The growing of one boosted tree, whatever holds the rows: best-first splits, split search,
 * leaves. Where the rows are — their root sums and histograms, the partition, the leaves' raw
 * scores — is the subclass's: `GradientTreeGrower` over arrays in memory, `StreamedTreeGrower`
 * (streamed-gradient-tree.ts) over rows read back a chunk at a time.
 */
export abstract class GradientTreeBase {
  protected readonly f: number;
  /** Per feature: value bins (its missing bin has this index) and where its histogram starts. */
  protected readonly valueBins: Int32Array;
  protected readonly histOffset: Int32Array;
  private readonly pool: Float64Array[] = [];
  private readonly low: Float32Array[];
  private readonly high: Float32Array[];
  /** The native partition, gather and split search (the same buffers and doubles as the code below). */
  protected readonly kernels: NativeBoostingModule | null = boostingKernels();
  /** The native split search's node and result buffers. */
  private readonly splitIn = new Float64Array(8);
  private readonly splitOut = new Float64Array(7);

  // The tree being grown.
  protected gOffset = 0;
  protected constantHessian = false;
  protected readonly nodes = new NodeBuffer();
  protected values: number[] = [];
  private importance = new Float64Array(0);
  protected leaves: GrowNode[] = [];

  constructor(
    binned: Pick<BinnedMatrix, "features" | "edges" | "low" | "high">,
    protected readonly options: GradientTreeOptions,
    histOffset: Int32Array,
    private readonly allocate: (size: number) => Float64Array,
  ) {
    this.f = binned.features;
    this.valueBins = Int32Array.from(binned.edges, (e) => e.length + 1);
    this.histOffset = histOffset;
    this.low = binned.low;
    this.high = binned.high;
  }

  /** The gradient and hessian sums of every row (output `gOffset`'s). */
  protected abstract rootSums(): [g: number, h: number];
  /** Every feature's histograms over all rows into zeroed `hist`. */
  protected abstract rootHistogram(hist: Float64Array): void;
  /** Sends a node's rows to its children by its cut; returns where the right child's rows start. */
  protected abstract partition(node: GrowNode): number;
  /** The histograms of `small`, a child of `parent` (already split), into zeroed `hist`. */
  protected abstract childHistogram(parent: GrowNode, small: GrowNode, hist: Float64Array): void;
  /** Adds each leaf's value to the raw score of its training rows. */
  protected abstract addLeaves(raw: Float64Array): void;
  /** Called with the node about to be split and the nodes still open: a chance to build histograms ahead. */
  protected beforeSplit(_node: GrowNode, _open: GrowNode[]): void {}

  /**
   * Grows a tree on the gradients and hessians of output `k` (hessians ignored when
   * `constantHessian`: every one is 1) and adds each leaf's value to `raw[i]` of the rows it holds.
   */
  grow(k: number, constantHessian: boolean, raw: Float64Array, n: number): TreeArrays {
    const { options } = this;
    this.gOffset = k * n;
    this.constantHessian = constantHessian;
    this.nodes.reset();
    this.values = [];
    this.leaves = [];
    this.importance = new Float64Array(this.f);
    const [sumG, sumH] = this.rootSums();

    const root = this.node(0, n, 0, sumG, sumH, n);
    const open: GrowNode[] = [];
    if (this.splittable(root)) {
      root.hist = this.acquire();
      this.rootHistogram(root.hist);
      this.findSplit(root);
    }
    if (root.feature >= 0) open.push(root);
    else this.makeLeaf(root);
    let leafCount = 1;
    while (open.length > 0) {
      // Best first: the largest gain, the earliest node on ties.
      let pick = 0;
      for (let o = 1; o < open.length; o++) if (open[o].gain > open[pick].gain) pick = o;
      const node = open[pick];
      open.splice(pick, 1);
      // The last split gives its children no histograms: they become leaves.
      if (leafCount + 1 < options.maxLeafNodes) this.beforeSplit(node, open);
      const [a, b] = this.split(node);
      leafCount++;
      if (leafCount >= options.maxLeafNodes) {
        this.release(node.hist!);
        for (const rest of [...open, a, b]) this.makeLeaf(rest);
        open.length = 0;
        break;
      }
      const children = [a, b].filter((c) => this.splittable(c));
      if (children.length > 0) this.childHistograms(node, a, b);
      else this.release(node.hist!);
      for (const c of [a, b]) {
        if (c.hist) this.findSplit(c);
        if (c.feature >= 0) open.push(c);
        else this.makeLeaf(c);
      }
    }
    this.addLeaves(raw);
    return this.finish();
  }

  private node(start: number, end: number, depth: number, g: number, h: number, rows: number): GrowNode {
    return { id: this.nodes.add(), start, end, depth, g, h, rows, hist: null, gain: 0, feature: -1, bin: 0, missingLeft: false, leftG: 0, leftH: 0, leftRows: 0 };
  }

  /** Whether a node may be split at all: under the depth limit, room for two leaves. */
  protected splittable(node: Pick<GrowNode, "depth" | "rows" | "h">): boolean {
    const { maxDepth, minSamplesLeaf } = this.options;
    return !(maxDepth > 0 && node.depth >= maxDepth) && node.rows >= 2 * minSamplesLeaf && node.h >= 2 * MIN_HESSIAN;
  }

  /** Whether splitting `node` by its cut gives a child that may split again (then the children get histograms). */
  protected childrenSplittable(node: GrowNode): boolean {
    const depth = node.depth + 1;
    return this.splittable({ depth, rows: node.leftRows, h: node.leftH }) || this.splittable({ depth, rows: node.rows - node.leftRows, h: node.h - node.leftH });
  }

  /** Splits a node by its best cut into two children (no histograms yet). */
  private split(node: GrowNode): [GrowNode, GrowNode] {
    const { feature, bin, missingLeft } = node;
    const mid = this.partition(node);
    const a = this.node(node.start, mid, node.depth + 1, node.leftG, node.leftH, node.leftRows);
    const b = this.node(mid, node.end, node.depth + 1, node.g - node.leftG, node.h - node.leftH, node.rows - node.leftRows);
    const next = this.nextBin(node.hist!, feature, bin);
    const id = node.id;
    this.nodes.split(id, feature, next < 0 ? Infinity : midGap(this.high[feature][bin], this.low[feature][next]), a.id, b.id, missingLeft);
    this.importance[feature] += node.gain;
    return [a, b];
  }

  /** The node's first non-empty value bin after `bin`, or -1 when only missing rows lie beyond. */
  private nextBin(hist: Float64Array, feature: number, bin: number): number {
    const base = this.histOffset[feature];
    for (let b = bin + 1; b < this.valueBins[feature]; b++) if (hist[base + b * STRIDE + 2] > 0) return b;
    return -1;
  }

  /** Histograms for both children: build the smaller one's, the larger's is the parent's minus it. */
  private childHistograms(parent: GrowNode, a: GrowNode, b: GrowNode): void {
    const [small, large] = a.rows <= b.rows ? [a, b] : [b, a];
    const hist = this.acquire();
    this.childHistogram(parent, small, hist);
    subtractHistograms(parent.hist!, hist);
    small.hist = hist;
    large.hist = parent.hist;
    for (const c of [a, b]) {
      if (!this.splittable(c)) {
        this.release(c.hist!);
        c.hist = null;
      }
    }
  }

  /** The best cut of a node over every feature, into its split fields (feature -1 when none gains). */
  protected findSplit(node: GrowNode): void {
    const hist = node.hist!;
    const l2 = this.options.l2;
    node.feature = -1;
    node.gain = 0;
    const parentScore = (node.g * node.g) / (node.h + l2);
    if (this.kernels) return this.nativeSplit(node, hist, parentScore);
    for (let j = 0; j < this.f; j++) {
      const base = this.histOffset[j];
      const missingRows = hist[base + this.valueBins[j] * STRIDE + 2];
      this.scan(node, hist, j, false, parentScore);
      if (missingRows > 0) this.scan(node, hist, j, true, parentScore);
    }
  }
  /** findSplit in the native module: the same sweeps and arithmetic, so the same cut. */
  private nativeSplit(node: GrowNode, hist: Float64Array, parentScore: number): void {
    const { splitIn: io, splitOut: out } = this;
    io[0] = node.g;
    io[1] = node.h;
    io[2] = node.rows;
    io[3] = this.options.l2;
    io[4] = this.options.minSamplesLeaf;
    io[5] = this.constantHessian ? 1 : 0;
    io[6] = parentScore;
    io[7] = MIN_HESSIAN;
    this.kernels!.findSplit(hist, this.histOffset, this.valueBins, io, out);
    if (out[1] < 0) return;
    node.gain = out[0];
    node.feature = out[1];
    node.bin = out[2];
    node.missingLeft = out[3] === 1;
    node.leftG = out[4];
    node.leftH = out[5];
    node.leftRows = out[6];
  }

  /**
   * Sweeps the cuts "bin <= b" of one feature left to right, missing rows on the left when
   * `missingLeft` (else on the right), keeping the cut that gains most over the node.
   */
  private scan(node: GrowNode, hist: Float64Array, feature: number, missingLeft: boolean, parentScore: number): void {
    const { l2, minSamplesLeaf } = this.options;
    const constant = this.constantHessian;
    const base = this.histOffset[feature];
    const valueBins = this.valueBins[feature];
    const missing = base + valueBins * STRIDE;
    const { g: G, h: H, rows: N } = node;
    let gl = 0;
    let hl = 0;
    let nl = 0;
    if (missingLeft) {
      gl = hist[missing];
      nl = hist[missing + 2];
      hl = constant ? nl : hist[missing + 1];
    }
    const noneMissing = hist[missing + 2] === 0;
    for (let b = 0; b < valueBins; b++) {
      const k = base + b * STRIDE;
      const rows = hist[k + 2];
      if (rows === 0) continue;
      gl += hist[k];
      hl += constant ? rows : hist[k + 1];
      nl += rows;
      const nr = N - nl;
      if (nr < minSamplesLeaf) break;
      if (nl < minSamplesLeaf) continue;
      const hr = H - hl;
      if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
      const gr = G - gl;
      const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
      if (gain > node.gain) {
        node.gain = gain;
        node.feature = feature;
        node.bin = b;
        // With no missing rows here, missing values met later follow the side with more rows.
        node.missingLeft = missingLeft || (noneMissing && nl >= nr);
        node.leftG = gl;
        node.leftH = hl;
        node.leftRows = nl;
      }
    }
  }

  private makeLeaf(node: GrowNode): void {
    if (node.hist) this.release(node.hist);
    node.hist = null;
    const { l2, learningRate } = this.options;
    const id = node.id;
    this.nodes.leaf(id, this.values.length);
    this.values.push((-learningRate * node.g) / (node.h + l2 + Number.EPSILON));
    this.leaves.push(node);
  }

  protected acquire(): Float64Array {
    return this.pool.pop() ?? this.allocate(this.histOffset[this.f]);
  }

  protected release(hist: Float64Array): void {
    hist.fill(0);
    this.pool.push(hist);
  }

  private finish(): TreeArrays {
    return this.nodes.finish(Float64Array.from(this.values), this.importance);
  }
}

/** Reusable buffers for growing every tree of a boosted model over the same binned rows in memory. */
export class GradientTreeGrower extends GradientTreeBase {
  private readonly n: number;
  private readonly bins: Uint8Array;
  private readonly idx: Int32Array;
  private readonly scratch: Int32Array;
  /** Per bin of the feature being split on: 1 when its rows go left. */
  private readonly goesLeft = new Uint8Array(256);
  /** The native root sums' result. */
  private readonly sums = new Float64Array(2);

  constructor(
    binned: BinnedMatrix,
    options: GradientTreeOptions,
    private readonly data: HistogramData,
    private readonly threads: HistogramThreads,
  ) {
    super(binned, options, data.histOffset, (size) => threads.allocate(size));
    this.n = data.n;
    this.bins = data.bins;
    this.idx = data.idx;
    this.scratch = new Int32Array(this.n);
  }

  /** Grows a tree on output `k` over the rows in memory (see `GradientTreeBase.grow`). */
  growTree(k: number, constantHessian: boolean, raw: Float64Array): TreeArrays {
    return this.grow(k, constantHessian, raw, this.n);
  }

  protected rootSums(): [number, number] {
    const { n, idx, gOffset } = this;
    const { g, h } = this.data;
    if (this.kernels) {
      this.kernels.rootSums(idx, g, h, gOffset, n, this.constantHessian, this.sums);
      return [this.sums[0], this.sums[1]];
    }
    for (let i = 0; i < n; i++) idx[i] = i;
    let sumG = 0;
    let sumH = 0;
    for (let i = gOffset; i < gOffset + n; i++) sumG += g[i];
    if (this.constantHessian) sumH = n;
    else for (let i = gOffset; i < gOffset + n; i++) sumH += h[i];
    return [sumG, sumH];
  }

  protected rootHistogram(hist: Float64Array): void {
    this.threads.build(hist, { start: 0, end: this.n, root: true, gOffset: this.gOffset, constantHessian: this.constantHessian });
  }

  protected childHistogram(_parent: GrowNode, small: GrowNode, hist: Float64Array): void {
    this.gather(small.start, small.end);
    this.threads.build(hist, { start: small.start, end: small.end, root: false, gOffset: this.gOffset, constantHessian: this.constantHessian });
  }

  /** Gathers the gradients (and hessians) of rows idx[start, end) into node order, so the pass reads them sequentially. */
  private gather(start: number, end: number): void {
    const { idx, gOffset } = this;
    const { g, h, og, oh } = this.data;
    if (this.kernels) return this.kernels.gather(idx, g, h, og, oh, start, end, gOffset, this.constantHessian, this.threads.native);
    for (let p = start; p < end; p++) og[p] = g[gOffset + idx[p]];
    if (!this.constantHessian) for (let p = start; p < end; p++) oh[p] = h[gOffset + idx[p]];
  }

  /**
   * Stable partition of the node's rows idx[start, end) by its cut; returns where the right side
   * starts. Each row is written to both sides and only the side it belongs to advances: no branch
   * to mispredict.
   */
  protected partition(node: GrowNode): number {
    const { start, end, feature, bin, missingLeft } = node;
    const { idx, scratch, bins, goesLeft } = this;
    const offset = feature * this.n;
    const missing = this.valueBins[feature];
    for (let b = 0; b <= missing; b++) goesLeft[b] = b === missing ? (missingLeft ? 1 : 0) : b <= bin ? 1 : 0;
    if (this.kernels) return this.kernels.partition(bins, this.n, feature, idx, scratch, start, end, goesLeft, this.threads.native);
    let l = start;
    let r = 0;
    for (let p = start; p < end; p++) {
      const i = idx[p];
      const left = goesLeft[bins[offset + i]];
      idx[l] = i;
      scratch[r] = i;
      l += left;
      r += 1 - left;
    }
    idx.set(scratch.subarray(0, r), l);
    return l;
  }

  protected addLeaves(raw: Float64Array): void {
    const idx = this.idx;
    if (this.kernels) {
      const bounds = new Int32Array(2 * this.leaves.length);
      const values = new Float64Array(this.leaves.length);
      this.leaves.forEach((leaf, l) => {
        bounds[2 * l] = leaf.start;
        bounds[2 * l + 1] = leaf.end;
        values[l] = this.values[this.nodes.right[leaf.id]];
      });
      return this.kernels.addLeaves(idx, raw, bounds, values, this.threads.native);
    }
    for (const leaf of this.leaves) {
      const v = this.values[this.nodes.right[leaf.id]];
      for (let p = leaf.start; p < leaf.end; p++) raw[idx[p]] += v;
    }
  }
}
