/**
 * One evaluation of a served model's monitoring rules over a window of its logs: drift of the
 * inputs it was sent (served, or scored in batches by `deploy ... batch`) against the reference
 * stored with its version, operational signals (request rate, latency percentiles, error rate,
 * the server process's RSS and CPU), and live metrics where labels arrived (through
 * `POST /feedback`, or in a labelled batch). Each threshold rule that fails is an alert. The result is what
 * `monitor-record.ts` stores (its format is described in docs/monitoring.md).
 */
import type { ModelRef } from "../../language/model-ref.js";
import { compare } from "../metrics/compare.js";
import { Database } from "../data/database.js";
import { DataError } from "../errors.js";
import { computeMetrics } from "../metrics/compute-metrics.js";
import { metricInfo } from "../metrics/metric-info.js";
import { ModelRegistry } from "../model-registry.js";
import { batchLogDir, feedbackLogDir, predictionErrorLogDir, predictionLogDir, resourceLogDir } from "../serve/prediction-log.js";
import { ident, literal } from "../sql/quote.js";
import { storeLayout } from "../store/store-layout.js";
import { DATASET_DRIFT_SHARE, type FeatureDrift, summarise } from "./drift.js";
import { loadLog, type LogFields, type TimeWindow } from "./log-window.js";
import { REFERENCE_FORMAT, type ModelReference } from "./model-reference.js";
import type { MonitorRules } from "./monitor-rules.js";
import { latencySummary } from "./percentiles.js";
import { driftAgainstProfile, type CurrentValues, type FeatureProfile, type ReferenceProfile } from "./profile.js";
import { CategoryCounts } from "./values.js";

/** The window of an evaluation: the last `lastMs` before `now`, from `since`, or (neither) everything logged. */
export interface WindowChoice {
  lastMs?: number;
  since?: Date;
}

/**
 * Which scored rows the drift and live metrics cover: those the server answered (`serve`), those
 * `deploy ... batch` scored (`batch`), or both (`all`, the default). Requests, latency, error rate,
 * RSS and CPU are the server's, so `batch` has none of them.
 */
export type MonitorSource = "serve" | "batch" | "all";

/** What `evaluateMonitor` needs. */
export interface MonitorInput {
  /** The run store's folder (`.lathe`). */
  root: string;
  /** The registered model; its reference is the version `ref` names (the champion by default). */
  ref: ModelRef;
  rules: MonitorRules;
  window?: WindowChoice;
  /** Served rows, batch-scored rows, or both (default). */
  source?: MonitorSource;
  /** The evaluation's time (default now). */
  now?: Date;
}

/** One feature's drift, with its PSI and missing shares beside the rule's statistic. */
export type FeatureDriftRecord = FeatureDrift & { psi: number; missing: { reference: number; current: number } };

/** A threshold's outcome; `observed` is absent when its signal had no data in the window (not an alert). */
export interface RuleOutcome {
  rule: string;
  signal: string;
  op: string;
  bound: number;
  observed?: number;
  passed?: boolean;
}

/** One point of a signal over time (a bucket of the window). */
export interface SeriesPoint {
  time: string;
  requests: number;
  errors: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** Share of labelled predictions of the bucket that were right (classification), or null. */
  accuracy: number | null;
  labelled: number;
  /** Largest RSS sampled in the bucket (bytes), or null. */
  rss: number | null;
  /** CPU per wall-clock time over the bucket's samples (1 = one core), or null. */
  cpu: number | null;
}

/** The result of an evaluation (the stored record: docs/monitoring.md). */
export interface MonitorResult {
  format: "lathe-monitor-result";
  name: string;
  /** The version whose reference the inputs were compared with. */
  version: number;
  at: string;
  window: { from: string; to: string };
  /** Which scored rows drift and live metrics cover. */
  source: MonitorSource;
  /** Every signal measured, by its threshold's text form: `latency p99` (ms), `error_rate`, `drift`, `psi`, `requests` (per minute), `rss max` (bytes), `cpu mean`, metrics. */
  signals: Record<string, number>;
  drift: FeatureDriftRecord[];
  dataset: { drifted: boolean; share: number; threshold: number } | null;
  alerts: { rule: string; observed: number; bound: number }[];
  rules: RuleOutcome[];
  counts: {
    /** Served predictions (rows) in the window. */
    predictions: number;
    requests: number;
    errors: number;
    feedback: number;
    /** Predictions with a label, served and batch. */
    labelled: number;
    /** Process samples of the server(s). */
    resources: number;
    /** Batches scored by `deploy ... batch` in the window: rows scored, rows logged (all, or a seeded sample), logged rows with a label. */
    batch: { batches: number; scored: number; logged: number; labelled: number };
    skipped: { predictions: number; errors: number; feedback: number; resources: number; batch: number };
  };
  /** Predictions in the window (served and batch-scored) by the version that made them. */
  versions: Record<string, number>;
  series: { bucketMs: number; points: SeriesPoint[] };
  notes: string[];
}

const bucketSizes = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000];

/** Evaluates the rules of a registered model over a window of its prediction, error and feedback logs. */
export async function evaluateMonitor(input: MonitorInput): Promise<MonitorResult> {
  const now = input.now ?? new Date();
  const registry = new ModelRegistry(storeLayout(input.root));
  const { resolveVersion } = await import("../predict/load.js");
  const version = await resolveVersion(registry, input.ref);
  const reference = registry.reference<ModelReference>(version.name, version.version);
  if (!reference || reference.format !== REFERENCE_FORMAT) {
    throw new DataError(`version ${version.version} of "${version.name}" has no reference profile to compare its inputs with: it was registered before Lathe stored one with every version; register the model again (run the program that registers it) to monitor it`, undefined, "no-reference-profile");
  }
  const name = version.name;
  const window: TimeWindow = input.window?.lastMs !== undefined ? { from: now.getTime() - input.window.lastMs, to: now.getTime() } : { from: input.window?.since?.getTime() ?? 0, to: now.getTime() };
  // The rules' columns are checked before any log is read.
  const wanted = driftColumns(reference, input.rules);
  const features = [...wanted.keys()];
  const source = input.source ?? "all";
  const served = source !== "batch";
  const batched = source !== "serve";
  const db = await Database.open(":memory:", { threads: "2" });
  try {
    // Labels count for predictions in the window whenever they arrived; read first, since without
    // any the predictions' answers and probabilities need not be read.
    const f = await loadLog(db, served ? feedbackLogDir(input.root, name) : undefined, "f", { from: 0, to: Number.MAX_SAFE_INTEGER }, { row: "BIGINT", label: "VARCHAR" }, ["coalesce(row, 0) AS r", "label"]);
    const p = await loadLog(db, served ? predictionLogDir(input.root, name) : undefined, "p", window, ...predictionFields(reference.profile, features, f.rows > 0));
    const e = await loadLog(db, served ? predictionErrorLogDir(input.root, name) : undefined, "e", window, {}, []);
    const r = await loadLog(db, served ? resourceLogDir(input.root, name) : undefined, "r", window, { rss_bytes: "DOUBLE", cpu: "DOUBLE", interval_ms: "DOUBLE" }, ["rss_bytes AS rss", "cpu", "interval_ms AS span"], "pid");
    const [bFields, bSelect] = predictionFields(reference.profile, features, true);
    const b = await loadLog(db, batched ? batchLogDir(input.root, name) : undefined, "b", window, { ...bFields, label: "VARCHAR", batch_rows: "BIGINT" }, [...bSelect, "label", "batch_rows"]);
    const notes: string[] = [];
    const skipped = p.skipped + e.skipped + f.skipped + r.skipped + b.skipped;
    if (skipped) notes.push(`skipped ${skipped} damaged log line(s) (predictions ${p.skipped}, errors ${e.skipped}, feedback ${f.skipped}, resources ${r.skipped}, batch ${b.skipped})`);
    const everything = input.window?.lastMs === undefined && input.window?.since === undefined;
    if (everything && p.rows + e.rows + r.rows + b.rows) {
      const [lo] = await db.rows(`SELECT least((SELECT min(t) FROM p), (SELECT min(t) FROM e), (SELECT min(t) FROM r), (SELECT min(t) FROM b)) AS lo`);
      window.from = Number(lo.lo);
    }
    if (everything && !(p.rows + e.rows + r.rows + b.rows)) window.from = window.to;

    // One row per request: its time and latency (every row of a request has the request's own), by time.
    const [requestTimes, reqLatency] = (await db.float64Columns(`SELECT CAST(min(t) AS DOUBLE) AS t, max(latency) AS latency FROM p GROUP BY request_id ORDER BY 1`)).columns;
    const [errTimes] = (await db.float64Columns(`SELECT CAST(t AS DOUBLE) FROM e ORDER BY t`)).columns;
    const versions = Object.fromEntries((await db.rows(`SELECT version AS v, count(*) AS n FROM (SELECT version FROM p UNION ALL SELECT version FROM b) GROUP BY 1 ORDER BY 1`)).map((x) => [String(x.v), Number(x.n)]));

    const signals: Record<string, number> = {};
    if (served) {
      const minutes = Math.max(1, (window.to - window.from) / 60_000);
      signals.requests = requestTimes.length / minutes;
    }
    const latency = latencySummary(reqLatency);
    for (const q of ["p50", "p90", "p95", "p99", "mean", "max"] as const) if (latency[q] !== null) signals[`latency ${q}`] = latency[q]!;
    if (requestTimes.length + errTimes.length) signals.error_rate = errTimes.length / (requestTimes.length + errTimes.length);
    const samples = r.rows ? await resourceSamples(db, signals) : { times: new Float64Array(), rss: new Float64Array(), cpu: new Float64Array(), span: new Float64Array() };

    // The batches of the window: rows scored, rows logged, labelled rows.
    const [batch] = await db.rows(`SELECT count(DISTINCT request_id) AS batches, count(*) AS logged, count(label) AS labelled, coalesce((SELECT sum(n) FROM (SELECT max(batch_rows) AS n FROM b GROUP BY request_id)), 0) AS scored FROM b`);
    const batches = { batches: Number(batch.batches), scored: Number(batch.scored), logged: Number(batch.logged), labelled: Number(batch.labelled) };
    if (batches.scored > batches.logged) notes.push(`${batches.logged} of the ${batches.scored} rows scored in ${batches.batches} batch(es) were logged (a seeded sample of each large batch): drift and batch metrics are over the sample`);

    // Drift of what the model was sent (and scored in batches) against its reference.
    const inputs = p.rows + b.rows;
    if (inputs) await db.exec(`CREATE OR REPLACE TEMP VIEW x AS SELECT ${features.map((_, i) => `f${i}`).join(", ") || "1 AS one"} FROM p UNION ALL SELECT ${features.map((_, i) => `f${i}`).join(", ") || "1 AS one"} FROM b`);
    const drift = inputs ? await windowDrift(db, reference.profile, wanted, inputs, notes) : [];
    if (!inputs) notes.push(`no ${source === "serve" ? "served predictions" : source === "batch" ? "batch-scored rows" : "predictions"} in the window: no drift or live metrics`);
    const dataset = drift.length ? summarise(drift, DATASET_DRIFT_SHARE) : null;
    if (dataset) {
      signals.drift = dataset.share;
      signals.psi = Math.max(...drift.map((d) => d.psi));
    }

    // Live metrics: the latest label of each logged prediction joined to it, and the labels batches carried.
    const live = f.rows || batches.labelled ? await liveMetrics(db, reference, input.rules, f.rows > 0, notes) : { metrics: {}, labelled: 0, points: [] };
    Object.assign(signals, live.metrics);

    const rules: RuleOutcome[] = input.rules.thresholds.map((t) => {
      const observed = signals[t.key];
      if (observed === undefined || Number.isNaN(observed)) return { rule: t.text, signal: t.key, op: t.op, bound: t.bound };
      return { rule: t.text, signal: t.key, op: t.op, bound: t.bound, observed, passed: compare(observed, t.op, t.bound) };
    });
    for (const x of rules) if (x.observed === undefined) notes.push(`\`${x.rule}\` not evaluated: no ${x.signal} in the window${!served && !(x.signal in metricInfo) ? " (the server's signals are not read with --source batch)" : ""}`);
    const alerts = rules.filter((x) => x.passed === false).map((x) => ({ rule: x.rule, observed: x.observed!, bound: x.bound }));

    const bucketMs = bucketSizes.find((size) => (window.to - window.from) / size <= 60) ?? bucketSizes[bucketSizes.length - 1];
    const series = buildSeries(window, bucketMs, requestTimes, reqLatency, errTimes, live.points, samples);
    return {
      format: "lathe-monitor-result",
      name,
      version: version.version,
      at: now.toISOString(),
      window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
      source,
      signals,
      drift,
      dataset: dataset ? { drifted: dataset.drifted, share: dataset.share, threshold: dataset.threshold } : null,
      alerts,
      rules,
      counts: {
        predictions: p.rows,
        requests: requestTimes.length,
        errors: e.rows,
        feedback: f.rows,
        labelled: live.labelled,
        resources: r.rows,
        batch: batches,
        skipped: { predictions: p.skipped, errors: e.skipped, feedback: f.skipped, resources: r.skipped, batch: b.skipped },
      },
      versions,
      series: { bucketMs, points: series },
      notes,
    };
  } finally {
    db.close();
  }
}

/** The process samples of the window, by time; sets the `rss` and `cpu` signals (CPU weighted by each sample's interval). */
async function resourceSamples(db: Database, signals: Record<string, number>): Promise<ResourceSamples> {
  const [s] = await db.rows(`SELECT avg(rss) AS rss_mean, max(rss) AS rss_max,
      sum(cpu * span) FILTER (WHERE span > 0) / sum(span) FILTER (WHERE span > 0 AND cpu IS NOT NULL) AS cpu_mean, max(cpu) FILTER (WHERE span > 0) AS cpu_max FROM r`);
  for (const [key, column] of [["rss mean", "rss_mean"], ["rss max", "rss_max"], ["cpu mean", "cpu_mean"], ["cpu max", "cpu_max"]]) if (s[column] !== null) signals[key] = Number(s[column]);
  const [times, rss, cpu, span] = (await db.float64Columns(`SELECT CAST(t AS DOUBLE), rss, cpu, span FROM r ORDER BY t`)).columns;
  return { times, rss, cpu, span };
}

/** Process samples by time: RSS (bytes), CPU share and the interval each covers (ms); NaN where a field was missing. */
interface ResourceSamples {
  times: Float64Array;
  rss: Float64Array;
  cpu: Float64Array;
  span: Float64Array;
}

/** The columns the drift rules name (every profiled one without a rule) with their method; an unknown or unprofiled column is a coded error. */
function driftColumns(reference: ModelReference, rules: MonitorRules): Map<string, string> {
  const profile = reference.profile;
  const byName = new Set(profile.features.map((f) => f.feature));
  const driftRules = rules.drift.length ? rules.drift : [{ columns: [], method: "auto" }];
  const wanted = new Map<string, string>();
  for (const r of driftRules) {
    for (const c of r.columns.length ? r.columns : profile.features.map((f) => f.feature)) {
      if (!byName.has(c)) {
        const why = reference.unprofiled.find((u) => u.column === c);
        throw new DataError(why ? `cannot measure drift on \`${c}\`: ${why.reason}` : `\`${c}\` is not an input column of "${reference.name}" (its inputs: ${reference.input.map((i) => `\`${i.name}\``).join(", ")})`, undefined, why ? "not-profiled" : "unknown-column");
      }
      wanted.set(c, r.method);
    }
  }
  return wanted;
}

/**
 * What to read of each logged prediction: its request's latency, its version, its row (0 when
 * absent), the inputs whose drift is measured (as `f0`, `f1`... in `features` order: DOUBLE for
 * numeric ones, text otherwise), and, when labels arrived, its prediction and probabilities.
 */
function predictionFields(profile: ReferenceProfile, features: string[], labelled: boolean): [LogFields, string[]] {
  const fields: LogFields = { row: "BIGINT", version: "VARCHAR", latency_ms: "DOUBLE" };
  const select = ["coalesce(row, 0) AS r", "version", "latency_ms AS latency"];
  if (labelled) {
    Object.assign(fields, { prediction: "VARCHAR", probabilities: "JSON" });
    select.push("prediction", "CAST(probabilities AS VARCHAR) AS proba");
  }
  if (features.length) {
    // A STRUCT of the wanted inputs is read in the same pass as the rest; its field names are
    // case-insensitive in DuckDB, so inputs differing only in case are extracted from JSON instead.
    const kinds = new Map(profile.features.map((f) => [f.feature, f.kind]));
    const distinct = new Set(features.map((c) => c.toLowerCase())).size === features.length;
    fields.input = distinct ? `STRUCT(${features.map((c) => `${ident(c)} ${kinds.get(c) === "numeric" ? "DOUBLE" : "VARCHAR"}`).join(", ")})` : "JSON";
    features.forEach((c, i) => {
      if (distinct) select.push(`struct_extract(input, ${literal(c)}) AS f${i}`);
      else select.push(`${kinds.get(c) === "numeric" ? `TRY_CAST(input ->> ${literal(c)} AS DOUBLE)` : `input ->> ${literal(c)}`} AS f${i}`);
    });
  }
  return [fields, select];
}

/** Each monitored feature's drift (the rule's method) and PSI; a feature with no present value in the window is noted, not compared. */
async function windowDrift(db: Database, profile: ReferenceProfile, wanted: Map<string, string>, rows: number, notes: string[]): Promise<FeatureDriftRecord[]> {
  const byName = new Map(profile.features.map((f) => [f.feature, f]));
  const features = [...wanted.keys()];
  if (!features.length) return [];
  const [missing] = await db.rows(`SELECT ${features.map((_, i) => `count(*) FILTER (WHERE f${i} IS NULL) AS f${i}`).join(", ")} FROM x`);
  const out: FeatureDriftRecord[] = [];
  for (const [i, c] of features.entries()) {
    const f = byName.get(c)!;
    const one: ReferenceProfile = { ...profile, features: [f] };
    const current = { [c]: await currentValues(db, f, `f${i}`) };
    try {
      const d = driftAgainstProfile(one, current, wanted.get(c) as never).features[0];
      const psi = driftAgainstProfile(one, current, "psi").features[0].statistic;
      out.push({ ...d, psi, missing: { reference: f.missingShare, current: rows ? Number(missing[`f${i}`]) / rows : 0 } });
    } catch (e) {
      if (e instanceof DataError && (e.code === "empty-window" || e.code === "empty-reference")) notes.push(e.message);
      else throw e;
    }
  }
  return out;
}

/** A feature's values in the window (view `x`: served and batch-scored inputs): every one, as a typed array, for a numeric feature (the tests and distances need them all); counts by category for a categorical one. */
async function currentValues(db: Database, f: FeatureProfile, column: string): Promise<CurrentValues> {
  if (f.kind === "numeric") return (await db.float64Columns(`SELECT ${column} FROM x`)).columns[0];
  const counts = await db.rows(`SELECT ${column} AS v, count(*) AS n FROM x WHERE ${column} IS NOT NULL GROUP BY 1`);
  return new CategoryCounts(new Map(counts.map((r) => [String(r.v), Number(r.n)])));
}

/** Live metrics over the predictions in the window that have a label (the latest sent for each served one; a labelled batch's own), and per-prediction correctness over time. */
async function liveMetrics(db: Database, reference: ModelReference, rules: MonitorRules, feedback: boolean, notes: string[]): Promise<{ metrics: Record<string, number>; labelled: number; points: { t: number; right: number }[] }> {
  // The served predictions were read with their answers only when labels had arrived.
  const served = `WITH labels AS (SELECT request_id AS id, r, label FROM f QUALIFY row_number() OVER (PARTITION BY request_id, r ORDER BY t DESC) = 1)
      SELECT p.t, p.prediction, labels.label, p.proba, p.request_id, p.r
      FROM p JOIN labels ON labels.id = p.request_id AND labels.r = p.r`;
  const batch = `SELECT t, prediction, label, proba, request_id, r FROM b WHERE label IS NOT NULL`;
  const rows = (await columnsOf(db, 4, `${feedback ? `${served} UNION ALL ${batch}` : batch} ORDER BY 1, 5, 6`)) as [unknown[], (string | null)[], (string | null)[], (string | null)[]];
  const [times, predicted, labels, probas] = rows;
  const n = times.length;
  if (!n) return { metrics: {}, labelled: 0, points: [] };
  const task = reference.task as "classification" | "regression";
  const named = rules.thresholds.map((t) => t.key).filter((k) => metricInfo[k]?.task === task);
  const defaults = task === "classification" ? ["accuracy", "precision", "recall", "f1"] : ["rmse", "mae", "r2"];
  const wanted = [...new Set([...defaults, ...named])];
  const yTrue = new Float32Array(n);
  const yPred = new Float32Array(n);
  let classes: string[] = [];
  let proba: Float32Array | undefined;
  if (task === "classification") {
    classes = [...(reference.classes ?? [])];
    const index = new Map(classes.map((c, i) => [c, i]));
    const at = (v: string | null) => {
      const key = v ?? "";
      if (!index.has(key)) index.set(key, classes.push(key) - 1);
      return index.get(key)!;
    };
    for (let i = 0; i < n; i++) {
      yTrue[i] = at(labels[i]);
      yPred[i] = at(predicted[i]);
    }
    // Probability metrics when every labelled prediction logged its probabilities and no label is a class the model lacks.
    if (probas.every((p) => p !== null) && classes.length === (reference.classes ?? []).length) {
      proba = new Float32Array(n * classes.length);
      for (let i = 0; i < n; i++) {
        const p = JSON.parse(probas[i]!) as Record<string, number>;
        classes.forEach((c, k) => (proba![i * classes.length + k] = p[c] ?? 0));
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      yTrue[i] = Number(labels[i]);
      yPred[i] = Number(predicted[i]);
    }
  }
  const metrics: Record<string, number> = {};
  for (const m of wanted) {
    if (metricInfo[m]?.needsProba && !proba) {
      if (named.includes(m)) notes.push(`${m} needs the predictions' probabilities for every labelled row`);
      continue;
    }
    metrics[m] = computeMetrics([m], { task, yTrue, yPred, proba, classes })[m];
  }
  const points = task === "classification" ? Array.from({ length: n }, (_, i) => ({ t: Number(times[i]), right: yTrue[i] === yPred[i] ? 1 : 0 })) : [];
  return { metrics, labelled: n, points };
}

/** A query's `k` columns as arrays (empty ones when it has no rows). */
async function columnsOf(db: Database, k: number, sql: string): Promise<unknown[][]> {
  const got = (await db.connection.runAndReadAll(sql)).getColumnsJS();
  return Array.from({ length: k }, (_, i) => got[i] ?? []);
}

/** Requests, errors, latency percentiles, accuracy, RSS and CPU per bucket of the window; `times` (of the requests, with their `latency`) ascending. */
function buildSeries(window: TimeWindow, bucketMs: number, times: Float64Array, latency: Float64Array, errors: Float64Array, labelled: { t: number; right: number }[], samples: ResourceSamples): SeriesPoint[] {
  const start = Math.floor(window.from / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((window.to + 1 - start) / bucketMs));
  const errs = new Array<number>(count).fill(0);
  const right = new Array<number>(count).fill(0);
  const seen = new Array<number>(count).fill(0);
  const slot = (t: number) => Math.min(count - 1, Math.max(0, Math.floor((t - start) / bucketMs)));
  for (const t of errors) errs[slot(t)]++;
  for (const l of labelled) {
    seen[slot(l.t)]++;
    right[slot(l.t)] += l.right;
  }
  const rss = new Array<number | null>(count).fill(null);
  const cpuTime = new Array<number>(count).fill(0);
  const cpuSpan = new Array<number>(count).fill(0);
  samples.times.forEach((t, i) => {
    const k = slot(t);
    if (!Number.isNaN(samples.rss[i])) rss[k] = Math.max(rss[k] ?? 0, samples.rss[i]);
    if (!Number.isNaN(samples.cpu[i]) && samples.span[i] > 0) {
      cpuTime[k] += samples.cpu[i] * samples.span[i];
      cpuSpan[k] += samples.span[i];
    }
  });
  // The requests are in time order, so each bucket's are one run of them.
  let next = 0;
  return Array.from({ length: count }, (_, k) => {
    const first = next;
    while (next < times.length && slot(times[next]) === k) next++;
    const s = latencySummary(latency.subarray(first, next));
    return { time: new Date(start + k * bucketMs).toISOString(), requests: next - first, errors: errs[k], p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, accuracy: seen[k] ? right[k] / seen[k] : null, labelled: seen[k], rss: rss[k], cpu: cpuSpan[k] ? cpuTime[k] / cpuSpan[k] : null };
  });
}
