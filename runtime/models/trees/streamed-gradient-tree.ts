/**
 * One boosted tree grown over rows kept on disk (chunk-file.ts), for data over the training memory
 * budget: the same best-first growth as in memory (`GradientTreeBase`), with each histogram built by
 * reading the rows back a chunk at a time. Memory holds one chunk of bin codes and gradients, the
 * histograms of the open nodes, and the gathered rows of nodes small enough (within `gatherBytes`);
 * never a per-row array of all rows.
 *
 * A row's node is kept in the file (section `node`) and stepped down the cuts made since the last
 * pass (the partition in memory, done again per pass). One pass builds, for every node of the
 * frontier whose children will need histograms, its smaller child's: best-first growth splits those
 * nodes later in an order their gains decide, so building ahead saves passes. The frontier reaches
 * below the open nodes: once a node's smaller child's histograms are built, its children are worked
 * out ahead of its split (the larger's histograms the node's minus the smaller's, each child's cut
 * found by the same split search), and the next pass builds their children's in turn — a tree then
 * takes about a pass per level, not one per split whose children were not built. The frontier is cut
 * to the nodes a best-first growth over what is known would split before the tree is full, which
 * bounds the histograms held ahead. A target whose rows fit in what is left of `gatherBytes` has
 * them gathered in the pass instead; its descendants are then partitioned and histogrammed in memory
 * with no pass. Within a node the rows are added in row order, chunk after chunk or from the
 * gathered rows — the order of the in-memory node's rows — so each histogram holds the same doubles,
 * the same cuts are found, and the tree is the in-memory one.
 */
import type { BinnedMatrix } from "./binning.js";
import type { ChunkFile } from "./chunk-file.js";
import { boostingKernels, buildHistograms, histogramLayout, subtractHistograms, type HistogramData } from "./gradient-histograms.js";
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

/**
 * What is built ahead of a node's split: its smaller child's histograms and, once the pass that
 * built them ends, its two children as its split will make them (left, right) with the larger's
 * histograms — unless its rows are gathered, when its descendants need no pass.
 */
interface Ahead {
  /** The node it is ahead of (its cut sends rows to `kids`). */
  of: GrowNode;
  small: Float64Array;
  large: Float64Array | null;
  kids: [AheadNode, AheadNode] | null;
}

/**
 * A child worked out ahead of its parent's split: its sums, cut and (once built) what is ahead of its
 * own split. `key` names it in the rows' nodes until the split makes it a node of the tree (id -1 till then).
 */
type AheadNode = GrowNode & { key: number; ahead: Ahead | null };

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
  /**
   * The cuts of nodes whose children are worked out ahead, by id (the tree's, then children's keys
   * from `cut.feature.length` on), to those children's keys: a row's node in the file may be such a
   * child, its walk goes on from there in the next pass.
   */
  private aheadCut = { feature: new Int32Array(0), bin: new Int32Array(0), missingLeft: new Uint8Array(0), left: new Int32Array(0), right: new Int32Array(0) };
  /** Per key: the id in the tree of the child worked out ahead once its parent is split, else -1. */
  private alias = new Int32Array(0);
  private keys = 0;
  /** The cuts made so far in the tree being grown, by node (feature -1: not split). */
  private readonly cut: Pick<BinRoute, "feature" | "bin" | "missingLeft">;
  /** Per open node id, what is built ahead of its split (the children of its children's too, further down). */
  private readonly ahead = new Map<number, Ahead>();
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
    // Room for the tree's ids and as many keys: grown when speculation goes further.
    this.aheadCut = { feature: new Int32Array(2 * nodes), bin: new Int32Array(2 * nodes), missingLeft: new Uint8Array(2 * nodes), left: new Int32Array(2 * nodes), right: new Int32Array(2 * nodes) };
    this.alias = new Int32Array(2 * nodes).fill(-1);
  }

  /** Grows output `k`'s tree on the gradients in the file; `lastRoute` then holds it by bin. */
  growTree(k: number): TreeArrays {
    this.cut.feature.fill(-1);
    this.aheadCut.feature.fill(-1);
    this.keys = this.cut.feature.length;
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
    const built = this.ahead.get(node.id);
    if (built?.kids) {
      // The children worked out ahead become the next two nodes made: what was built ahead of their splits is theirs.
      built.kids.forEach((kid, side) => {
        if (kid.ahead) this.ahead.set(this.nodes.count + side, kid.ahead);
        // Rows the file has at the child's key are at the node now, and rows reaching the node go on down the cut worked out for it.
        const id = this.nodes.count + side;
        this.alias[kid.key] = id;
        const c = this.aheadCut;
        c.feature[id] = c.feature[kid.key];
        c.bin[id] = c.bin[kid.key];
        c.missingLeft[id] = c.missingLeft[kid.key];
        c.left[id] = c.left[kid.key];
        c.right[id] = c.right[kid.key];
      });
      // The split's own subtraction makes the larger child's histograms again: the copy goes.
      this.release(built.large!);
      built.large = null;
      built.kids = null;
    }
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
      this.ahead.set(node.id, { of: node, small: hist, large: null, kids: null });
      return;
    }
    this.buildAhead(this.frontier(node, open));
  }

  /**
   * The nodes whose smaller child's histograms the next pass builds: those a best-first growth over
   * the nodes known now (open, and worked out ahead below them) splits before the tree is full,
   * whose children need histograms and have none built. `node`, split next, is the first.
   */
  private frontier(node: GrowNode, open: GrowNode[]): GrowNode[] {
    // Splits left whose children get histograms: the tree's last split gives none.
    let splits = this.options.maxLeafNodes - (this.leaves.length + open.length + 1) - 1;
    const known: GrowNode[] = [node, ...open];
    const out: GrowNode[] = [];
    while (known.length > 0 && splits-- > 0) {
      let pick = 0;
      for (let o = 1; o < known.length; o++) if (known[o].gain > known[pick].gain) pick = o;
      const next = known.splice(pick, 1)[0];
      if (this.gathered.has(next.id) || !this.childrenSplittable(next)) continue;
      const built = "ahead" in next ? (next as AheadNode).ahead : this.ahead.get(next.id);
      if (!built) out.push(next);
      else if (built.kids) known.push(...built.kids.filter((kid) => kid.feature >= 0));
    }
    return out;
  }

  /** `target`'s children as its split will make them, from the histograms of its smaller one (`small`): the larger's, and each one's cut. */
  private workOut(target: GrowNode, small: Float64Array): Ahead {
    const large = this.acquire();
    large.set(target.hist!);
    subtractHistograms(large, small);
    const smallLeft = target.leftRows <= target.rows - target.leftRows;
    const depth = target.depth + 1;
    const sums: [number, number, number][] = [
      [target.leftG, target.leftH, target.leftRows],
      [target.g - target.leftG, target.h - target.leftH, target.rows - target.leftRows],
    ];
    const kids = sums.map(([g, h, rows], side): AheadNode => {
      const kid: AheadNode = { id: -1, key: this.newKey(), start: 0, end: 0, depth, g, h, rows, hist: (side === 0) === smallLeft ? small : large, gain: 0, feature: -1, bin: 0, missingLeft: false, leftG: 0, leftH: 0, leftRows: 0, ahead: null };
      if (this.splittable(kid)) this.findSplit(kid);
      return kid;
    });
    const at = this.keyOf(target);
    const route = this.aheadCut;
    route.feature[at] = target.feature;
    route.bin[at] = target.bin;
    route.missingLeft[at] = target.missingLeft ? 1 : 0;
    route.left[at] = kids[0].key;
    route.right[at] = kids[1].key;
    return { of: target, small, large, kids: [kids[0], kids[1]] };
  }

  /** The id a node has in the rows' nodes: its key while it is worked out ahead, else its id in the tree. */
  private keyOf(node: GrowNode): number {
    return node.id < 0 ? (node as AheadNode).key : node.id;
  }

  /** A key for a child worked out ahead, the cut and alias arrays grown to hold it. */
  private newKey(): number {
    const key = this.keys++;
    if (key >= this.alias.length) {
      const size = 2 * key;
      const grow = <T extends Int32Array | Uint8Array>(a: T, fill: number): T => {
        const b = new (a.constructor as new (n: number) => T)(size);
        b.fill(fill);
        b.set(a);
        return b;
      };
      const c = this.aheadCut;
      this.aheadCut = { feature: grow(c.feature, -1), bin: grow(c.bin, 0), missingLeft: grow(c.missingLeft, 0), left: grow(c.left, 0), right: grow(c.right, 0) };
      this.alias = grow(this.alias, -1);
    }
    this.alias[key] = -1;
    this.aheadCut.feature[key] = -1;
    return key;
  }

  protected childHistogram(parent: GrowNode, _small: GrowNode, hist: Float64Array): void {
    const built = this.ahead.get(parent.id);
    if (!built) throw new Error(`node ${parent.id}: its child's histograms were not built ahead`);
    hist.set(built.small);
    this.release(built.small);
    this.ahead.delete(parent.id);
  }

  /** Gives back every histogram held ahead, down the children worked out. */
  private releaseAhead(built: Ahead | null): void {
    if (!built) return;
    this.release(built.small);
    if (built.large) this.release(built.large);
    for (const kid of built.kids ?? []) this.releaseAhead(kid.ahead);
  }

  /** One pass over the file: for each of `targets` (open nodes, or children worked out ahead, not split yet), its smaller child's histograms. */
  private buildAhead(targets: GrowNode[]): void {
    // Open targets small enough to hold have their rows gathered in the pass instead (their descendants then need no pass).
    const gather = targets.map((t) => {
      if (t.id < 0 || this.gatheredRows + t.rows > this.gatherLimit) return null;
      this.gatheredRows += t.rows;
      return newGathered(t.rows, this.f, this.constant);
    });
    const filled = new Int32Array(targets.length);
    const slotOf = new Int32Array(this.keys).fill(-1);
    const hists = targets.map((t, s) => {
      slotOf[this.keyOf(t)] = s;
      return this.acquire();
    });
    // Per target: its cut, and which child is the smaller as the in-memory growth picks it (the left one on ties).
    const tFeature = Int32Array.from(targets, (t) => t.feature);
    const tBin = Int32Array.from(targets, (t) => t.bin);
    const tMissing = Int32Array.from(targets, (t) => (t.missingLeft ? 1 : 0));
    const tMissingBin = Int32Array.from(targets, (t) => this.valueBins[t.feature]);
    const smallLeft = Int32Array.from(targets, (t) => (t.leftRows <= t.rows - t.leftRows ? 1 : 0));
    const counts = new Int32Array(targets.length + 1);
    const kernels = boostingKernels();
    // Per target for the native walk: feature, bin, missing side, missing bin, smaller side, gathered.
    const packed = new Int32Array(6 * targets.length);
    targets.forEach((_, s) => packed.set([tFeature[s], tBin[s], tMissing[s], tMissingBin[s], smallLeft[s], gather[s] ? 1 : 0], 6 * s));
    const anyGathered = gather.some((x) => x !== null);
    const { rowSlot, idx, og, oh, g, h, bins, valueBins, cut, rowNode: node, aheadCut: ahead, alias } = this;
    const { left: nodeLeft, right: nodeRight } = this.nodes;
    // The cut arrays in locals: the walk below runs for every row of every pass.
    const { feature: cutFeature, bin: cutBin, missingLeft: cutMissing } = cut;
    const { feature: aheadFeature, bin: aheadBin, missingLeft: aheadMissing, left: aheadLeft, right: aheadRight } = ahead;
    const { f, constant } = this;
    const firstKey = cutFeature.length;
    this.passes++;
    for (let c = 0; c < this.file.chunks; c++) {
      const m = this.readChunk(c, true);
      // Each row's node as the last pass left it, stepped down the cuts made since.
      if (this.fresh) node.fill(0, 0, m);
      else this.file.read(c, "node", node.subarray(0, m));
      if (kernels) {
        // The same walk and placement in the native module; rows of gathered targets copied here, in row order.
        kernels.routeRows(bins, m, valueBins, node, cutFeature, cutBin, cutMissing, nodeLeft, nodeRight, aheadFeature, aheadBin, aheadMissing, aheadLeft, aheadRight, alias, slotOf, packed, g, h, constant, rowSlot, counts, idx, og, oh);
        if (anyGathered) {
          for (let r = 0; r < m; r++) {
            if (rowSlot[r] > -2) continue;
            const s = -2 - rowSlot[r];
            const p = filled[s]++;
            const st = gather[s]!.store;
            for (let j = 0; j < f; j++) st.bins[j * st.n + p] = bins[j * m + r];
            st.g[p] = g[r];
            if (!constant) st.h[p] = h[r];
          }
        }
        this.file.write(c, "node", node.subarray(0, m));
      } else {
        counts.fill(0);
        for (let r = 0; r < m; r++) {
          // Down the tree's cuts, through children made nodes since, and the cuts worked out ahead, to the frontier.
          let id = node[r];
          for (;;) {
            if (id >= firstKey && alias[id] >= 0) {
              id = alias[id];
              continue;
            }
            const split = id < firstKey && cutFeature[id] >= 0;
            const j = split ? cutFeature[id] : aheadFeature[id];
            if (j < 0) break;
            const b = bins[j * m + r];
            const left = b === valueBins[j] ? (split ? cutMissing[id] : aheadMissing[id]) === 1 : b <= (split ? cutBin[id] : aheadBin[id]);
            id = split ? (left ? nodeLeft[id] : nodeRight[id]) : left ? aheadLeft[id] : aheadRight[id];
          }
          node[r] = id;
          const s = slotOf[id];
          rowSlot[r] = -1;
          if (s < 0) continue;
          const into = gather[s];
          if (into) {
            const p = filled[s]++;
            const st = into.store;
            for (let j = 0; j < f; j++) st.bins[j * st.n + p] = bins[j * m + r];
            st.g[p] = g[r];
            if (!constant) st.h[p] = h[r];
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
          if (!constant) oh[p] = h[r];
        }
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
        this.ahead.set(t.id, { of: t, small: hists[s], large: null, kids: null });
        return;
      }
      const built = this.workOut(t, hists[s]);
      if (t.id < 0) (t as AheadNode).ahead = built;
      else this.ahead.set(t.id, built);
    });
  }

  protected addLeaves(): void {
    this.gathered.clear();
    this.lastSides = undefined;
    this.gatheredRows = 0;
    // What was built ahead for nodes left unsplit goes back to the pool.
    for (const built of this.ahead.values()) this.releaseAhead(built);
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
