/**
 * `gradient_boosting` on rows streamed from DuckDB, for data over the training memory budget
 * (docs/larger-than-memory.md). The training rows are binned once into a chunk file on disk
 * (chunk-file.ts) beside their targets, raw scores, gradients and hessians; every pass after that
 * reads the file back a chunk at a time: one per iteration for the raw scores and gradients, and
 * per tree one for the root's histograms and one each time the growth needs histograms it has not
 * built, until its nodes are small enough to gather (streamed-gradient-tree.ts). Memory holds a
 * chunk, the histograms of the open nodes, gathered rows (bounded) and the validation rows; no
 * array of all rows.
 *
 * Bin edges come from a seeded sample of at most 200,000 training rows (as for the other trees).
 * The holdout, the baseline, the gradients, the histograms and the updates are the in-memory fit's
 * own arithmetic in the same order, so with every training row in the sample the model is the
 * in-memory one bit for bit; the training losses reported per iteration are means over chunks and
 * agree with the in-memory ones to rounding.
 */
import type { Matrix, StreamedTrainInput } from "../types.js";
import { abortError } from "./abort.js";
import type { BoostedModel } from "./boosted-model.js";
import { boostingLoss, TargetSums } from "./boosting-loss.js";
import { ChunkFile } from "./chunk-file.js";
import { boostingKernels } from "./gradient-histograms.js";
import { boost, boostingDefaults, checkTargets, earlyStopping, KIND, resolveOptions } from "./boosting-loop.js";
import { HoldoutDraw } from "./holdout.js";
import { deriveSeed } from "./prng.js";
import { binToChunks, EDGE_SAMPLE_ROWS, streamedEdges } from "./streamed-binning.js";
import { routeRow, StreamedTreeGrower, type BinRoute } from "./streamed-gradient-tree.js";

/** What the last streamed fit held and did, for tests and the bench: codes are never held for all rows. */
export const lastStreamedBoosting = { rows: 0, chunkRows: 0, chunks: 0, codeBytes: 0, passes: 0 };

/** Trains `gradient_boosting` on streamed rows (see the file's comment); `gatherBytes` (tests) overrides the memory for gathered rows. */
export async function trainBoostingStreamed(input: StreamedTrainInput, gatherBytes?: number): Promise<BoostedModel> {
  const { data, task, classes, signal } = input;
  if (signal?.aborted) throw abortError(signal);
  const params = { ...boostingDefaults, ...input.params };
  const options = resolveOptions(params);
  const d = data.names.length;
  if (data.n < 1) throw new Error(`${KIND}: no training rows`);
  if (d === 0) throw new Error(`${KIND}: no features`);
  const classification = task === "classification";
  const groups = classification ? classes.length : 0;
  const loss = boostingLoss(task, classes.length);
  const k = loss.outputs;
  const early = earlyStopping(options, data.n);
  const block = data.rowsPerBlock(1);

  // Targets checked, and counted per class when a holdout is drawn from them.
  const counts = new Float64Array(Math.max(1, groups));
  await data.forEach(
    block,
    (_x, y, start) => {
      checkTargets(y, task, classes.length, start);
      for (let i = 0; i < y.length; i++) counts[groups > 0 ? y[i] : 0]++;
    },
    signal,
  );
  let validation = input.validation ? await readValidation(input.validation, signal) : undefined;
  const holdout = early && !validation && data.n >= 2;
  const draw = () => (holdout ? new HoldoutDraw(counts, options.validationFraction, input.seed) : undefined);
  const held = draw()?.total ?? 0;
  const n = data.n - held;

  // Edges from a seeded sample of the training rows, as the other tree learners bin streamed rows.
  const sampling = draw();
  const keep = (d: HoldoutDraw | undefined) => d && { n, keep: (y: number) => !d.held(groups > 0 ? y : 0) };
  const binning = await streamedEdges(data, options.maxBins, Math.min(EDGE_SAMPLE_ROWS, 2 * block), deriveSeed(input.seed, -1), signal, keep(sampling));
  const { edges } = binning;

  // Chunks as large as the chunk buffers below (float32 staging, codes, targets, raw scores, gradients, the grower's) let a block of float32 columns be.
  const chunkRows = Math.max(1, Math.min(n, Math.floor((block * (d + 1) * 4) / (6 * d + 36 + 16 * k))));
  const file = new ChunkFile(n, chunkRows, { bins: d, y: 4, raw: 8 * k, g: 4 * k, h: loss.constantHessian ? 0 : 4 * k, node: 4 });
  try {
    const sums = new TargetSums(groups);
    const codes = new Uint8Array(chunkRows * d);
    Object.assign(lastStreamedBoosting, { rows: n, chunkRows, chunks: file.chunks, codeBytes: codes.byteLength, passes: 0 });
    const heldRows = { x: Array.from({ length: d }, () => new Float32Array(held)), y: new Float32Array(held), n: 0 };
    const binningDraw = keep(draw());
    await binToChunks(
      data,
      binning,
      file,
      signal,
      binningDraw && {
        ...binningDraw,
        skipped: (x, r, y) => {
          for (let j = 0; j < d; j++) heldRows.x[j][heldRows.n] = x.columns[j][r];
          heldRows.y[heldRows.n++] = y;
        },
      },
      (y) => sums.add(y),
    );
    if (holdout) validation = { x: { n: held, columns: heldRows.x, names: data.names }, y: heldRows.y };
    const baseline = loss.baselineOf(sums);

    // Nodes' rows gathered in memory: about two blocks, at least 4 MB.
    const grower = new StreamedTreeGrower({ features: d, ...binning }, options.tree, file, loss.constantHessian, gatherBytes ?? Math.max(2 * block * (d + 1) * 4, 4 * 2 ** 20));
    const yChunk = new Float32Array(chunkRows);
    const raw = new Float64Array(k * chunkRows);
    const g = new Float32Array(k * chunkRows);
    const h = new Float32Array(loss.constantHessian ? 0 : k * chunkRows);
    let pending: BinRoute[] = [];
    let first = true;
    const valueBins = Int32Array.from(edges, (e) => e.length + 1);
    /** One pass: each chunk's raw scores brought up to date with the trees of the last iteration; then its gradients, or only its loss. */
    const pass = (gradients: boolean): number => {
      let total = 0;
      for (let c = 0; c < file.chunks; c++) {
        const m = file.rows(c);
        const y = yChunk.subarray(0, m);
        const r = raw.subarray(0, k * m);
        file.read(c, "y", y);
        if (first) for (let o = 0; o < k; o++) r.fill(baseline[o], o * m, (o + 1) * m);
        else file.read(c, "raw", r);
        if (pending.length > 0) {
          file.read(c, "bins", codes.subarray(0, m * d));
          const kernels = boostingKernels();
          pending.forEach((route, o) => {
            if (kernels) kernels.addRoute(route.feature, route.bin, route.missingLeft, route.left, route.right, route.value, valueBins, codes, m, r, o * m);
            else for (let i = 0; i < m; i++) r[o * m + i] += route.value[routeRow(route, valueBins, codes, m, i)];
          });
        }
        if (gradients) {
          file.write(c, "raw", r);
          total += loss.gradients(y, r, g.subarray(0, k * m), h.subarray(0, loss.constantHessian ? 0 : k * m)) * m;
          file.write(c, "g", g.subarray(0, k * m));
          if (!loss.constantHessian) file.write(c, "h", h.subarray(0, k * m));
        } else {
          total += loss.loss(y, r) * m;
        }
      }
      if (gradients) {
        first = false;
        pending = [];
      }
      lastStreamedBoosting.passes++;
      return total / n;
    };
    const routes: BinRoute[] = [];
    const model = await boost(
      { task, classes, names: data.names, params, options, early, baseline, validation, releaseValidation: true, onProgress: input.onProgress, signal, streamed: true },
      {
        gradients: () => {
          pending = routes.splice(0);
          return pass(true);
        },
        grow: (c) => {
          const tree = grower.growTree(c);
          routes.push(grower.lastRoute!);
          return tree;
        },
        loss: () => {
          pending = routes.splice(0);
          return pass(false);
        },
      },
    );
    lastStreamedBoosting.passes += grower.passes;
    return model;
  } finally {
    file.close();
  }
}

/** The model's own validation rows, read into memory as the in-memory fit holds them; none when a row's class is not a training class. */
async function readValidation(rows: StreamedTrainInput["data"], signal?: AbortSignal): Promise<{ x: Matrix; y: Float32Array } | undefined> {
  const x = rows.names.map(() => new Float32Array(rows.n));
  const y = new Float32Array(rows.n);
  await rows.forEach(
    rows.rowsPerBlock(1),
    (block, yBlock, start) => {
      block.columns.forEach((c, j) => x[j].set(c, start));
      y.set(yBlock, start);
    },
    signal,
  );
  if (y.some((v) => v < 0 || v !== v)) return undefined;
  return { x: { n: rows.n, columns: x, names: rows.names }, y };
}
