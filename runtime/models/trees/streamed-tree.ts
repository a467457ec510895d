/**
 * CART trees (decision_tree, random_forest) grown over rows kept on disk (chunk-file.ts), for data
 * over the training memory budget: level by level, each level one pass over the chunk file that
 * adds every row to its node's all-feature histogram, then each node's cut chosen by the in-memory
 * builder's own rules and split search (`TreeGrower.bestCut`). Memory holds one chunk (cells,
 * targets, each row's node) and the histograms of one batch of a level's nodes (as many as the
 * pass's memory holds; a wide level takes several passes) — or, for a node whose rows take less
 * than its histograms, its rows, gathered to grow its subtree in memory; never a per-row array of
 * all rows.
 *
 * Reproducible, not the in-memory tree: each node draws its features from a generator seeded by
 * its place in the tree (the in-memory builder draws from one generator in depth-first order,
 * which a level-by-level growth cannot follow), and a forest's bootstrap gives each row a
 * Poisson(1) weight from a hash of the tree's seed and the row's index (the in-memory one draws n
 * rows with replacement, which needs a count per row in memory). The same seed gives the same
 * trees on every run.
 */
import type { BinArray, BinnedMatrix } from "./binning.js";
import type { ChunkFile } from "./chunk-file.js";
import { NodeBuffer } from "./node-buffer.js";
import { deriveSeed, Rng } from "./prng.js";
import { midGap, TreeGrower, type TreeArrays } from "./tree-builder.js";
import type { TreeOptions } from "./tree-options.js";

/** A Poisson(1) draw for row `i` of the tree seeded `seed`: the bootstrap weight of a row, no state kept. */
export function poissonWeight(seed: number, i: number): number {
  const u = deriveSeed(seed, i) / 4294967296;
  let k = 0;
  let p = Math.exp(-1);
  let cdf = p;
  while (u >= cdf && k < 30) {
    k++;
    p /= k;
    cdf += p;
  }
  return k;
}

interface LevelNode {
  id: number;
  depth: number;
  seed: number;
  /** The node's weight: its rows when unweighted, at least its distinct rows under the bootstrap. */
  weight: number;
}

/** A node's rows gathered into memory: their cells row-major, targets and weights, in row order. */
interface GatheredRows {
  n: number;
  cells: BinArray;
  y: Float32Array;
  w: Uint8Array;
}

/** Grows trees over the rows of one chunk file (sections `bins`, `y`, `node`). */
export class StreamedCartGrower {
  /** Passes over the file so far (a test and the bench read it). */
  passes = 0;
  private readonly chooser: TreeGrower;
  private readonly f: number;
  private readonly k: number;
  private readonly bytes: 1 | 2;
  private readonly cells: BinArray;
  private readonly y: Float32Array;
  private readonly node: Int32Array;
  private readonly valueBins: Int32Array;
  /** One node's histograms, for nodes grown from gathered rows. */
  private readonly scratch: Float64Array;

  constructor(
    private readonly binning: Pick<BinnedMatrix, "features" | "edges" | "low" | "high">,
    private readonly options: TreeOptions,
    private readonly file: ChunkFile,
    /** What a pass may hold: histograms and gathered rows. */
    private readonly passBytes: number,
    bytes: 1 | 2,
    /** Whether small nodes are grown from their gathered rows (else every node from histograms, a pass per level: the tests compare both). */
    private readonly gatherRows = true,
  ) {
    this.f = binning.features;
    this.k = options.task === "classification" ? options.classes : 1;
    this.bytes = bytes;
    this.chooser = new TreeGrower({ binned: { n: 0, bins: new Uint8Array(0), ...binning }, y: new Float32Array(0) }, options);
    const rows = file.rowsPerChunk;
    this.cells = bytes === 1 ? new Uint8Array(rows * this.f) : new Uint16Array(rows * this.f);
    this.y = new Float32Array(rows);
    this.node = new Int32Array(rows);
    this.valueBins = Int32Array.from(binning.edges, (e) => e.length + 1);
    this.scratch = new Float64Array(this.chooser.layout.size);
  }

  /**
   * Grows one tree; `seed` drives the bootstrap weights and each node's feature draws. A node whose
   * rows take less memory than its histograms is grown from its rows gathered in the pass instead
   * (its whole subtree, in memory, with no more passes): the same sums in the same order, so the
   * same cuts, and deep trees do not take a pass per level of thousands of tiny nodes.
   */
  grow(seed: number): TreeArrays {
    const { f, k, options } = this;
    const { histOffset, stride, size } = this.chooser.layout;
    const classification = options.task === "classification";
    const nodes = new NodeBuffer();
    const cut = { feature: [] as number[], bin: [] as number[], missingLeft: [] as boolean[] };
    const values: number[] = [];
    const importance = new Float64Array(f);
    const add = () => {
      const id = nodes.add();
      cut.feature[id] = -1;
      return id;
    };
    const rowBytes = f * this.bytes + 5;
    const gathers = (node: LevelNode) => this.gatherRows && node.weight * rowBytes < size * 8;
    const cost = (node: LevelNode) => (gathers(node) ? node.weight * rowBytes : size * 8);
    /** Makes `node` a leaf or splits it by the best cut of its histograms; returns its children, to grow next. */
    const decide = (node: LevelNode, hist: Float64Array, yMin: number, yMax: number): LevelNode[] => {
      // The node's totals: feature 0's bins, missing bin included, hold every row once.
      const stats = new Float64Array(stride);
      for (let b = 0; b <= this.valueBins[0]; b++) for (let c = 0; c < stride; c++) stats[c] += hist[histOffset[0] + b * stride + c];
      const best = stats[0] > 0 ? this.chooser.bestCut(stats, hist, node.depth, yMin, yMax, new Rng(node.seed)) : null;
      if (!best) {
        nodes.leaf(node.id, values.length);
        for (let c = 0; c < k; c++) values.push(stats[0] > 0 ? stats[1 + c] / stats[0] : 0);
        return [];
      }
      importance[best.feature] += best.gain;
      const left = add();
      const right = add();
      const { low, high } = this.binning;
      nodes.split(node.id, best.feature, best.next < 0 ? Infinity : midGap(high[best.feature][best.bin], low[best.feature][best.next]), left, right, best.missingLeft);
      cut.feature[node.id] = best.feature;
      cut.bin[node.id] = best.bin;
      cut.missingLeft[node.id] = best.missingLeft;
      return [
        { id: left, depth: node.depth + 1, seed: deriveSeed(node.seed, 1), weight: best.leftWeight },
        { id: right, depth: node.depth + 1, seed: deriveSeed(node.seed, 2), weight: stats[0] - best.leftWeight },
      ];
    };
    /** Grows `node`'s subtree from its gathered rows `rows.order[start, end)`, depth first. */
    const growGathered = (node: LevelNode, rows: GatheredRows, order: Int32Array, start: number, end: number) => {
      const hist = this.scratch;
      hist.fill(0);
      let yMin = Infinity;
      let yMax = -Infinity;
      for (let p = start; p < end; p++) {
        const i = order[p];
        const w = rows.w[i];
        const yv = rows.y[i];
        for (let j = 0; j < f; j++) {
          const h = histOffset[j] + rows.cells[i * f + j] * stride;
          hist[h] += w;
          if (classification) hist[h + 1 + yv] += w;
          else hist[h + 1] += w * yv;
        }
        if (yv < yMin) yMin = yv;
        if (yv > yMax) yMax = yv;
      }
      const children = decide(node, hist, yMin, yMax);
      if (children.length === 0) return;
      // A stable partition of the node's rows by its cut, then each side.
      const j = cut.feature[node.id];
      const missing = this.valueBins[j];
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (let p = start; p < end; p++) {
        const b = rows.cells[order[p] * f + j];
        ((b === missing ? cut.missingLeft[node.id] : b <= cut.bin[node.id]) ? leftRows : rightRows).push(order[p]);
      }
      order.set(leftRows, start);
      order.set(rightRows, start + leftRows.length);
      growGathered(children[0], rows, order, start, start + leftRows.length);
      growGathered(children[1], rows, order, start + leftRows.length, end);
    };

    let level: LevelNode[] = [{ id: add(), depth: 0, seed, weight: Infinity }];
    let first = true;
    while (level.length > 0) {
      const next: LevelNode[] = [];
      let b0 = 0;
      while (b0 < level.length) {
        // As many of the level's nodes as the pass's memory holds, at least one.
        let b1 = b0 + 1;
        for (let used = cost(level[b0]); b1 < level.length && used + cost(level[b1]) <= this.passBytes; b1++) used += cost(level[b1]);
        const batch = level.slice(b0, b1);
        b0 = b1;
        const slot = new Int32Array(nodes.count).fill(-1);
        batch.forEach((node, s) => (slot[node.id] = s));
        const hists = batch.map((node) => (gathers(node) ? null : new Float64Array(size)));
        const gathered = batch.map((node) => (gathers(node) ? { n: 0, cells: this.bytes === 1 ? new Uint8Array(node.weight * f) : new Uint16Array(node.weight * f), y: new Float32Array(node.weight), w: new Uint8Array(node.weight) } : null));
        const yMin = new Float64Array(batch.length).fill(Infinity);
        const yMax = new Float64Array(batch.length).fill(-Infinity);
        this.pass(first, seed, cut, nodes, (r, s, w, yv) => {
          const m = this.rowsOf;
          const hist = hists[s];
          if (!hist) {
            const g = gathered[s]!;
            for (let j = 0; j < f; j++) g.cells[g.n * f + j] = this.cells[j * m + r];
            g.y[g.n] = yv;
            g.w[g.n++] = w;
            return;
          }
          for (let j = 0; j < f; j++) {
            const h = histOffset[j] + this.cells[j * m + r] * stride;
            hist[h] += w;
            if (classification) hist[h + 1 + yv] += w;
            else hist[h + 1] += w * yv;
          }
          if (!classification) {
            if (yv < yMin[s]) yMin[s] = yv;
            if (yv > yMax[s]) yMax[s] = yv;
          }
        }, slot);
        first = false;
        batch.forEach((node, s) => {
          const g = gathered[s];
          if (g) growGathered(node, g, Int32Array.from({ length: g.n }, (_, i) => i), 0, g.n);
          else next.push(...decide(node, hists[s]!, yMin[s], yMax[s]));
        });
      }
      level = next;
    }
    let total = 0;
    for (let j = 0; j < f; j++) total += importance[j];
    if (total > 0) for (let j = 0; j < f; j++) importance[j] /= total;
    return nodes.finish(Float64Array.from(values), importance);
  }

  /** Rows of the chunk being read. */
  private rowsOf = 0;

  /**
   * One pass: each row (its weight non-zero) stepped down the cuts made since the last pass from
   * the node kept for it, the node written back, and `each` called for rows in a node of `slot`.
   */
  private pass(first: boolean, seed: number, cut: { feature: number[]; bin: number[]; missingLeft: boolean[] }, nodes: NodeBuffer, each: (r: number, s: number, w: number, y: number) => void, slot: Int32Array): void {
    const { file, cells, y, node, valueBins } = this;
    const bootstrap = this.options.bootstrap;
    this.passes++;
    for (let c = 0; c < file.chunks; c++) {
      const m = file.rows(c);
      this.rowsOf = m;
      file.read(c, "bins", cells.subarray(0, m * this.f));
      file.read(c, "y", y.subarray(0, m));
      if (first) node.fill(0, 0, m);
      else file.read(c, "node", node.subarray(0, m));
      const base = c * file.rowsPerChunk;
      for (let r = 0; r < m; r++) {
        let id = node[r];
        for (let j = cut.feature[id]; j >= 0; j = cut.feature[id]) {
          const b = cells[j * m + r];
          id = (b === valueBins[j] ? cut.missingLeft[id] : b <= cut.bin[id]) ? nodes.left[id] : nodes.right[id];
        }
        node[r] = id;
        const s = id < slot.length ? slot[id] : -1;
        if (s < 0) continue;
        const w = bootstrap ? poissonWeight(seed, base + r) : 1;
        if (w > 0) each(r, s, w, y[r]);
      }
      file.write(c, "node", node.subarray(0, m));
    }
  }
}
