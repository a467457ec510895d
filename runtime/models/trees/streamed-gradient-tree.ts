/**
 * One boosted tree grown over rows kept on disk (chunk-file.ts), for data over the training memory
 * budget: the same best-first growth as in memory (`GradientTreeBase`), with each histogram built by
 * reading the rows back a chunk at a time. Memory holds one chunk of bin codes and gradients, the
 * histograms of the open nodes, and the gathered rows of nodes small enough (within `gatherBytes`);
 * never a per-row array of all rows.
 *
 * A row's node is kept in the file (section `node`) and stepped down the cuts made since the last
 * pass (the partition in memory, done again per pass). One pass builds, for every open node whose
 * children will need histograms, its smaller child's: best-first growth splits those nodes later in
 * an order their gains decide, so building ahead saves passes. A target whose rows fit in what is
 * left of `gatherBytes` has them gathered in the pass instead; its descendants are then partitioned
 * and histogrammed in memory with no pass. Within a node the rows are added in row order, chunk
 * after chunk or from the gathered rows — the order of the in-memory node's rows — so each
 * histogram holds the same doubles, and the tree is the in-memory one.
 */
import type { BinnedMatrix } from "./binning.js";
import type { ChunkFile } from "./chunk-file.js";
import { buildHistograms, histogramLayout, type HistogramData } from "./gradient-histograms.js";
import { GradientTreeBase, type GradientTreeOptions, type GrowNode } from "./gradient-tree.js";
import type { TreeArrays } from "./tree-builder.js";

/** A tree's cuts by bin, to send rows to its leaves from their codes; `value` is each leaf's. */
export interface BinRoute {
  /** Per node: the cut's feature, or -1 at a leaf. */
  feature: Int32Array;
  bin: Int32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Rows held in memory, in row order: codes feature-major (feature j's at j·n), gradients, hessians. */
interface RowStore {
  n: number;
  bins: Uint8Array;
  g: Float32Array;
  h: Float32Array;
}

/** A node's gathered rows: positions in a store, ascending (row order). */
interface GatheredRows {
  store: RowStore;
  idx: Int32Array;
}

/** Room for `n` gathered rows of `f` features, all of them the node's. */
function newGathered(n: number, f: number, constant: boolean): GatheredRows {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return { store: { n, bins: new Uint8Array(n * f), g: new Float32Array(n), h: new Float32Array(constant ? 0 : n) }, idx };
}

/**
 * The node row `r` of a chunk of `m` rows reaches from node `from` (the root), its codes
 * feature-major in `bins` (feature j's at j·m): rows of a cut's bin ≤ `bin` go left, its missing bin
 * (`valueBins[j]`) by `missingLeft`.
 */
export function routeRow(route: Pick<BinRoute, "feature" | "bin" | "missingLeft" | "left" | "right">, valueBins: Int32Array, bins: Uint8Array, m: number, r: number, from = 0): number {
  let id = from;
  for (let j = route.feature[id]; j >= 0; j = route.feature[id]) {
    const b = bins[j * m + r];
    const left = b === valueBins[j] ? route.missingLeft[id] === 1 : b <= route.bin[id];
    id = left ? route.left[id] : route.right[id];
  }
  return id;
}

/** Grows every tree of a boosted model over the rows of one chunk file (sections `bins`, `g`, `h`, and `node`: each row's node in the tree being grown). */
export class StreamedTreeGrower extends GradientTreeBase {
  /** Histogram passes over the file so far (a test and the bench read it). */
  passes = 0;
  /** The last tree grown, by bin: the raw scores' update applies it. */
  lastRoute: BinRoute | undefined;
  /** The cuts made so far in the tree being grown, by node (feature -1: not split). */
  private readonly cut: Pick<BinRoute, "feature" | "bin" | "missingLeft">;
  /** Per open node id, its smaller child's histograms built ahead of its split. */
  private readonly ahead = new Map<number, Float64Array>();
  private rootHist: Float64Array | null = null;
  /** No pass of this tree has written the rows' nodes yet: every row is at the root. */
  private fresh = true;
  private readonly rowNode: Int32Array;
  private readonly bins: Uint8Array;
  private readonly g: Float32Array;
  private readonly h: Float32Array;
  private readonly idx: Int32Array;
  private readonly identity: Int32Array;
  private readonly og: Float32Array;
  private readonly oh: Float32Array;
  private readonly rowSlot: Int32Array;
  /** The native pass checks a root-counts array even for nodes: zeros, never read. */
  private readonly noCounts: Float64Array;
  /** Rows of nodes small enough to hold, by node: their children's histograms need no pass. */
  private readonly gathered = new Map<number, GatheredRows>();
  private gatheredRows = 0;
  /** The most rows held gathered at once. */
  private readonly gatherLimit: number;
  /** The sides of the gathered node whose children's histograms were built last: its partition reuses them. */
  private lastSides: { node: number; sides: Uint8Array } | undefined;

  constructor(
    binned: Pick<BinnedMatrix, "features" | "edges" | "low" | "high">,
    options: GradientTreeOptions,
    private readonly file: ChunkFile,
    private readonly constant: boolean,
    /** Memory for nodes' gathered rows (codes, gradient, hessian: features + 8 bytes a row). */
    gatherBytes = 0,
  ) {
    const layout = histogramLayout(binned.edges);
    super(binned, options, layout, (size) => new Float64Array(size));
    this.gatherLimit = Math.floor(gatherBytes / (binned.features + 8));
    const rows = file.rowsPerChunk;
    this.bins = new Uint8Array(rows * this.f);
    this.g = new Float32Array(rows);
    this.h = new Float32Array(constant ? 0 : rows);
    this.idx = new Int32Array(rows);
    this.identity = Int32Array.from({ length: rows }, (_, i) => i);
    this.og = new Float32Array(rows);
    this.oh = new Float32Array(constant ? 0 : rows);
    this.rowSlot = new Int32Array(rows);
    this.rowNode = new Int32Array(rows);
    this.noCounts = new Float64Array(layout[this.f]);
    const nodes = 2 * options.maxLeafNodes;
    this.cut = { feature: new Int32Array(nodes), bin: new Int32Array(nodes), missingLeft: new Uint8Array(nodes) };
  }

  /** Grows output `k`'s tree on the gradients in the file; `lastRoute` then holds it by bin. */
  growTree(k: number): TreeArrays {
    this.cut.feature.fill(-1);
    this.fresh = true;
    return this.grow(k, this.constant, new Float64Array(0), this.file.n);
  }

  /** Reads chunk c's codes and output `gOffset`'s gradients (and hessians) into the chunk buffers; returns its rows. */
  private readChunk(c: number, codes: boolean): number {
    const m = this.file.rows(c);
    const output = this.gOffset / this.file.n;
    if (codes) this.file.read(c, "bins", this.bins.subarray(0, m * this.f));
    this.file.read(c, "g", this.g.subarray(0, m), output * m * 4);
    if (!this.constant) this.file.read(c, "h", this.h.subarray(0, m), output * m * 4);
    return m;
  }

  private chunkData(m: number, idx: Int32Array, og: Float32Array, oh: Float32Array): HistogramData {
    return { n: m, features: this.f, bins: this.bins.subarray(0, m * this.f), histOffset: this.histOffset, idx, g: this.g, h: this.h, og, oh, rootCounts: this.noCounts };
  }

  protected rootSums(): [number, number] {
    if (this.rootHist) this.release(this.rootHist);
    const hist = this.acquire();
    let sumG = 0;
    let sumH = 0;
    const n = this.file.n;
    // Few enough rows to hold: gathered in this pass, the tree then grows with no other.
    const root = n <= this.gatherLimit ? newGathered(n, this.f, this.constant) : undefined;
    this.passes++;
    for (let c = 0; c < this.file.chunks; c++) {
      const m = this.readChunk(c, true);
      const { g, h } = this;
      for (let i = 0; i < m; i++) sumG += g[i];
      if (!this.constant) for (let i = 0; i < m; i++) sumH += h[i];
      // Every row in order: the gradients are already in node order.
      buildHistograms(this.chunkData(m, this.identity, g, h), hist, 0, this.f, { start: 0, end: m, root: false, gOffset: 0, constantHessian: this.constant });
      if (root) {
        const at = c * this.file.rowsPerChunk;
        for (let j = 0; j < this.f; j++) root.store.bins.set(this.bins.subarray(j * m, (j + 1) * m), j * n + at);
        root.store.g.set(g.subarray(0, m), at);
        if (!this.constant) root.store.h.set(h.subarray(0, m), at);
      }
    }
    if (root) {
      this.gathered.set(0, root);
      this.gatheredRows = n;
    }
    this.rootHist = hist;
    return [sumG, this.constant ? n : sumH];
  }

  protected rootHistogram(hist: Float64Array): void {
    hist.set(this.rootHist!);
    this.release(this.rootHist!);
    this.rootHist = null;
  }

  protected partition(node: GrowNode): number {
    this.cut.feature[node.id] = node.feature;
    this.cut.bin[node.id] = node.bin;
    this.cut.missingLeft[node.id] = node.missingLeft ? 1 : 0;
    const rows = this.gathered.get(node.id);
    if (rows) {
      // The children are the next two nodes made (GradientTreeBase.split): their rows, in order.
      const sides = this.sides(node, rows);
      const [left, right] = [0, 1].map((side) => this.take(rows, sides, side));
      this.gathered.delete(node.id);
      this.gathered.set(this.nodes.count, left);
      this.gathered.set(this.nodes.count + 1, right);
    }
    // Rows are found by their cuts, not by positions.
    return node.start;
  }

  /** Per gathered row of `node`: 0 when its cut sends it left, 1 right (kept for the node's partition, which follows its histograms). */
  private sides(node: GrowNode, rows: GatheredRows): Uint8Array {
    if (this.lastSides?.node === node.id) return this.lastSides.sides;
    const { store, idx } = rows;
    const out = new Uint8Array(idx.length);
    const offset = node.feature * store.n;
    const missing = this.valueBins[node.feature];
    const missingSide = node.missingLeft ? 0 : 1;
    for (let p = 0; p < idx.length; p++) {
      const b = store.bins[offset + idx[p]];
      out[p] = b === missing ? missingSide : b <= node.bin ? 0 : 1;
    }
    this.lastSides = { node: node.id, sides: out };
    return out;
  }

  /** The gathered rows on side `side`, in order. */
  private take(rows: GatheredRows, sides: Uint8Array, side: number): GatheredRows {
    const all = new Int32Array(sides.length);
    let n = 0;
    for (let p = 0; p < sides.length; p++) if (sides[p] === side) all[n++] = rows.idx[p];
    return { store: rows.store, idx: all.subarray(0, n) };
  }

  /** The histograms of the smaller child of gathered `node` into zeroed `hist`, from its rows: no pass. */
  private fromGathered(node: GrowNode, rows: GatheredRows, hist: Float64Array): void {
    const sides = this.sides(node, rows);
    const small = node.leftRows <= node.rows - node.leftRows ? 0 : 1;
    const { store } = rows;
    const idx = new Int32Array(sides.length);
    const og = new Float32Array(sides.length);
    const oh = new Float32Array(this.constant ? 0 : sides.length);
    let n = 0;
    for (let p = 0; p < sides.length; p++) {
      if (sides[p] !== small) continue;
      const i = rows.idx[p];
      idx[n] = i;
      og[n] = store.g[i];
      if (!this.constant) oh[n] = store.h[i];
      n++;
    }
    const data: HistogramData = { n: store.n, features: this.f, bins: store.bins, histOffset: this.histOffset, idx, g: store.g, h: store.h, og, oh, rootCounts: this.noCounts };
    if (n > 0) buildHistograms(data, hist, 0, this.f, { start: 0, end: n, root: false, gOffset: 0, constantHessian: this.constant });
  }

  protected override beforeSplit(node: GrowNode, open: GrowNode[]): void {
    if (this.ahead.has(node.id) || !this.childrenSplittable(node)) return;
    const rows = this.gathered.get(node.id);
    if (rows) {
      const hist = this.acquire();
      this.fromGathered(node, rows, hist);
      this.ahead.set(node.id, hist);
      return;
    }
    this.buildAhead([node, ...open.filter((o) => !this.ahead.has(o.id) && !this.gathered.has(o.id) && this.childrenSplittable(o))]);
  }

  protected childHistogram(parent: GrowNode, _small: GrowNode, hist: Float64Array): void {
    const built = this.ahead.get(parent.id);
    if (!built) throw new Error(`node ${parent.id}: its child's histograms were not built ahead`);
    hist.set(built);
    this.release(built);
    this.ahead.delete(parent.id);
  }

  /** One pass over the file: for each of `targets` (open nodes, not split yet), its smaller child's histograms. */
  private buildAhead(targets: GrowNode[]): void {
    // Targets small enough to hold have their rows gathered in the pass instead (their descendants then need no pass).
    const gather = targets.map((t) => {
      if (this.gatheredRows + t.rows > this.gatherLimit) return null;
      this.gatheredRows += t.rows;
      return newGathered(t.rows, this.f, this.constant);
    });
    const filled = new Int32Array(targets.length);
    const slotOf = new Int32Array(this.nodes.count).fill(-1);
    const hists = targets.map((t, s) => {
      slotOf[t.id] = s;
      return this.acquire();
    });
    // Per target: its cut, and which child is the smaller as the in-memory growth picks it (the left one on ties).
    const tFeature = Int32Array.from(targets, (t) => t.feature);
    const tBin = Int32Array.from(targets, (t) => t.bin);
    const tMissing = Int32Array.from(targets, (t) => (t.missingLeft ? 1 : 0));
    const tMissingBin = Int32Array.from(targets, (t) => this.valueBins[t.feature]);
    const smallLeft = Int32Array.from(targets, (t) => (t.leftRows <= t.rows - t.leftRows ? 1 : 0));
    const counts = new Int32Array(targets.length + 1);
    const { rowSlot, idx, og, oh, g, h, bins, valueBins, cut, rowNode: node } = this;
    const nodes = { ...cut, left: this.nodes.left, right: this.nodes.right };
    this.passes++;
    for (let c = 0; c < this.file.chunks; c++) {
      const m = this.readChunk(c, true);
      // Each row's node as the last pass left it, stepped down the cuts made since.
      if (this.fresh) node.fill(0, 0, m);
      else this.file.read(c, "node", node.subarray(0, m));
      counts.fill(0);
      for (let r = 0; r < m; r++) {
        let id = node[r];
        if (cut.feature[id] >= 0) node[r] = id = routeRow(nodes, valueBins, bins, m, r, id);
        const s = slotOf[id];
        rowSlot[r] = -1;
        if (s < 0) continue;
        const into = gather[s];
        if (into) {
          const p = filled[s]++;
          const st = into.store;
          for (let j = 0; j < this.f; j++) st.bins[j * st.n + p] = bins[j * m + r];
          st.g[p] = g[r];
          if (!this.constant) st.h[p] = h[r];
          continue;
        }
        const b = bins[tFeature[s] * m + r];
        const left = b === tMissingBin[s] ? tMissing[s] : b <= tBin[s] ? 1 : 0;
        if (left !== smallLeft[s]) continue;
        rowSlot[r] = s;
        counts[s + 1]++;
      }
      this.file.write(c, "node", node.subarray(0, m));
      for (let s = 0; s < targets.length; s++) counts[s + 1] += counts[s];
      const at = counts.slice(0, targets.length);
      // Each child's rows in row order, their gradients gathered alongside.
      for (let r = 0; r < m; r++) {
        const s = rowSlot[r];
        if (s < 0) continue;
        const p = at[s]++;
        idx[p] = r;
        og[p] = g[r];
        if (!this.constant) oh[p] = h[r];
      }
      const data = this.chunkData(m, idx, og, oh);
      for (let s = 0; s < targets.length; s++) {
        if (counts[s + 1] > counts[s]) buildHistograms(data, hists[s], 0, this.f, { start: counts[s], end: counts[s + 1], root: false, gOffset: 0, constantHessian: this.constant });
      }
    }
    this.fresh = false;
    targets.forEach((t, s) => {
      const rows = gather[s];
      if (rows) {
        if (filled[s] !== rows.store.n) throw new Error(`node ${t.id}: gathered ${filled[s]} rows, expected ${rows.store.n}`);
        this.gathered.set(t.id, rows);
        this.fromGathered(t, rows, hists[s]);
      }
      this.ahead.set(t.id, hists[s]);
    });
  }

  protected addLeaves(): void {
    this.gathered.clear();
    this.lastSides = undefined;
    this.gatheredRows = 0;
    // What was built ahead for nodes left unsplit goes back to the pool.
    for (const hist of this.ahead.values()) this.release(hist);
    this.ahead.clear();
    const count = this.nodes.count;
    const value = new Float64Array(count);
    for (const leaf of this.leaves) value[leaf.id] = this.values[this.nodes.right[leaf.id]];
    this.lastRoute = {
      feature: this.cut.feature.slice(0, count),
      bin: this.cut.bin.slice(0, count),
      missingLeft: this.cut.missingLeft.slice(0, count),
      left: this.nodes.left.slice(0, count),
      right: this.nodes.right.slice(0, count),
      value,
    };
  }
}
