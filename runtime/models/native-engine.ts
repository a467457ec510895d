import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";

/** An opaque network held by the native module. */
export type NativeNetwork = { readonly __native: unique symbol };

/** What the loaded module is: the variant in use, those this CPU runs, how it was compiled. */
export interface NativeMlpInfo {
  /** The instruction-set variant serving every network (`x86-64` (SSE2), `avx2`, or `baseline` off x86-64). */
  variant: string;
  /** Every variant this CPU can run, widest first. */
  variants: string[];
  compiler: string;
  flags: string;
}

/** The functions of `native/mlp.cc` (built by scripts/build-native.mjs into dist/native/<platform>-<arch>/). */
export interface NativeMlpModule {
  /** config: [activation, regression, dropout, optimizer, learningRate, momentum, l2, beta1, beta2, epsilon, batch]. */
  create(sizes: Int32Array, config: Float64Array, blocks: Float32Array[]): NativeNetwork;
  /** Trains on the mini-batches of rows order[from..to); returns Σ batch loss × batch rows. */
  train(net: NativeNetwork, rows: Float32Array, targets: Float32Array, order: Uint32Array, from: number, to: number, seed: number): number;
  /** Mean data loss over all rows, without dropout or penalty. */
  loss(net: NativeNetwork, rows: Float32Array, targets: Float32Array): number;
  /** Copies the current parameters into `blocks`. */
  params(net: NativeNetwork, blocks: Float32Array[]): void;
  info(): NativeMlpInfo;
  /** Makes a variant serve every network; false when it does not exist or this CPU cannot run it. */
  select(variant: string): boolean;
}

/** The function of `native/normal-equations.cc`: linear_regression's Z'Z and Z'(y − ȳ) (twin of the sum in linear-regression.ts). */
export interface NativeLinearModule {
  /** Adds Z'Z (d×d) and Z'(y − ȳ) of the columns standardised by mean/std into zeroed gram and rhs. */
  normalEquations(cols: Float32Array[], y: Float32Array, mean: Float64Array, std: Float64Array, yMean: number, gram: Float64Array, rhs: Float64Array): void;
  /** Per column, the mean and population std of its first n values (fitStandardizer's sums, same doubles). */
  moments(cols: Float32Array[], n: number, mean: Float64Array, std: Float64Array): void;
}

/** The training read's check of its columns, in `native/normal-equations.cc` (twin of `hasNonFinite` in runtime/data/feature-check.ts). */
export interface NativeColumnsModule {
  /** The index of the first column whose first n values hold a NaN or an infinity, or −1. */
  firstNonFinite(cols: Float32Array[], n: number): number;
}

/** The copy of DuckDB's DOUBLE vectors into float32 columns, in `native/normal-equations.cc` (twin of a Float32Array's `set` from a Float64Array). */
export interface NativeNarrowModule {
  /** dst[offset + i] = the i-th double of src's bytes, rounded to float32, for i < n. */
  narrowInto(src: Uint8Array, dst: Float32Array, offset: number, n: number): void;
}

/** A DuckDB result read into float32 columns on a worker thread, in `native/column-read.cc` (twin of the chunk loops of `rankedColumns` and `typedColumns` in runtime/data/database.ts). */
export interface NativeColumnReadModule {
  /**
   * Fetches every chunk of `result` (the client's result handle: floats of `widths` bytes, 8 or 4)
   * and puts each row's values after the rows before it in `columns` (NULL → NaN; more rows than a
   * column holds fail the read); a promise of the rows read, or undefined when DuckDB's C API or
   * this handle cannot be used here.
   */
  readColumns(result: unknown, widths: Int32Array, columns: Float32Array[]): Promise<number> | undefined;
  /**
   * A ranked read of several results at once (pieces of one relation, each on a connection of its
   * own; one is fine), each fetched on a worker thread of its own, every row's values put at its
   * rank in `columns` (each rank once among all the results). Many rows of several columns are
   * written in arrival order and then put in rank order a column at a time, by `permuters` workers.
   * A promise of the rows read, or undefined when DuckDB's C API or a handle cannot be used here.
   */
  readRanked(results: unknown[], widths: Int32Array, columns: Float32Array[], permuters: number): Promise<number> | undefined;
}

/** drop duplicates' first pass, in `native/repeated-keys.cc` (twin: a GROUP BY of the hashes in DuckDB, runtime/data/drop-duplicates.ts). */
export interface NativeRepeatedKeysModule {
  /**
   * Fetches every chunk of `result` (the client's result handle: a UBIGINT hash, then a BIGINT row
   * id) and gives the row ids of every row whose hash another row has too (in no particular order),
   * or undefined when DuckDB's C API or this handle cannot be used here. `expectedRows` sizes its partitions.
   */
  repeatedKeys(result: unknown, expectedRows: number): Promise<BigInt64Array> | undefined;
}

/** The C library's free memory given back, in `native/normal-equations.cc` (no JavaScript twin: it changes RSS, never a result). */
export interface NativeMemoryModule {
  /** glibc's malloc_trim(0); nothing on other C libraries. */
  trimMemory(): void;
}

/** Run-time control of DuckDB's allocator, in `native/duckdb-allocator.cc` (no JavaScript twin: it changes RSS and CPU, never a result). */
export interface NativeAllocatorModule {
  /** DuckDB's jemalloc returns freed pages after ≈ ms (0: at once, purging what it holds now); false when libduckdb.so exports no control. */
  duckdbDecay(ms: number): boolean;
  /** [dirty, muzzy] decay in ms that DuckDB's allocator gives its arenas, or undefined without the control. */
  duckdbDecaySetting(): [number, number] | undefined;
}

/** The function of `native/linear-pass.cc`: the linear models' data term (twin of passBlocksJs in linear-pass.ts). */
export interface NativeLinearPassModule {
  /**
   * Sums blocks [from, to) of the rows at weights w into `out` (per block: the loss, then the
   * (d+1)×k gradient); loss 0 logistic, 1 softmax, 2 squared hinge, 3 squared epsilon-insensitive;
   * targets = [targetMean, targetScale, epsilon]; scores is k × 4096 scratch.
   */
  linearPass(cols: Float32Array[], y: Float32Array, n: number, k: number, loss: number, mean: Float64Array, scale: Float64Array, targets: Float64Array, w: Float64Array, from: number, to: number, out: Float64Array, scores: Float64Array): void;
}

/** The CART builder's kernels in `native/histograms.cc` (twins of trees/tree-builder.ts's loops). */
export interface NativeTreeModule {
  /** buildOne's histogram of one feature over idx[start, end) into `hist`; returns the touched-bin count. */
  oneHistogram(bins: Uint8Array | Uint16Array, n: number, feature: number, idx: Int32Array, start: number, end: number, weight: Float64Array, yClass: Int32Array, yValue: Float32Array, d: number, classification: boolean, hist: Float64Array, touched: Int32Array): number;
  /** As NativeBoostingModule.partition (byte bins). */
  partition(bins: Uint8Array, n: number, feature: number, idx: Int32Array, scratch: Int32Array, start: number, end: number, goesLeft: Uint8Array): number;
}

/** The functions of `native/histograms.cc`: gradient_boosting's kernels (twins of trees/gradient-histograms.ts and gradient-tree.ts). */
export interface NativeBoostingModule {
  /**
   * Builds features [j0, j1) of a request (request: [j0, j1, start, end, root, gOffset, constantHessian, threads?]) into zeroed `hist`.
   * Where a kernel takes `threads`, it may split its loop over that many of the module's threads; the result is the same for any number.
   */
  histograms(bins: Uint8Array, n: number, histOffset: Int32Array, idx: Int32Array, g: Float32Array, h: Float32Array, og: Float32Array, oh: Float32Array, rootCounts: Float64Array, hist: Float64Array, request: Float64Array): void;
  /** parent[q] -= child[q] for every q. */
  subtract(parent: Float64Array, child: Float64Array): void;
  /** Stable partition of idx[start, end) by goesLeft[bin of row in `feature`]; returns where the right side starts. */
  partition(bins: Uint8Array, n: number, feature: number, idx: Int32Array, scratch: Int32Array, start: number, end: number, goesLeft: Uint8Array, threads?: number): number;
  /** og[p] = g[gOffset + idx[p]] (oh from h unless constant) for p in [start, end). */
  gather(idx: Int32Array, g: Float32Array, h: Float32Array, og: Float32Array, oh: Float32Array, start: number, end: number, gOffset: number, constantHessian: boolean, threads?: number): void;
  /**
   * A node's best cut over every feature. node: [G, H, rows, l2, minSamplesLeaf, constantHessian,
   * parentScore, minHessian]; out: [gain, feature (−1: none), bin, missingLeft, leftG, leftH, leftRows].
   */
  findSplit(hist: Float64Array, histOffset: Int32Array, valueBins: Int32Array, node: Float64Array, out: Float64Array): void;
  /** idx[i] = i for i < n; out = [Σ g[gOffset + i], Σ h[gOffset + i] (n when constant)] in row order. */
  rootSums(idx: Int32Array, g: Float32Array, h: Float32Array, gOffset: number, n: number, constantHessian: boolean, out: Float64Array): void;
  /** raw[idx[p]] += values[l] for p in [bounds[2l], bounds[2l + 1]), leaves in order. */
  addLeaves(idx: Int32Array, raw: Float64Array, bounds: Int32Array, values: Float64Array, threads?: number): void;
  /**
   * Two-class log loss over every row (boosting-loss.ts's binomial): g and h when `gradients`;
   * out: [Σ (max(r, 0) − y·r), the running product of 1 + e^−|r|, how many products passed 1e250, those products…].
   */
  binomial(y: Float32Array, raw: Float64Array, g: Float32Array, h: Float32Array, gradients: boolean, out: Float64Array, threads?: number): void;
  /** Softmax cross-entropy of k classes (raw, g, h class-major): out as `binomial`'s, with Σ (max − the row's class's raw score) first. */
  multinomial(y: Float32Array, raw: Float64Array, k: number, g: Float32Array, h: Float32Array, gradients: boolean, out: Float64Array, threads?: number): void;
  /**
   * A streamed histogram pass's per-row loop over one chunk (streamed-gradient-tree.ts buildAhead): each row's
   * node, its target's smaller child's rows placed in idx/og/oh at the prefix sums left in counts.
   */
  routeRows(
    bins: Uint8Array, m: number, valueBins: Int32Array, node: Int32Array, cutFeature: Int32Array, cutBin: Int32Array, cutMissing: Uint8Array, nodeLeft: Int32Array, nodeRight: Int32Array,
    aheadFeature: Int32Array, aheadBin: Int32Array, aheadMissing: Uint8Array, aheadLeft: Int32Array, aheadRight: Int32Array, alias: Int32Array, slotOf: Int32Array, targets: Int32Array,
    g: Float32Array, h: Float32Array, constantHessian: boolean, rowSlot: Int32Array, counts: Int32Array, idx: Int32Array, og: Float32Array, oh: Float32Array,
  ): void;
  /** raw[offset + r] += value[the leaf row r's codes reach] for a chunk of m rows (streamed-boosting.ts's routeRow loop). */
  addRoute(feature: Int32Array, bin: Int32Array, missingLeft: Uint8Array, left: Int32Array, right: Int32Array, value: Float64Array, valueBins: Int32Array, codes: Uint8Array, m: number, raw: Float64Array, offset: number): void;
  /** One packed tree's leaf outputs added for each row of a packed block (packed-forest.ts's walk). */
  walkTree(nodes: Int32Array, missingLeft: Uint8Array, root: number, values: Float64Array, k: number, block: Float32Array, rows: number, stride: number, sum: Float64Array, out: number, threads?: number): void;
}

/** The tree learners' binning in `native/boosting-steps.cc` (twins of trees/binning.ts's computeEdges, binInto and binRanges). */
export interface NativeBinningModule {
  /** A column's bin edges for at most `maxBins` value bins into `out` (≥ maxBins long); returns how many. */
  edges(column: Float32Array, maxBins: number, out: Float32Array): number;
  /** Each value's bin into `out`, each value bin's smallest and largest value into `low` and `high`. */
  binColumn(column: Float32Array, edges: Float32Array, out: Uint8Array | Uint16Array, low: Float32Array, high: Float32Array): void;
}

let cached: LoadedModule | null | undefined;
/** Why the module is not in use, once known: not built, or the error that loading it raised. */
let unavailable: string | undefined;

/**
 * Where the build puts the module: from dist/runtime/models/ it is dist/native/…; from the sources
 * (tests) ../../dist/native/…. LATHE_NATIVE_MODULE names another build (benchmarks, tests).
 */
function candidates(): string[] {
  if (process.env.LATHE_NATIVE_MODULE) return [process.env.LATHE_NATIVE_MODULE];
  const dir = `${process.platform}-${process.arch}`;
  return [`../../native/${dir}/lathe-native.node`, `../../dist/native/${dir}/lathe-native.node`].map((p) => fileURLToPath(new URL(p, import.meta.url)));
}

/** The native module file this process loads (or would), if there is one; loading it is not attempted here. */
export function nativeModuleFile(): string | undefined {
  return candidates().find((f) => existsSync(f));
}

type LoadedModule = NativeMlpModule & Partial<NativeBoostingModule & NativeBinningModule & NativeLinearModule & NativeLinearPassModule & NativeColumnsModule & NativeTreeModule>;

function load(): LoadedModule | null {
  const file = nativeModuleFile();
  if (!file) {
    unavailable = process.env.LATHE_NATIVE_MODULE ? `not found: ${process.env.LATHE_NATIVE_MODULE} (LATHE_NATIVE_MODULE)` : `not built for ${process.platform}-${process.arch} (no C++ compiler at install?)`;
    return null;
  }
  let mod: LoadedModule;
  try {
    mod = createRequire(import.meta.url)(file) as LoadedModule;
    if (typeof mod.info !== "function") throw new Error("an older build without info(); rebuild with `npm run build`");
  } catch (e) {
    // A module built for another platform or C library, or a stale build: said once, as the
    // TensorFlow.js fallback is slower and a user should know why it happened.
    unavailable = `not loadable: ${(e as Error).message.split("\n")[0]} (${file})`;
    // Said by the main thread only: tree and boosting worker threads load the module too.
    if (isMainThread) process.stderr.write(`lathe: the native MLP engine is ${unavailable}; neural_network trains on TensorFlow.js, the tree, boosting and linear kernels run in JavaScript\n`);
    return null;
  }
  const wanted = process.env.LATHE_NATIVE_ISA;
  if (wanted && !mod.select(wanted)) {
    if (isMainThread) process.stderr.write(`lathe: LATHE_NATIVE_ISA=${wanted} is not a variant this CPU runs (${mod.info().variants.join(", ")}); using ${mod.info().variant}\n`);
  }
  return mod;
}

/**
 * The native MLP engine, or undefined when it was not built (no compiler at install), does not
 * load (said once on stderr), or is switched off with LATHE_NN_ENGINE=tfjs (benchmarks time both
 * engines that way). LATHE_NATIVE_ISA picks a narrower variant than the CPU's widest.
 */
export function nativeMlp(): NativeMlpModule | undefined {
  if (process.env.LATHE_NN_ENGINE === "tfjs") return undefined;
  if (cached === undefined) cached = load();
  if (!cached && process.env.LATHE_NN_ENGINE === "native") throw new Error(`LATHE_NN_ENGINE=native but the native MLP engine is ${unavailable}`);
  return cached ?? undefined;
}

/**
 * The native engine as a run records it: `x86-64-v3 (gcc 12.2.0 -O3 ...)`, or why it is not used.
 * Loads the module if it was not loaded yet (a few milliseconds).
 */
export function nativeMlpDescription(): string {
  if (process.env.LATHE_NN_ENGINE === "tfjs") return "off (LATHE_NN_ENGINE=tfjs)";
  if (cached === undefined) cached = load();
  const mod = cached;
  if (!mod) return `unavailable: ${unavailable}`;
  const info = mod.info();
  return `${info.variant} (${info.compiler}; ${info.flags})`;
}

/** The loaded module when it has every one of `functions` and LATHE_KERNELS is not `js`; LATHE_KERNELS=native makes their absence an error. */
function kernels(functions: string[], what: string): LoadedModule | undefined {
  if (process.env.LATHE_KERNELS === "js") return undefined;
  if (cached === undefined) cached = load();
  const mod = cached;
  if (mod && functions.every((f) => typeof (mod as unknown as Record<string, unknown>)[f] === "function")) return mod;
  if (process.env.LATHE_KERNELS === "native") throw new Error(`LATHE_KERNELS=native but the native ${what} ${mod ? "are missing from an older build (rebuild with `npm run build`)" : `are unavailable: ${unavailable}`}`);
  return undefined;
}

/**
 * gradient_boosting's native kernels (histogram pass, subtraction, partition, gather, split search), or undefined
 * when the module was not built, does not load, predates them, or LATHE_KERNELS=js asks for the
 * JavaScript ones (tests and benchmarks compare the two; they give the same results bit for bit).
 */
export function nativeBoosting(): NativeBoostingModule | undefined {
  return kernels(["histograms", "subtract", "partition", "gather", "findSplit", "rootSums", "addLeaves", "walkTree", "binomial", "multinomial", "routeRows", "addRoute"], "boosting kernels") as NativeBoostingModule | undefined;
}

/** The tree learners' native binning, or undefined (as nativeBoosting). */
export function nativeBinning(): NativeBinningModule | undefined {
  return kernels(["edges", "binColumn"], "binning kernels") as NativeBinningModule | undefined;
}

/** linear_regression's native normal equations, or undefined (as nativeBoosting: not built, or LATHE_KERNELS=js). */
export function nativeLinear(): NativeLinearModule | undefined {
  return kernels(["normalEquations", "moments"], "normal equations") as NativeLinearModule | undefined;
}

/** The native copy of DOUBLE vectors into float32 columns, or undefined (as nativeBoosting). */
export function nativeNarrow(): NativeNarrowModule | undefined {
  return kernels(["narrowInto"], "column copy") as NativeNarrowModule | undefined;
}

/** The native read of float columns, or undefined (as nativeBoosting). */
export function nativeColumnRead(): NativeColumnReadModule | undefined {
  return kernels(["readColumns", "readRanked"], "column read") as NativeColumnReadModule | undefined;
}

/** The native search for rows whose key hash repeats, or undefined (as nativeBoosting). */
export function nativeRepeatedKeys(): NativeRepeatedKeysModule | undefined {
  return kernels(["repeatedKeys"], "duplicate search") as NativeRepeatedKeysModule | undefined;
}

/**
 * The loaded module when it has the function `name`, whatever LATHE_KERNELS says (for functions
 * that change no result, only memory or time); undefined when it is not built, does not load or
 * predates the function.
 */
function withFunction<M>(name: string): M | undefined {
  if (cached === undefined) cached = load();
  return typeof (cached as unknown as Record<string, unknown> | null)?.[name] === "function" ? (cached as unknown as M) : undefined;
}

/** The native module's trimMemory, or undefined (`withFunction`: it changes no result). */
export function nativeMemory(): NativeMemoryModule | undefined {
  return withFunction<NativeMemoryModule>("trimMemory");
}

/** The native control of DuckDB's allocator, or undefined (`withFunction`: it changes no result). */
export function nativeAllocator(): NativeAllocatorModule | undefined {
  return withFunction<NativeAllocatorModule>("duckdbDecay");
}

/** The native check of a training read's columns, or undefined (as nativeBoosting). */
export function nativeColumns(): NativeColumnsModule | undefined {
  return kernels(["firstNonFinite"], "column checks") as NativeColumnsModule | undefined;
}

/** The linear models' native data term (logistic regression, linear svm), or undefined (as nativeBoosting). */
export function nativeLinearPass(): NativeLinearPassModule | undefined {
  return kernels(["linearPass"], "linear pass") as NativeLinearPassModule | undefined;
}

/** The CART builder's native kernels (decision trees, random forests), or undefined (as nativeBoosting). */
export function nativeTrees(): NativeTreeModule | undefined {
  return kernels(["oneHistogram", "partition"], "tree kernels") as NativeTreeModule | undefined;
}
