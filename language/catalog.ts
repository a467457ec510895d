/**
 * What the language knows by name: algorithms with their options (types, choices, allowed ranges),
 * metrics, chart kinds, cast types, monitor signals, drift methods, schedule units, source formats.
 * It is the one registry of each: the checker validates against it, completion and hover offer
 * from it, and the runtime reads it too (metric directions, the learners' options: a test keeps
 * the learners' defaults equal to the options listed here). Imports nothing from Chevrotain.
 */

import type { OptionValue } from "./ast.js";
import { dict, own } from "./lookup.js";
import type { ColumnType } from "./schema.js";

export type Task = "classification" | "regression";

/** The numbers an option allows: from `min` to `max`, an end left out when `minOpen` / `maxOpen`. */
export interface Range {
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

export interface OptionSpec {
  /** `integer-list`: one whole number or a list of them; `dataset`: the name of a dataset. */
  type: "number" | "integer" | "boolean" | "string" | "columns" | "integer-list" | "dataset";
  doc: string;
  choices?: string[];
  /** Choices that apply to one task only (a regression tree has no `gini`). */
  taskChoices?: Partial<Record<Task, string[]>>;
  /** The numbers allowed: of the value; of each item of a list; of a `string` option written as a number. */
  range?: Range;
}

/** Whether `v` lies in `range`. */
export function inRange(v: number, range: Range): boolean {
  if (range.min !== undefined && (range.minOpen ? !(v > range.min) : !(v >= range.min))) return false;
  if (range.max !== undefined && (range.maxOpen ? !(v < range.max) : !(v <= range.max))) return false;
  return true;
}

/** A range in words for messages: `>= 2 and <= 255`, `> 0`. */
export function rangeText(range: Range): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.minOpen ? ">" : ">="} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.maxOpen ? "<" : "<="} ${range.max}`);
  return parts.join(" and ");
}

export interface AlgorithmSpec {
  tasks: Task[];
  doc: string;
  options: Record<string, OptionSpec>;
  /** Takes missing feature values (NULL, NaN) in training and scoring, learning where they go; the others refuse them (runtime/models/missing-values.ts, kept equal by a test). */
  missing?: true;
}

/**
 * Options every algorithm takes. The planner reads them (the learners never see them), so the
 * registry test leaves them out when it compares the catalog with the learners' defaults.
 */
export const commonOptions: Record<string, OptionSpec> = {
  features: { type: "columns", doc: "Columns the model learns from; a one-hot column stands for all its indicator columns. Default: every numeric column but the target." },
  task: { type: "string", doc: "classification or regression; inferred from the algorithm and the target's type when omitted (an integer target is a number to predict: give task: classification when its values are class labels).", choices: ["classification", "regression"] },
  seed: { type: "integer", doc: "Seed of this model's random choices (default: the program's seed param, else 42).", range: { min: 0 } },
  validation: { type: "dataset", doc: "The dataset used for early stopping and validation curves (default: in a split of three or more parts, the part after the training part; none otherwise)." },
};

/**
 * Most histogram bins per feature the tree learners take (two bytes per cell, minus the missing
 * bin). The one place the limit is written: raise it here when the learners take more.
 */
const MAX_BINS = 65535;

const treeOptions: Record<string, OptionSpec> = {
  max_depth: { type: "integer", doc: "Deepest a tree may grow (default 0: unlimited).", range: { min: 0 } },
  min_samples_split: { type: "integer", doc: "Fewest rows a node needs to be split (default 2).", range: { min: 2 } },
  min_samples_leaf: { type: "integer", doc: "Fewest rows in a leaf (default 1).", range: { min: 1 } },
  max_features: { type: "string", doc: "Features tried per split: auto, sqrt, log2, all, a fraction (up to 1) or a count.", choices: ["auto", "sqrt", "log2", "all"], range: { min: 0, minOpen: true } },
  max_bins: { type: "integer", doc: `Histogram bins per feature, at most ${MAX_BINS}; a feature with no more distinct values than this gets one bin per value (exact splits). Default 255.`, range: { min: 2, max: MAX_BINS } },
  criterion: { type: "string", doc: "Split quality: gini or entropy for classification, squared_error for regression (auto: gini or squared_error).", choices: ["auto", "gini", "entropy", "squared_error"], taskChoices: { classification: ["auto", "gini", "entropy"], regression: ["auto", "squared_error"] } },
};

export const algorithms: Record<string, AlgorithmSpec> = {
  linear_regression: { tasks: ["regression"], doc: "Least squares on standardised features, with an optional ridge penalty.", options: { ...commonOptions, l2: { type: "number", doc: "Ridge penalty (default 0).", range: { min: 0 } } } },
  logistic_regression: {
    tasks: ["classification"],
    doc: "Binary or multinomial logistic regression on TensorFlow.js, features standardised on the training split.",
    options: {
      ...commonOptions,
      l2: { type: "number", doc: "L2 penalty strength (default 1.0, like scikit-learn's C=1).", range: { min: 0 } },
      max_iter: { type: "integer", doc: "Optimiser iterations (default 200).", range: { min: 1 } },
      tol: { type: "number", doc: "Stop when the gradient's largest component falls below this (default 1e-5).", range: { min: 0 } },
    },
  },
  decision_tree: { tasks: ["classification", "regression"], doc: "A CART tree with histogram-based split finding, missing values learned.", options: { ...commonOptions, ...treeOptions }, missing: true },
  random_forest: {
    tasks: ["classification", "regression"],
    doc: "Bagged trees trained on every core, missing values learned.",
    missing: true,
    options: {
      ...commonOptions,
      ...treeOptions,
      trees: { type: "integer", doc: "Number of trees (default 100).", range: { min: 1 } },
      bootstrap: { type: "boolean", doc: "Sample rows with replacement per tree (default true)." },
      workers: { type: "integer", doc: "Worker threads (default 0: one per core for large forests, none for small ones); results do not depend on it.", range: { min: 0 } },
    },
  },
  gradient_boosting: {
    tasks: ["classification", "regression"],
    doc: "Gradient-boosted trees on feature histograms, like scikit-learn's HistGradientBoosting: log loss (softmax for more than two classes) or squared error, missing values learned.",
    missing: true,
    options: {
      ...commonOptions,
      learning_rate: { type: "number", doc: "Shrinkage: each tree's leaves are scaled by this (default 0.1).", range: { min: 0, minOpen: true } },
      max_iter: { type: "integer", doc: "Most boosting iterations (default 100); one tree per iteration, one per class for more than two classes.", range: { min: 1 } },
      max_leaf_nodes: { type: "integer", doc: "Most leaves per tree, grown best first (default 31).", range: { min: 2 } },
      max_depth: { type: "integer", doc: "Deepest a tree may grow (default 0: unlimited).", range: { min: 0 } },
      min_samples_leaf: { type: "integer", doc: "Fewest rows in a leaf (default 20).", range: { min: 1 } },
      l2_regularization: { type: "number", doc: "L2 penalty on leaf values (default 0).", range: { min: 0 } },
      max_bins: { type: "integer", doc: "Histogram bins per feature besides the missing-value bin, at most 255 (default 255).", range: { min: 2, max: 255 } },
      early_stopping: { type: "string", doc: "Stop when the validation loss stops improving: true, false, or auto (default: on above 10,000 training rows). The validation loss is the model's validation dataset's when it has one, else that of a seeded validation_fraction of the training rows.", choices: ["auto", "true", "false"] },
      validation_fraction: { type: "number", doc: "Share of the training rows held out (stratified by class) for early stopping when the model has no validation dataset (default 0.1).", range: { min: 0, max: 1, minOpen: true, maxOpen: true } },
      n_iter_no_change: { type: "integer", doc: "Stop after this many iterations without a validation loss improvement larger than tol (default 10).", range: { min: 1 } },
      tol: { type: "number", doc: "Smallest validation loss decrease that counts as an improvement (default 1e-7).", range: { min: 0 } },
      workers: { type: "integer", doc: "Threads for the fit's passes: histograms, loss, partition (default 0: one per core above a million training cells, else one); results do not depend on it.", range: { min: 0 } },
    },
  },
  svm: {
    tasks: ["classification", "regression"],
    doc: "Support vector machine: linear, or RBF solved exactly with libsvm's SMO (up to 20,000 training rows), through random Fourier features beyond.",
    options: {
      ...commonOptions,
      kernel: { type: "string", doc: "linear or rbf.", choices: ["linear", "rbf"] },
      c: { type: "number", doc: "Inverse regularisation (default 1).", range: { min: 0, minOpen: true } },
      gamma: { type: "string", doc: "RBF width: scale, auto or a positive number.", choices: ["scale", "auto"], range: { min: 0, minOpen: true } },
      components: { type: "integer", doc: "Random Fourier features for rbf; 0 (default): the exact solver up to 20,000 rows, beyond that a number chosen from the data size (300 to 2,000).", range: { min: 0 } },
      epsilon: { type: "number", doc: "Regression: errors smaller than this cost nothing (default 0.1).", range: { min: 0 } },
      max_iter: { type: "integer", doc: "Optimiser iterations (default 500); the exact rbf solver takes up to max_iter × max(rows, 20,000) pair updates.", range: { min: 1 } },
      tol: { type: "number", doc: "Optimiser tolerance (default 1e-4); for the exact rbf solver, the largest KKT violation left.", range: { min: 0, minOpen: true } },
    },
  },
  neural_network: {
    tasks: ["classification", "regression"],
    doc: "A multilayer perceptron, trained by Lathe's native SIMD engine (TensorFlow.js where it was not built).",
    options: {
      ...commonOptions,
      layers: { type: "integer-list", doc: "Hidden layer widths (default [64, 32]).", range: { min: 1 } },
      activation: { type: "string", doc: "relu, tanh or sigmoid.", choices: ["relu", "tanh", "sigmoid"] },
      dropout: { type: "number", doc: "Dropout rate after each hidden layer (default 0).", range: { min: 0, max: 1, maxOpen: true } },
      optimizer: { type: "string", doc: "adam or sgd (default adam).", choices: ["adam", "sgd"] },
      learning_rate: { type: "number", doc: "Step size (default 0.001).", range: { min: 0, minOpen: true } },
      momentum: { type: "number", doc: "Nesterov momentum for sgd (default 0.9).", range: { min: 0, max: 1 } },
      l2: { type: "number", doc: "L2 penalty on the weights, scikit-learn's alpha (default 0.0001).", range: { min: 0 } },
      epochs: { type: "integer", doc: "Most passes over the training data (default 200).", range: { min: 1 } },
      batch_size: { type: "integer", doc: "Rows per gradient step (default 200).", range: { min: 1 } },
      early_stopping: { type: "boolean", doc: "Stop when the loss (validation loss when there is a validation part, else training loss) has not improved by tol for patience epochs; with validation the best epoch's weights are kept (default true)." },
      patience: { type: "integer", doc: "Epochs without improvement before stopping (default 10).", range: { min: 1 } },
      tol: { type: "number", doc: "Smallest loss decrease that counts as an improvement (default 0.0001).", range: { min: 0 } },
    },
  },
};

export interface MetricSpec {
  task: Task;
  /** Which way is better: the tuner maximises or minimises by it. */
  higherIsBetter: boolean;
  /** True when the metric needs class probabilities, not just predicted classes. */
  needsProba: boolean;
  doc: string;
}

const metricTable = {
  accuracy: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Fraction of rows whose predicted class is the actual class." },
  precision: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Precision of the second (positive) class when there are two classes; macro average over classes otherwise." },
  recall: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Recall of the second (positive) class when there are two classes; macro average over classes otherwise." },
  f1: { task: "classification", higherIsBetter: true, needsProba: false, doc: "F1 of the second (positive) class when there are two classes; macro average over classes otherwise." },
  precision_macro: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Unweighted mean of per-class precision." },
  recall_macro: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Unweighted mean of per-class recall." },
  f1_macro: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Unweighted mean of per-class F1." },
  precision_weighted: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Per-class precision averaged with weights proportional to class frequency." },
  recall_weighted: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Per-class recall averaged with weights proportional to class frequency." },
  f1_weighted: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Per-class F1 averaged with weights proportional to class frequency." },
  roc_auc: { task: "classification", higherIsBetter: true, needsProba: true, doc: "Area under the ROC curve; one-vs-rest macro average for more than two classes." },
  log_loss: { task: "classification", higherIsBetter: false, needsProba: true, doc: "Mean cross-entropy of the predicted class probabilities." },
  mse: { task: "regression", higherIsBetter: false, needsProba: false, doc: "Mean squared error." },
  rmse: { task: "regression", higherIsBetter: false, needsProba: false, doc: "Root mean squared error, in the target's units." },
  mae: { task: "regression", higherIsBetter: false, needsProba: false, doc: "Mean absolute error, in the target's units." },
  r2: { task: "regression", higherIsBetter: true, needsProba: false, doc: "Coefficient of determination: 1 is perfect, 0 is as good as predicting the mean." },
} satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof metricTable;

/**
 * Every metric: what the checker accepts, completion offers, and the runtime computes
 * (runtime/metrics). Read it with a user's name through `metricSpec`, which skips inherited keys.
 */
export const metrics: Readonly<Record<string, MetricSpec>> = metricTable;

/** The metric named `name`, or undefined (never an inherited property). */
export function metricSpec(name: string): MetricSpec | undefined {
  return own<MetricSpec>(metrics, name);
}

/** The metric names of a task (every metric when none is given), in declaration order. */
export function metricNames(task?: Task): MetricName[] {
  return (Object.keys(metricTable) as MetricName[]).filter((name) => task === undefined || metricTable[name].task === task);
}

/** Metrics reported when `evaluate` names none. */
export const defaultMetrics: Record<Task, MetricName[]> = {
  classification: ["accuracy", "precision", "recall", "f1"],
  regression: ["rmse", "mae", "r2"],
};

export interface ChartSpec {
  /** What it is drawn from: a model (scored on a dataset when `needsData`) or a dataset's columns. */
  needs: "model" | "dataset";
  /** A model chart's task; undefined when any model will do. */
  task?: Task;
  /** A model chart that scores the model on a dataset (`on DATA`). */
  needsData?: boolean;
  /** A model chart drawn from class probabilities. */
  needsProba?: boolean;
  /** A dataset chart's columns: fewest and most. */
  columns?: { min: number; max: number };
  doc: string;
}

const chartTable = {
  confusion: { needs: "model", task: "classification", needsData: true, doc: "Confusion matrix of a classifier on a split." },
  roc: { needs: "model", task: "classification", needsData: true, needsProba: true, doc: "ROC curve of a classifier on a split." },
  pr: { needs: "model", task: "classification", needsData: true, needsProba: true, doc: "Precision-recall curve of a classifier on a split." },
  predicted: { needs: "model", task: "regression", needsData: true, doc: "Predicted against actual values of a regression on a split." },
  importance: { needs: "model", doc: "Feature importance of a model." },
  loss: { needs: "model", doc: "Training (and validation) loss per epoch." },
  residuals: { needs: "model", task: "regression", needsData: true, doc: "Residuals against predictions for a regression on a split." },
  histogram: { needs: "dataset", columns: { min: 1, max: 1 }, doc: "Histogram of a numeric column." },
  scatter: { needs: "dataset", columns: { min: 2, max: 3 }, doc: "Scatter plot of two columns, coloured by a third when given." },
} satisfies Record<string, ChartSpec>;

export type ChartName = keyof typeof chartTable;

/**
 * Every chart `plot` draws: what the checker accepts and completion offers; runtime/ops/plot-chart.ts draws
 * each. Read it with a user's name through `chartSpec`, which skips inherited keys.
 */
export const charts: Readonly<Record<string, ChartSpec>> = chartTable;

/** The chart named `name`, or undefined (never an inherited property). */
export function chartSpec(name: string): ChartSpec | undefined {
  return own<ChartSpec>(charts, name);
}

export interface CastTypeSpec {
  /** The checker's column type after the cast. */
  type: ColumnType;
  /** The DuckDB type cast to. */
  sql: string;
  /** Set on another spelling of a type: the name completion and messages use instead. */
  alias?: string;
}

/** Types `cast ... as T` converts to. */
export const castTypes: Record<string, CastTypeSpec> = {
  number: { type: "number", sql: "DOUBLE" },
  double: { type: "number", sql: "DOUBLE", alias: "number" },
  integer: { type: "number", sql: "BIGINT" },
  int: { type: "number", sql: "BIGINT", alias: "integer" },
  string: { type: "string", sql: "VARCHAR" },
  text: { type: "string", sql: "VARCHAR", alias: "string" },
  boolean: { type: "boolean", sql: "BOOLEAN" },
  date: { type: "date", sql: "DATE" },
  timestamp: { type: "timestamp", sql: "TIMESTAMP" },
};

/** The cast types by their main names (no aliases), for completion and messages. */
export const castTypeNames = Object.keys(castTypes).filter((t) => !castTypes[t].alias);

/** The type a `cast ... as T` names (any case), or undefined for an unknown type. */
export function castType(name: string): CastTypeSpec | undefined {
  return own(castTypes, name.toLowerCase());
}

export interface SignalSpec {
  /** `time`: needs `ms` or `s`; `bytes`: needs `KB`, `MB` or `GB`; `share`: a fraction or a percentage (0..1); `score`: a plain number (a percentage reads as a fraction). */
  unit: "time" | "bytes" | "share" | "score";
  doc: string;
  qualifiers?: string[];
  /** The qualifier a threshold without one reads (`latency` is `latency p50`). */
  defaultQualifier?: string;
}

/** What `monitor` and `retrain when` can watch besides the model's own metrics. */
export const signals: Record<string, SignalSpec> = {
  latency: { unit: "time", doc: "Prediction latency of the served model, as a percentile (default p50).", qualifiers: ["p50", "p90", "p95", "p99", "mean", "max"], defaultQualifier: "p50" },
  error_rate: { unit: "share", doc: "Share of requests that failed (bad input or a server error)." },
  drift: { unit: "share", doc: "Share of monitored columns whose distribution drifted from the training data." },
  psi: { unit: "score", doc: "Largest population stability index over the monitored columns (warn 0.1, alert 0.25)." },
  requests: { unit: "score", doc: "Requests per minute." },
  rss: { unit: "bytes", doc: "Resident memory of the server process, sampled every 10 s: max (default) or mean over the window.", qualifiers: ["max", "mean"], defaultQualifier: "max" },
  cpu: { unit: "score", doc: "CPU time of the server process per wall-clock time (1 or 100%: one core busy): mean (default) or max of the 10 s samples.", qualifiers: ["mean", "max"], defaultQualifier: "mean" },
};

/** How `drift on ...` compares distributions; `auto` follows the defaults in docs/design.md. */
export const driftMethods: Record<string, string> = {
  auto: "KS / chi-square up to 1000 reference rows, normalised Wasserstein / Jensen-Shannon above.",
  psi: "Population stability index over 10 reference-quantile bins.",
  ks: "Kolmogorov-Smirnov test (numeric columns).",
  chi2: "Chi-square test (categorical columns).",
  wasserstein: "Wasserstein distance normalised by the reference standard deviation.",
  js: "Jensen-Shannon distance (categorical columns).",
};

/** Units of `retrain ... every N unit` in seconds, by their singular names (completion offers these). */
export const scheduleUnitSeconds: Record<string, number> = { hour: 3600, day: 86400, week: 604800, month: 2592000 };

/** The schedule unit names, singular. */
export const scheduleUnitNames = Object.keys(scheduleUnitSeconds);

/** Units of `retrain ... every N unit` in seconds, singular and plural (`every 2 days`). */
export const scheduleUnits: Record<string, number> = dict(Object.fromEntries(scheduleUnitNames.flatMap((u) => [[u, scheduleUnitSeconds[u]], [`${u}s`, scheduleUnitSeconds[u]]])));

/** What a source's `with { ... }` option takes. `types` is a list of "column type" strings. */
export interface SourceOptionSpec {
  kind: "string" | "boolean" | "integer" | "strings" | "types";
  doc: string;
}

const csvOptions: Record<string, SourceOptionSpec> = {
  delimiter: { kind: "string", doc: "Field separator: one character, or tab, comma, semicolon, pipe, space (default: sniffed)." },
  header: { kind: "boolean", doc: "Whether the first line names the columns (default: sniffed)." },
  types: { kind: "types", doc: 'Column types that override the sniffer: ["price double", "day date"].' },
  skip: { kind: "integer", doc: "Lines to skip before the header." },
  quote: { kind: "string", doc: "Quote character (default \")." },
  escape: { kind: "string", doc: "Escape character inside quotes." },
  comment: { kind: "string", doc: "Lines starting with this character are skipped." },
  na_values: { kind: "strings", doc: 'Strings read as missing, e.g. ["NA", "-"].' },
  date_format: { kind: "string", doc: "strptime format of date columns, e.g. %d/%m/%Y." },
  timestamp_format: { kind: "string", doc: "strptime format of timestamp columns." },
  decimal: { kind: "string", doc: "Decimal separator (default .)." },
  all_text: { kind: "boolean", doc: "Read every column as text." },
  ignore_errors: { kind: "boolean", doc: "Skip rows that do not parse instead of failing." },
  sample_size: { kind: "integer", doc: "Rows the type sniffer reads." },
  union_by_name: { kind: "boolean", doc: "With a glob: line files up by column name, not position." },
  filename: { kind: "boolean", doc: "Add a `filename` column naming each row's file." },
};
const jsonOptions: Record<string, SourceOptionSpec> = {
  types: { kind: "types", doc: 'Column types, applied after reading: ["price double", "day date"].' },
  date_format: csvOptions.date_format,
  timestamp_format: csvOptions.timestamp_format,
  sample_size: csvOptions.sample_size,
  ignore_errors: csvOptions.ignore_errors,
  union_by_name: csvOptions.union_by_name,
  filename: csvOptions.filename,
};

/** Source formats (`read ... format X`) and the `with { ... }` options each takes. */
export const sourceOptions: Record<string, Record<string, SourceOptionSpec>> = {
  csv: csvOptions,
  tsv: csvOptions,
  json: jsonOptions,
  ndjson: jsonOptions,
  jsonl: jsonOptions,
  parquet: { types: jsonOptions.types, union_by_name: csvOptions.union_by_name, filename: csvOptions.filename },
};

/** A `with { ... }` value as plain data: a literal, a bare name (read as text) or a list of them. */
export type OptionInput = string | number | boolean | null | OptionInput[];

/** An option entry's values as the reader takes them: one value, or a list when several are written. */
export function sourceOptionValue(values: OptionValue[]): OptionInput {
  const one = (v: OptionValue): OptionInput => (v.kind === "literal" ? v.value : v.kind === "name" ? v.name.text : v.items.map(one));
  return values.length === 1 ? one(values[0]) : values.map(one);
}

/** SQL engines a `table "T" from ENGINE "URL"` source may name: its data steps run there (docs/scale-out.md). */
export const sourceEngines = ["clickhouse"];

/**
 * The options of an engine source (`with { user_env: "X"; password_env: "Y" }`): the names of the
 * environment variables that hold its user and password, instead of LATHE_CLICKHOUSE_USER /
 * LATHE_CLICKHOUSE_PASSWORD. Names only: a program and a run record never hold the values.
 */
export const engineSourceOptions: Record<string, { doc: string }> = {
  user_env: { doc: "the environment variable holding the user (default LATHE_CLICKHOUSE_USER)" },
  password_env: { doc: "the environment variable holding the password (default LATHE_CLICKHOUSE_PASSWORD)" },
};

/** Whether a name can be an environment variable's (letters, digits, `_`, not starting with a digit). */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/**
 * What is wrong with an engine source's URL, if anything: it must be http(s) and name the server
 * (and optionally the database as its path), never a user or password, which come from the
 * environment (LATHE_CLICKHOUSE_USER / LATHE_CLICKHOUSE_PASSWORD) so no program or run record holds them.
 */
export function engineUrlProblem(url: string): { code: "credentials-in-program" | "invalid-engine-url"; message: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { code: "invalid-engine-url", message: `\`${url}\` is not a URL: write the server as "http://HOST:PORT/DATABASE"` };
  }
  if (u.username || u.password) return { code: "credentials-in-program", message: "a program never holds credentials: remove the user and password from the URL and set LATHE_CLICKHOUSE_USER and LATHE_CLICKHOUSE_PASSWORD in the environment" };
  if (u.protocol !== "http:" && u.protocol !== "https:") return { code: "invalid-engine-url", message: `the engine is reached over http or https, not ${u.protocol.replace(/:$/, "")}: write "http://HOST:PORT/DATABASE"` };
  if (u.search || u.hash || u.pathname.split("/").filter(Boolean).length > 1) return { code: "invalid-engine-url", message: `the URL names a server and at most a database ("http://HOST:PORT/DATABASE"), not \`${u.pathname}${u.search}${u.hash}\`` };
  return undefined;
}

/** Source formats `read ... format X` names. */
export const sourceFormats = Object.keys(sourceOptions);

/** A source's format: the explicit `format X`, else the path's extension (ignoring .gz/.zst); undefined when neither names one. */
export function sourceFormatOf(path: string, explicit?: string): string | undefined {
  const f = (explicit ?? /\.([A-Za-z0-9]+)$/.exec(path.replace(/\.(gz|zst)$/i, ""))?.[1] ?? "").toLowerCase();
  return own(sourceOptions, f) ? f : undefined;
}

/** Formats rows can be written in (`save`, `deploy ... batch`), by file extension. */
export const outputFormats = ["parquet", "csv", "tsv", "json", "ndjson", "jsonl"] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** The format a written file's extension names, or undefined. */
export function outputFormatOf(path: string): OutputFormat | undefined {
  const ext = (/\.([A-Za-z0-9]+)$/.exec(path)?.[1] ?? "").toLowerCase();
  return (outputFormats as readonly string[]).includes(ext) ? (ext as OutputFormat) : undefined;
}
