import * as aq from "arquero";
import { assertNever } from "../language/assert-never.js";
import type { ColumnTable } from "arquero";
import { defaultMetrics, formatDiagnostic } from "../language/index.js";
import path from "node:path";
import { defaultStoreRoot } from "../runtime/store/store-location.js";
import { modelArtifact, type ModelState } from "../runtime/model-state.js";
import { createPredictor, InputError, type ModelPackage, type Prediction, type Predictor } from "../runtime/predict/predictor.js";
import { metricRows } from "../runtime/ops/evaluate.js";
import { renderResult } from "../runtime/ops/index.js";
import type { RenderPart } from "../runtime/ops/types.js";
import type { ChartBundle, UndrawnChart } from "../runtime/charts/types.js";
import type { StepResult } from "../runtime/results.js";
import { chartDisplay } from "../runtime/charts/chart-display.js";
import { boundedTable, maxShownRows } from "../runtime/output-bounds.js";
import { canDisplay, displayBundle, runMetadata, type Display, type MimeBundle } from "./display.js";
import { sessionOptionsFromEnv } from "./notebook-run-env.js";
import { Session, type RunOptions, type RunOutcome, type SessionOptions } from "./session.js";

export { Session, type RunOptions, type RunOutcome, type SessionOptions };
export type { ChartBundle, StepResult, UndrawnChart };

/** A chart from a run: its bundle, displayable in a notebook (undrawn, spec and text only, in a run with `displayCharts: false` that keeps no image of it). */
export interface Chart {
  title: string;
  bundle: ChartBundle | UndrawnChart;
  files: string[];
}

/** A trained model in the session, for TypeScript code: its description, metrics and predictions. */
export interface ModelHandle {
  name: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  /** Feature columns as the model sees them (one-hot columns expanded). */
  features: string[];
  classes: string[];
  /** Training options in effect. */
  params: Record<string, unknown>;
  /** Importance per feature column, where the algorithm defines it. */
  importance(): ColumnTable | undefined;
  /** Metrics on a dataset of the session (`test`, `validation`, ...). */
  evaluate(data: string, metrics?: string[]): Promise<Record<string, number>>;
  /**
   * Predictions, one row per input row: on a dataset of the session (with the actual values), or on
   * rows the session never saw — plain objects in the raw input schema, which get the model's own
   * preparation (a missing or mistyped field is an error naming it).
   */
  predict(data: string | readonly Record<string, unknown>[]): Promise<ColumnTable>;
  /** The JSON artifact: parameters, fitted preparation and weights. */
  toJSON(): Record<string, unknown>;
}

/** What `lathe.run` gives back to a TypeScript notebook. */
export interface LatheResult {
  ok: boolean;
  runId?: string;
  /** Every metric evaluated: model, data, metric, value. */
  metrics: ColumnTable;
  /** `show` results and datasets, as arquero tables. */
  tables: Record<string, ColumnTable>;
  charts: Chart[];
  /** Models trained or tuned by this run, by name. */
  models: Record<string, ModelHandle>;
  results: StepResult[];
  outcome: RunOutcome;
}

/** Raised when Lathe code has errors: the message holds each diagnostic with its caret. */
export class LatheError extends Error {
  override name = "LatheError";
}

let defaultSession: Promise<Session> | undefined;

export { metricRows };

/** A table's display bundle: arquero's HTML plus an aligned text form. */
export function tableBundle(table: ColumnTable, limit = maxShownRows): MimeBundle {
  return { "text/html": table.toHTML({ limit }), "text/plain": table.toMarkdown({ limit }) };
}

/** One rendered part of a result as a notebook output (bundle and metadata): the same for the kernel and TypeScript notebooks. */
export function partDisplay(part: RenderPart): Display {
  switch (part.kind) {
    case "table": {
      const { rows, note } = boundedTable(part);
      const table = rows.length ? aq.from(rows).select(part.columns) : aq.table(Object.fromEntries(part.columns.map((c) => [c, []])));
      const bundle = tableBundle(table);
      const html = `${part.title ? `<p><b>${escapeHtml(part.title)}</b></p>\n` : ""}${bundle["text/html"]}${note ? `\n<p><i>${escapeHtml(note)}</i></p>` : ""}`;
      const text = `${part.title ? `${part.title}\n` : ""}${bundle["text/plain"]}${note ? `(${note})\n` : ""}`;
      return { data: { "text/html": html, "text/plain": text }, metadata: {} };
    }
    case "chart":
      return chartDisplay(part.bundle);
    case "text":
      return { data: { "text/plain": part.text }, metadata: {} };
    default:
      return assertNever(part);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/**
 * The session `lathe.run` shares. Under `lathe notebook run` it records into the notebook's run, in
 * the command's store (the `--param` values reach a TypeScript notebook as constants instead).
 */
function openDefaultSession(): Promise<Session> {
  const { root, notebookRun } = sessionOptionsFromEnv();
  return Session.open(notebookRun ? { root, notebookRun } : {});
}

/**
 * Runs Lathe code in a shared session (state carries over between calls, like notebook cells)
 * and returns its metrics as an arquero table, charts as display bundles and `show` results as
 * tables. In a tslab notebook the metrics table and every chart are displayed inline.
 */
async function run(code: string, options: RunOptions & { display?: boolean; session?: Session } = {}): Promise<LatheResult> {
  const session = options.session ?? (await (defaultSession ??= openDefaultSession()));
  const outcome = await session.run(code, options);
  const errors = outcome.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new LatheError(outcome.diagnostics.map((d) => formatDiagnostic(d, options.file ?? "<cell>", code)).join("\n\n"));
  const results = outcome.output?.results ?? [];
  const rows = results.flatMap((r) => (r.kind === "metrics" ? metricRows(r) : []));
  const metrics = rows.length ? aq.from(rows) : aq.table({ model: [], data: [], metric: [], value: [] });
  const tables: Record<string, ColumnTable> = {};
  for (const r of results) {
    if (r.kind === "table") tables[r.name] = aq.from(r.rows);
    if (r.kind === "describe") tables[`describe ${r.name}`] = aq.from(r.columns);
  }
  const charts = results.flatMap((r) => (r.kind === "chart" ? [{ title: r.title, bundle: r.bundle, files: r.files }] : r.kind === "tune" ? [{ title: `tuning ${r.model}`, bundle: r.bundle, files: [] }] : []));
  const shouldDisplay = options.display ?? canDisplay();
  if (shouldDisplay) {
    for (const r of results) {
      for (const p of renderResult(r).parts) {
        const { data, metadata } = partDisplay(p);
        displayBundle(data, { ...metadata, ...runMetadata(outcome.runId) });
      }
    }
  }
  if (outcome.error) throw new LatheError(outcome.error.message);
  const models: Record<string, ModelHandle> = {};
  for (const r of results) if (r.kind === "model" || r.kind === "tune") models[r.kind === "model" ? r.name : r.model] = modelHandle(session, r.kind === "model" ? r.name : r.model);
  const result: LatheResult = { ok: outcome.ok, runId: outcome.runId, metrics, tables, charts, models, results, outcome };
  // Notebooks print a cell's last value: show a one-line summary, not the whole object graph.
  Object.defineProperty(result, Symbol.for("nodejs.util.inspect.custom"), {
    enumerable: false,
    value: () => `LatheResult { ok: ${result.ok}, run: ${result.runId ?? "-"}, statements: ${results.length}, metrics: ${metrics.numRows()}, charts: ${charts.length}, tables: ${Object.keys(tables).length}, models: ${Object.keys(models).join(", ") || "none"} }`,
  });
  return result;
}

/** A handle on a model of a session; it follows the name, so a later redefinition is what it sees. */
function modelHandle(session: Session, name: string): ModelHandle {
  const state = () => {
    const s = session.executor.modelState(name);
    if (!s) throw new LatheError(`model \`${name}\` is not in this session`);
    return s;
  };
  const s0 = state();
  return {
    name,
    algorithm: s0.algorithm,
    task: s0.task,
    target: s0.target,
    features: s0.featureColumns,
    classes: s0.classes,
    params: s0.params,
    importance() {
      const s = state();
      const imp = s.model.importance?.();
      return imp ? aq.table({ feature: s.featureColumns, importance: Array.from(imp) }).orderby(aq.desc("importance")) : undefined;
    },
    evaluate: async (data, metrics) => session.executor.score(state(), data, metrics ?? (state().task === "classification" ? defaultMetrics.classification : defaultMetrics.regression)),
    async predict(data) {
      if (typeof data !== "string") return predictionTable(createPredictor(packageOf(state()), state().model), data);
      const { yTrue, yPred, state: s } = await session.executor.predictions(state(), data);
      const label = (v: number) => (s.task === "classification" ? (s.classes[v] ?? null) : v);
      return aq.table({ actual: Array.from(yTrue, label), predicted: Array.from(yPred, label) });
    },
    toJSON: () => modelArtifact(state()),
  };
}

/** A model state as the package a model file holds (what serving and export load). */
function packageOf(state: ModelState): ModelPackage {
  return JSON.parse(JSON.stringify(modelArtifact(state))) as ModelPackage;
}

/** Predictions on rows as a table: the prediction, then each class's probability. */
function predictionTable(predictor: Predictor, rows: readonly Record<string, unknown>[]): ColumnTable {
  let out: Prediction[];
  try {
    out = predictor.predict(rows);
  } catch (e) {
    if (e instanceof InputError) throw new LatheError(`these rows do not fit the input of \`${predictor.name}\`: ${e.message}`);
    throw e;
  }
  const columns: Record<string, unknown[]> = { predicted: out.map((p) => p.prediction) };
  for (const c of out[0]?.probabilities ? predictor.classes : []) columns[`probability_${c}`] = out.map((p) => p.probabilities![c]);
  return aq.table(columns);
}

/** A model of the registry (`NAME`, `NAME@champion`, `NAME@latest`, or a version), loaded to predict on rows. */
export interface RegisteredModel {
  name: string;
  version: number;
  algorithm: string;
  task: "classification" | "regression";
  classes: string[];
  /** The raw columns a row needs, with their JSON types. */
  inputSchema: Predictor["inputSchema"];
  predict(rows: readonly Record<string, unknown>[]): ColumnTable;
}

/** Loads a registered model from a run store (default: `$LATHE_STORE`, else the nearest `.lathe/` up from the working directory) to predict on new rows. */
async function model(ref: string, options: { store?: string; version?: number } = {}): Promise<RegisteredModel> {
  const { RunStore } = await import("../runtime/run-store.js");
  const { loadModel } = await import("../runtime/predict/load.js");
  const { parseModelRef } = await import("../language/model-ref.js");
  const loaded = await loadModel(new RunStore(options.store !== undefined ? path.resolve(options.store) : defaultStoreRoot()), parseModelRef(ref, options.version));
  const p = loaded.predictor;
  return { name: loaded.version.name, version: loaded.version.version, algorithm: p.algorithm, task: p.task, classes: p.classes, inputSchema: p.inputSchema, predict: (rows) => predictionTable(p, rows) };
}

/** Displays a chart, a table or any MIME bundle in the notebook. */
function display(x: Chart | ColumnTable | MimeBundle): void {
  if (x && typeof (x as ColumnTable).toHTML === "function") displayBundle(tableBundle(x as ColumnTable));
  else if (x && "bundle" in (x as Chart)) {
    const { data, metadata } = chartDisplay((x as Chart).bundle);
    displayBundle(data, metadata);
  }
  else displayBundle(x as MimeBundle);
}

/** The TypeScript notebook API: `import { lathe } from "lathe"`. */
export const lathe = {
  run,
  display,
  /** Loads a registered model to predict on new rows: `await lathe.model("penguin-species@champion")`. */
  model,
  /** Opens a separate session (its own datasets and models). */
  session: (options?: SessionOptions) => Session.open(options),
  /** Arquero, for working with the returned tables. */
  aq,
};
