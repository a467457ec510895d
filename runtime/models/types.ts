/**
 * The contract between the executor and every learner (tfjs models, tree learners).
 * Data arrives columnar in typed arrays: no per-row JS objects on the training path.
 */

export type Task = "classification" | "regression";

export type ParamValue = number | string | boolean | number[] | string[];

/** A columnar design matrix: `columns[j][i]` is feature j of row i. */
export interface Matrix {
  n: number;
  columns: Float32Array[];
  names: string[];
}

/** Progress reported during training, once per epoch or per tree. */
export interface TrainProgress {
  /** 1-based unit just finished (epoch, tree, iteration). */
  step: number;
  total: number;
  unit: "epoch" | "tree" | "iteration";
  loss?: number;
  valLoss?: number;
}

export interface TrainInput {
  task: Task;
  x: Matrix;
  /** Class index (0..classes.length-1) for classification, the target value for regression. */
  y: Float32Array;
  /** Class labels in index order for classification; empty for regression. */
  classes: string[];
  /** Optional held-out data, used for early stopping and validation loss curves. */
  validation?: { x: Matrix; y: Float32Array };
  /** User options, already merged over the learner's defaults and validated. */
  params: Record<string, ParamValue>;
  seed: number;
  onProgress?: (p: TrainProgress) => void;
  /** Aborting stops training cleanly at the next epoch/tree boundary and rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * The caller reads `x` and `validation.x` for this fit only: a learner may empty their `columns`
   * once it has what it needs of them (the tree learners after binning), so the float32 values
   * are not held while it trains (3.5M × 9 features: 126 MB).
   */
  releaseColumns?: boolean;
}

/**
 * Training rows read from their table a block at a time, in the same fixed order on every pass
 * (the part's order, itself fixed by the data and the split's seed): for data larger than the
 * training memory budget (docs/larger-than-memory.md). Memory holds one block.
 */
export interface RowBlocks {
  n: number;
  names: string[];
  /** Rows per block that keep a block within its share of the memory budget: a multiple of `multiple`, at least one multiple. */
  rowsPerBlock(multiple: number): number;
  /**
   * Calls `each` with consecutive blocks of exactly `rows` rows (the last may be shorter): the
   * block's feature columns, its targets (as `TrainInput.y`) and its first row's index. The arrays
   * are reused for the next block: valid until `each` returns (copy what must be kept). Stops with
   * an AbortError when `signal` aborts.
   */
  forEach(rows: number, each: (x: Matrix, y: Float32Array, start: number) => void | Promise<void>, signal?: AbortSignal): Promise<void>;
  /** Rows [from, to) of the same order into arrays of their own: a learner that visits its data in a shuffled order of ranges. */
  read(from: number, to: number): Promise<{ x: Matrix; y: Float32Array }>;
}

/** What a learner that streams gets: `TrainInput` with its rows as blocks to read, not arrays. */
export type StreamedTrainInput = Omit<TrainInput, "x" | "y" | "validation"> & { data: RowBlocks; validation?: RowBlocks };

/** One point of a training curve. */
export interface HistoryPoint {
  step: number;
  loss: number;
  valLoss?: number;
}

/** A plain JSON form of a trained model, enough to rebuild it with `Learner.load`. */
export interface SerializedModel {
  kind: string;
  task: Task;
  featureNames: string[];
  classes: string[];
  params: Record<string, ParamValue>;
  state: unknown;
}

export interface TrainedModel {
  kind: string;
  task: Task;
  featureNames: string[];
  classes: string[];
  /** Class index (classification) or predicted value (regression), one per row. */
  predict(x: Matrix): Float32Array;
  /** Row-major n×k class probabilities (classification only). */
  predictProba?(x: Matrix): Float32Array;
  /** Both at once, for learners whose class is the most probable one: one pass where `predict` then `predictProba` would score twice. */
  predictWithProba?(x: Matrix): { predictions: Float32Array; probabilities: Float32Array };
  /** One non-negative score per feature, summing to 1 where defined. */
  importance?(): Float64Array;
  history?: HistoryPoint[];
  /** The engine that trained it: a TensorFlow.js backend ("wasm"), "native", or none for learners that need no engine (trees, least squares). Not part of the serialized model. */
  backend?: string;
  /** How it was fitted when an algorithm has several ways (svm rbf: the exact "smo" or the approximation "rff 2000"), for the run's summary; kept in the serialized model. */
  method?: string;
  /** The plain-JSON form (number arrays), e.g. for the TypeScript API. */
  toJSON(): SerializedModel;
  /**
   * The same content as `toJSON` with large numeric state kept as typed arrays, for the binary
   * codec (codec.ts); `Learner.load` accepts either form. Learners without it are encoded from `toJSON`.
   */
  serialize?(): SerializedModel;
}

/** What scores feature rows: a trained model's `predict` and `predictProba` (`scoring/` has one per model kind). */
export type Scorer = Pick<TrainedModel, "predict" | "predictProba" | "predictWithProba">;

export interface Learner {
  /** The name used in the language, e.g. `random_forest`. */
  name: string;
  tasks: Task[];
  defaults: Record<string, ParamValue>;
  train(input: TrainInput): Promise<TrainedModel>;
  load(model: SerializedModel): TrainedModel;
  /**
   * Trains from rows streamed a block at a time, for data over the training memory budget; a
   * learner without it (or whose `trainStreamed` gives undefined, for options it cannot stream)
   * trains in memory whatever the size.
   */
  trainStreamed?(input: StreamedTrainInput): Promise<TrainedModel | undefined>;
  /** True when `train` never reads `input.validation`: the executor then does not read it (time and memory). */
  ignoresValidation?: boolean;
}
