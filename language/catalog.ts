/**
 * What the language knows by name: algorithms with their options, metrics, chart kinds.
 * The checker validates against it and completion offers from it; the runtime's registry
 * implements every algorithm listed here (a test keeps the two in step).
 */

import type { OptionValue } from "./ast.js";

export type Task = "classification" | "regression";

export interface OptionSpec {
  type: "number" | "integer" | "boolean" | "string" | "columns" | "number-list";
  doc: string;
  choices?: string[];
}

export interface AlgorithmSpec {
  tasks: Task[];
  doc: string;
  options: Record<string, OptionSpec>;
}

const common: Record<string, OptionSpec> = {
  features: { type: "columns", doc: "Columns the model learns from; a one-hot column stands for all its indicator columns. Default: every numeric column but the target." },
  task: { type: "string", doc: "classification or regression; inferred from the algorithm and the target's type when omitted.", choices: ["classification", "regression"] },
};

const treeOptions: Record<string, OptionSpec> = {
  max_depth: { type: "integer", doc: "Deepest a tree may grow (default: unlimited)." },
  min_samples_split: { type: "integer", doc: "Fewest rows a node needs to be split (default 2)." },
  min_samples_leaf: { type: "integer", doc: "Fewest rows in a leaf (default 1)." },
  max_features: { type: "string", doc: "Features tried per split: sqrt, log2, all or a fraction." },
  max_bins: { type: "integer", doc: "Histogram bins per feature (default 255)." },
  criterion: { type: "string", doc: "Split quality: gini or entropy for classification, squared_error for regression (auto: gini or squared_error).", choices: ["auto", "gini", "entropy", "squared_error"] },
};

export const algorithms: Record<string, AlgorithmSpec> = {
  linear_regression: { tasks: ["regression"], doc: "Least squares on standardised features, with an optional ridge penalty.", options: { ...common, l2: { type: "number", doc: "Ridge penalty (default 0)." } } },
  logistic_regression: {
    tasks: ["classification"],
    doc: "Binary or multinomial logistic regression on TensorFlow.js, features standardised on the training split.",
    options: {
      ...common,
      l2: { type: "number", doc: "L2 penalty strength (default 1.0, like scikit-learn's C=1)." },
      max_iter: { type: "integer", doc: "Optimiser iterations (default 200)." },
      tol: { type: "number", doc: "Stop when the gradient's largest component falls below this (default 1e-5)." },
    },
  },
  decision_tree: { tasks: ["classification", "regression"], doc: "A CART tree with histogram-based split finding.", options: { ...common, ...treeOptions } },
  random_forest: {
    tasks: ["classification", "regression"],
    doc: "Bagged trees trained on every core.",
    options: {
      ...common,
      ...treeOptions,
      trees: { type: "integer", doc: "Number of trees (default 100)." },
      bootstrap: { type: "boolean", doc: "Sample rows with replacement per tree (default true)." },
      workers: { type: "integer", doc: "Worker threads (default 0: one per core for large forests, none for small ones); results do not depend on it." },
    },
  },
  svm: {
    tasks: ["classification", "regression"],
    doc: "Support vector machine: linear, or RBF through random Fourier features.",
    options: {
      ...common,
      kernel: { type: "string", doc: "linear or rbf.", choices: ["linear", "rbf"] },
      c: { type: "number", doc: "Inverse regularisation (default 1)." },
      gamma: { type: "string", doc: "RBF width: scale, auto or a number." },
      components: { type: "integer", doc: "Random features for rbf (default 300)." },
      epsilon: { type: "number", doc: "Regression: errors smaller than this cost nothing (default 0.1)." },
      max_iter: { type: "integer", doc: "Optimiser iterations (default 500)." },
      tol: { type: "number", doc: "Optimiser tolerance (default 1e-4)." },
    },
  },
  neural_network: {
    tasks: ["classification", "regression"],
    doc: "A multilayer perceptron, trained by Lathe's native SIMD engine (TensorFlow.js where it was not built).",
    options: {
      ...common,
      layers: { type: "number-list", doc: "Hidden layer widths (default [64, 32])." },
      activation: { type: "string", doc: "relu, tanh or sigmoid.", choices: ["relu", "tanh", "sigmoid"] },
      dropout: { type: "number", doc: "Dropout rate after each hidden layer (default 0)." },
      optimizer: { type: "string", doc: "adam or sgd (default adam).", choices: ["adam", "sgd"] },
      learning_rate: { type: "number", doc: "Step size (default 0.001)." },
      momentum: { type: "number", doc: "Nesterov momentum for sgd (default 0.9)." },
      l2: { type: "number", doc: "L2 penalty on the weights, scikit-learn's alpha (default 0.0001)." },
      epochs: { type: "integer", doc: "Most passes over the training data (default 200)." },
      batch_size: { type: "integer", doc: "Rows per gradient step (default 200)." },
      early_stopping: { type: "boolean", doc: "Stop when the loss (validation loss when the split has a validation part, else training loss) has not improved by tol for patience epochs; with validation the best epoch's weights are kept (default true)." },
      patience: { type: "integer", doc: "Epochs without improvement before stopping (default 10)." },
      tol: { type: "number", doc: "Smallest loss decrease that counts as an improvement (default 0.0001)." },
    },
  },
};

export interface MetricSpec {
  task: Task;
  doc: string;
}

export const metrics: Record<string, MetricSpec> = {
  accuracy: { task: "classification", doc: "Share of rows predicted correctly." },
  precision: { task: "classification", doc: "Precision (macro average over classes when there are more than two)." },
  recall: { task: "classification", doc: "Recall (macro average when multiclass)." },
  f1: { task: "classification", doc: "F1 score (macro average when multiclass)." },
  precision_macro: { task: "classification", doc: "Unweighted mean of per-class precision." },
  recall_macro: { task: "classification", doc: "Unweighted mean of per-class recall." },
  f1_macro: { task: "classification", doc: "Unweighted mean of per-class F1." },
  precision_weighted: { task: "classification", doc: "Per-class precision weighted by support." },
  recall_weighted: { task: "classification", doc: "Per-class recall weighted by support." },
  f1_weighted: { task: "classification", doc: "Per-class F1 weighted by support." },
  roc_auc: { task: "classification", doc: "Area under the ROC curve (one-vs-rest macro when multiclass)." },
  log_loss: { task: "classification", doc: "Cross-entropy of the predicted probabilities." },
  mse: { task: "regression", doc: "Mean squared error." },
  rmse: { task: "regression", doc: "Root mean squared error." },
  mae: { task: "regression", doc: "Mean absolute error." },
  r2: { task: "regression", doc: "Coefficient of determination." },
};

/** Metrics reported when `evaluate` names none. */
export const defaultMetrics: Record<Task, string[]> = {
  classification: ["accuracy", "precision", "recall", "f1"],
  regression: ["rmse", "mae", "r2"],
};

export interface ChartSpec {
  needs: "model" | "dataset";
  doc: string;
}

export const charts: Record<string, ChartSpec> = {
  confusion: { needs: "model", doc: "Confusion matrix of a classifier on a split." },
  roc: { needs: "model", doc: "ROC curve of a classifier on a split." },
  pr: { needs: "model", doc: "Precision-recall curve of a classifier on a split." },
  predicted: { needs: "model", doc: "Predicted against actual values of a regression on a split." },
  importance: { needs: "model", doc: "Feature importance of a model." },
  loss: { needs: "model", doc: "Training (and validation) loss per epoch." },
  residuals: { needs: "model", doc: "Residuals against predictions for a regression on a split." },
  histogram: { needs: "dataset", doc: "Histogram of a numeric column." },
  scatter: { needs: "dataset", doc: "Scatter plot of two columns, coloured by a third when given." },
};

export interface SignalSpec {
  /** `time`: needs `ms` or `s`; `share`: a fraction or a percentage; `score`: a plain number. */
  unit: "time" | "share" | "score";
  doc: string;
  qualifiers?: string[];
}

/** What `monitor` and `retrain when` can watch besides the model's own metrics. */
export const signals: Record<string, SignalSpec> = {
  latency: { unit: "time", doc: "Prediction latency of the served model, as a percentile (default p50).", qualifiers: ["p50", "p90", "p95", "p99", "mean", "max"] },
  error_rate: { unit: "share", doc: "Share of requests that failed (bad input or a server error)." },
  drift: { unit: "share", doc: "Share of monitored columns whose distribution drifted from the training data." },
  psi: { unit: "score", doc: "Largest population stability index over the monitored columns (warn 0.1, alert 0.25)." },
  requests: { unit: "score", doc: "Requests per minute." },
};

/** How `drift on ...` compares distributions; `auto` follows the defaults in design.md. */
export const driftMethods: Record<string, string> = {
  auto: "KS / chi-square up to 1000 reference rows, normalised Wasserstein / Jensen-Shannon above.",
  psi: "Population stability index over 10 reference-quantile bins.",
  ks: "Kolmogorov-Smirnov test (numeric columns).",
  chi2: "Chi-square test (categorical columns).",
  wasserstein: "Wasserstein distance normalised by the reference standard deviation.",
  js: "Jensen-Shannon distance (categorical columns).",
};

/** Units of `retrain ... every N unit`, singular and plural. */
export const scheduleUnits: Record<string, number> = {
  hour: 3600, hours: 3600, day: 86400, days: 86400, week: 604800, weeks: 604800, month: 2592000, months: 2592000,
};

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

/** Source formats `read ... format X` names. */
export const sourceFormats = Object.keys(sourceOptions);

/** A source's format: the explicit `format X`, else the path's extension (ignoring .gz/.zst); undefined when neither names one. */
export function sourceFormatOf(path: string, explicit?: string): string | undefined {
  const f = (explicit ?? /\.([A-Za-z0-9]+)$/.exec(path.replace(/\.(gz|zst)$/i, ""))?.[1] ?? "").toLowerCase();
  return f in sourceOptions ? f : undefined;
}
