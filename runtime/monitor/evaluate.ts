/**
 * One evaluation of a served model's monitoring rules over a window of its logs: drift of the
 * inputs it was sent against the reference stored with its version, operational signals (request
 * rate, latency percentiles, error rate), and live metrics where labels arrived through
 * `POST /feedback`. Each threshold rule that fails is an alert. The result is what
 * `monitor-record.ts` stores (its format is described in docs/monitoring.md).
 */
import type { ModelRef } from "../../language/model-ref.js";
import { compare } from "../metrics/compare.js";
import { Database } from "../data/database.js";
import { DataError } from "../errors.js";
import { computeMetrics } from "../metrics/compute-metrics.js";
import { metricInfo } from "../metrics/metric-info.js";
import { ModelRegistry } from "../model-registry.js";
import { feedbackLogDir, predictionErrorLogDir, predictionLogDir } from "../serve/prediction-log.js";
import { ident, literal } from "../sql/quote.js";
import { storeLayout } from "../store/store-layout.js";
import { DATASET_DRIFT_SHARE, type FeatureDrift, summarise } from "./drift.js";
import { loadLog, type TimeWindow } from "./log-window.js";
import { REFERENCE_FORMAT, type ModelReference } from "./model-reference.js";
import type { MonitorRules } from "./monitor-rules.js";
import { latencySummary } from "./percentiles.js";
import { driftAgainstProfile, type ColumnValues, type ReferenceProfile } from "./profile.js";

/** The window of an evaluation: the last `lastMs` before `now`, from `since`, or (neither) everything logged. */
export interface WindowChoice {
  lastMs?: number;
  since?: Date;
}

/** What `evaluateMonitor` needs. */
export interface MonitorInput {
  /** The run store's folder (`.lathe`). */
  root: string;
  /** The registered model; its reference is the version `ref` names (the champion by default). */
  ref: ModelRef;
  rules: MonitorRules;
  window?: WindowChoice;
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
}

/** The result of an evaluation (the stored record: docs/monitoring.md). */
export interface MonitorResult {
  format: "lathe-monitor-result";
  name: string;
  /** The version whose reference the inputs were compared with. */
  version: number;
  at: string;
  window: { from: string; to: string };
  /** Every signal measured, by its threshold's text form: `latency p99` (ms), `error_rate`, `drift`, `psi`, `requests` (per minute), metrics. */
  signals: Record<string, number>;
  drift: FeatureDriftRecord[];
  dataset: { drifted: boolean; share: number; threshold: number } | null;
  alerts: { rule: string; observed: number; bound: number }[];
  rules: RuleOutcome[];
  counts: { predictions: number; requests: number; errors: number; feedback: number; labelled: number; skipped: { predictions: number; errors: number; feedback: number } };
  /** Predictions in the window by the version that answered them. */
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
  const db = await Database.open(":memory:", { threads: "2" });
  try {
    const p = await loadLog(db, predictionLogDir(input.root, name), "p", window);
    const e = await loadLog(db, predictionErrorLogDir(input.root, name), "e", window);
    // Labels count for predictions in the window whenever they arrived.
    const f = await loadLog(db, feedbackLogDir(input.root, name), "f", { from: 0, to: Number.MAX_SAFE_INTEGER });
    const notes: string[] = [];
    if (p.skipped + e.skipped + f.skipped) notes.push(`skipped ${p.skipped + e.skipped + f.skipped} damaged log line(s) (predictions ${p.skipped}, errors ${e.skipped}, feedback ${f.skipped})`);
    const everything = input.window?.lastMs === undefined && input.window?.since === undefined;
    if (everything && p.rows + e.rows) {
      const [r] = await db.rows(`SELECT least((SELECT min(t) FROM p), (SELECT min(t) FROM e)) AS lo`);
      window.from = Number(r.lo);
    }
    if (everything && !(p.rows + e.rows)) window.from = window.to;

    // One row per request: its time and latency (every row of a request has the request's own).
    const [reqTimes, reqLatency] = (await columnsOf(db, 2, `SELECT min(t) AS t, max(TRY_CAST(j ->> 'latency_ms' AS DOUBLE)) AS latency FROM p GROUP BY j ->> 'request_id' ORDER BY 1`)) as [unknown[], (number | null)[]];
    const requestTimes = reqTimes.map(Number);
    const errTimes = (await columnsOf(db, 1, `SELECT t FROM e ORDER BY t`))[0].map(Number);
    const versions = Object.fromEntries((await db.rows(`SELECT CAST(j ->> 'version' AS VARCHAR) AS v, count(*) AS n FROM p GROUP BY 1 ORDER BY 1`)).map((r) => [String(r.v), Number(r.n)]));

    const signals: Record<string, number> = {};
    const minutes = Math.max(1, (window.to - window.from) / 60_000);
    signals.requests = requestTimes.length / minutes;
    const latency = latencySummary(Float64Array.from(reqLatency, (v) => (v === null ? NaN : v)));
    for (const q of ["p50", "p90", "p95", "p99", "mean", "max"] as const) if (latency[q] !== null) signals[`latency ${q}`] = latency[q]!;
    if (requestTimes.length + errTimes.length) signals.error_rate = errTimes.length / (requestTimes.length + errTimes.length);

    // Drift of what the model was sent against its reference.
    const drift = p.rows ? await windowDrift(db, reference, input.rules, notes) : [];
    if (!p.rows) notes.push("no predictions in the window: no drift or live metrics");
    const dataset = drift.length ? summarise(drift, DATASET_DRIFT_SHARE) : null;
    if (dataset) {
      signals.drift = dataset.share;
      signals.psi = Math.max(...drift.map((d) => d.psi));
    }

    // Live metrics: the latest label of each logged prediction joined to it.
    const live = await liveMetrics(db, reference, input.rules, notes);
    Object.assign(signals, live.metrics);

    const rules: RuleOutcome[] = input.rules.thresholds.map((t) => {
      const observed = signals[t.key];
      if (observed === undefined || Number.isNaN(observed)) return { rule: t.text, signal: t.key, op: t.op, bound: t.bound };
      return { rule: t.text, signal: t.key, op: t.op, bound: t.bound, observed, passed: compare(observed, t.op, t.bound) };
    });
    for (const r of rules) if (r.observed === undefined) notes.push(`\`${r.rule}\` not evaluated: no ${r.signal} in the window`);
    const alerts = rules.filter((r) => r.passed === false).map((r) => ({ rule: r.rule, observed: r.observed!, bound: r.bound }));

    const bucketMs = bucketSizes.find((b) => (window.to - window.from) / b <= 60) ?? bucketSizes[bucketSizes.length - 1];
    const series = buildSeries(window, bucketMs, requestTimes, reqLatency, errTimes, live.points);
    return {
      format: "lathe-monitor-result",
      name,
      version: version.version,
      at: now.toISOString(),
      window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
      signals,
      drift,
      dataset: dataset ? { drifted: dataset.drifted, share: dataset.share, threshold: dataset.threshold } : null,
      alerts,
      rules,
      counts: { predictions: p.rows, requests: requestTimes.length, errors: e.rows, feedback: f.rows, labelled: live.labelled, skipped: { predictions: p.skipped, errors: e.skipped, feedback: f.skipped } },
      versions,
      series: { bucketMs, points: series },
      notes,
    };
  } finally {
    db.close();
  }
}

/** Each monitored feature's drift (the rule's method) and PSI; a feature with no present value in the window is noted, not compared. */
async function windowDrift(db: Database, reference: ModelReference, rules: MonitorRules, notes: string[]): Promise<FeatureDriftRecord[]> {
  const profile = reference.profile;
  const byName = new Map(profile.features.map((f) => [f.feature, f]));
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
  if (!wanted.size) return [];
  const features = [...wanted.keys()];
  const select = features.map((c) => {
    const value = `(j -> 'input') ->> ${literal(c)}`;
    return `${byName.get(c)!.kind === "numeric" ? `TRY_CAST(${value} AS DOUBLE)` : value} AS ${ident(c)}`;
  });
  const columns = await columnsOf(db, features.length, `SELECT ${select.join(", ")} FROM p`);
  const out: FeatureDriftRecord[] = [];
  features.forEach((c, i) => {
    const f = byName.get(c)!;
    const values = columns[i] as ColumnValues;
    const one: ReferenceProfile = { ...profile, features: [f] };
    const current = { [c]: values };
    try {
      const d = driftAgainstProfile(one, current, wanted.get(c) as never).features[0];
      const psi = driftAgainstProfile(one, current, "psi").features[0].statistic;
      let missing = 0;
      for (let k = 0; k < values.length; k++) if (values[k] === null || values[k] === undefined) missing++;
      out.push({ ...d, psi, missing: { reference: f.missingShare, current: values.length ? missing / values.length : 0 } });
    } catch (e) {
      if (e instanceof DataError && (e.code === "empty-window" || e.code === "empty-reference")) notes.push(e.message);
      else throw e;
    }
  });
  return out;
}

/** Live metrics over the predictions in the window that have a label (the latest sent for each), and per-prediction correctness over time. */
async function liveMetrics(db: Database, reference: ModelReference, rules: MonitorRules, notes: string[]): Promise<{ metrics: Record<string, number>; labelled: number; points: { t: number; right: number }[] }> {
  const rows = (await columnsOf(db, 4, `
      WITH labels AS (
        SELECT j ->> 'request_id' AS id, coalesce(TRY_CAST(j ->> 'row' AS BIGINT), 0) AS r, j ->> 'label' AS label
        FROM f QUALIFY row_number() OVER (PARTITION BY j ->> 'request_id', coalesce(TRY_CAST(j ->> 'row' AS BIGINT), 0) ORDER BY t DESC) = 1)
      SELECT p.t, p.j ->> 'prediction' AS prediction, labels.label, CAST(p.j -> 'probabilities' AS VARCHAR) AS proba
      FROM p JOIN labels ON labels.id = (p.j ->> 'request_id') AND labels.r = coalesce(TRY_CAST(p.j ->> 'row' AS BIGINT), 0)
      ORDER BY p.t, p.j ->> 'request_id', labels.r`)) as [unknown[], (string | null)[], (string | null)[], (string | null)[]];
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

/** Requests, errors, latency percentiles and accuracy per bucket of the window. */
function buildSeries(window: TimeWindow, bucketMs: number, times: number[], latency: (number | null)[], errors: number[], labelled: { t: number; right: number }[]): SeriesPoint[] {
  const start = Math.floor(window.from / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((window.to + 1 - start) / bucketMs));
  const lat: number[][] = Array.from({ length: count }, () => []);
  const errs = new Array<number>(count).fill(0);
  const right = new Array<number>(count).fill(0);
  const seen = new Array<number>(count).fill(0);
  const slot = (t: number) => Math.min(count - 1, Math.max(0, Math.floor((t - start) / bucketMs)));
  times.forEach((t, i) => lat[slot(t)].push(latency[i] ?? NaN));
  for (const t of errors) errs[slot(t)]++;
  for (const l of labelled) {
    seen[slot(l.t)]++;
    right[slot(l.t)] += l.right;
  }
  return lat.map((values, k) => {
    const s = latencySummary(values);
    return { time: new Date(start + k * bucketMs).toISOString(), requests: values.length, errors: errs[k], p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, accuracy: seen[k] ? right[k] / seen[k] : null, labelled: seen[k] };
  });
}
