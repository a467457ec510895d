/**
 * CART trees (decision_tree, random_forest) grown over rows kept on disk (chunk-file.ts), for data
 * over the training memory budget: level by level, each level one pass over the chunk file that
 * adds every row to its node's all-feature histogram, then each node's cut chosen by the in-memory
 * builder's own rules and split search (`TreeGrower.bestCut`). Memory holds one chunk (cells,
 * targets, each row's node) and the histograms of one batch of a level's nodes (as many as the
 * histogram budget holds; a wide level takes several passes); never a per-row array of all rows.
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
}

/** Grows trees over the rows of one chunk file (sections `bins`, `y`, `node`). */
export class StreamedCartGrower {
  /** Passes over the file so far (a test and the bench read it). */
  passes = 0;
  private readonly chooser: TreeGrower;
  private readonly f: number;
  private readonly k: number;
  private readonly cells: BinArray;
  private readonly y: Float32Array;
  private readonly node: Int32Array;
  private readonly valueBins: Int32Array;
  /** Nodes whose histograms a pass builds at most. */
  private readonly batch: number;

  constructor(
    private readonly binning: Pick<BinnedMatrix, "features" | "edges" | "low" | "high">,
    private readonly options: TreeOptions,
    private readonly file: ChunkFile,
    histogramBytes: number,
    bytes: 1 | 2,
  ) {
    this.f = binning.features;
    this.k = options.task === "classification" ? options.classes : 1;
    this.chooser = new TreeGrower({ binned: { n: 0, bins: new Uint8Array(0), ...binning }, y: new Float32Array(0) }, options);
    const rows = file.rowsPerChunk;
    this.cells = bytes === 1 ? new Uint8Array(rows * this.f) : new Uint16Array(rows * this.f);
    this.y = new Float32Array(rows);
    this.node = new Int32Array(rows);
    this.valueBins = Int32Array.from(binning.edges, (e) => e.length + 1);
    this.batch = Math.max(1, Math.floor(histogramBytes / (this.chooser.layout.size * 8)));
  }

  /** Grows one tree; `seed` drives the bootstrap weights and each node's feature draws. */
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
    let level: LevelNode[] = [{ id: add(), depth: 0, seed }];
    let first = true;
    while (level.length > 0) {
      const next: LevelNode[] = [];
      for (let b0 = 0; b0 < level.length; b0 += this.batch) {
        const batch = level.slice(b0, b0 + this.batch);
        const slot = new Int32Array(nodes.count).fill(-1);
        batch.forEach((node, s) => (slot[node.id] = s));
        const hists = batch.map(() => new Float64Array(size));
        const yMin = new Float64Array(batch.length).fill(Infinity);
        const yMax = new Float64Array(batch.length).fill(-Infinity);
        this.pass(first, seed, cut, nodes, (r, s, w, yv) => {
          const hist = hists[s];
          for (let j = 0; j < f; j++) {
            const h = histOffset[j] + this.cells[j * this.rowsOf + r] * stride;
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
          const hist = hists[s];
          // The node's totals: feature 0's bins, missing bin included, hold every row once.
          const stats = new Float64Array(stride);
          for (let b = 0; b <= this.valueBins[0]; b++) for (let c = 0; c < stride; c++) stats[c] += hist[histOffset[0] + b * stride + c];
          const best = stats[0] > 0 ? this.chooser.bestCut(stats, hist, node.depth, yMin[s], yMax[s], new Rng(node.seed)) : null;
          if (!best) {
            nodes.leaf(node.id, values.length);
            for (let c = 0; c < k; c++) values.push(stats[0] > 0 ? stats[1 + c] / stats[0] : 0);
            return;
          }
          importance[best.feature] += best.gain;
          const left = add();
          const right = add();
          const { low, high } = this.binning;
          nodes.split(node.id, best.feature, best.next < 0 ? Infinity : midGap(high[best.feature][best.bin], low[best.feature][best.next]), left, right, best.missingLeft);
          cut.feature[node.id] = best.feature;
          cut.bin[node.id] = best.bin;
          cut.missingLeft[node.id] = best.missingLeft;
          next.push({ id: left, depth: node.depth + 1, seed: deriveSeed(node.seed, 1) }, { id: right, depth: node.depth + 1, seed: deriveSeed(node.seed, 2) });
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
