import type { MetricSeries, StoredRun } from "./run-store.js";
import { metricNameParts } from "./store/run-query.js";

/** One run of a comparison, as `lathe runs compare --json` gives it. */
export interface ComparedRun {
  /** A, B, C ... in the order the runs were given. */
  label: string;
  id: string;
  name?: string;
  parent?: string;
  status: string;
  startedAt: string;
  programPath: string;
  git?: StoredRun["git"];
  user?: string;
  host?: string;
  tags: Record<string, string>;
  params: Record<string, unknown>;
  /** `model.data.metric` → value. */
  metrics: Record<string, number>;
}

/** Several runs side by side (`dvc exp show`'s view): every param and metric any of them has, and which differ. */
export interface RunComparison {
  runs: ComparedRun[];
  /** Every param name, every tag key and every metric key (`model.data.metric`) of any run, in the order first met. */
  params: string[];
  tags: string[];
  metrics: string[];
  /** Those whose values are not all the same (bit for bit; absent on a run counts as different). */
  differing: { params: string[]; tags: string[]; metrics: string[] };
}

/** A metric's key in comparisons, `--where` and `--chart`: `model.data.metric`. */
export function metricKey(m: { model: string; data: string; metric: string }): string {
  return `${m.model}.${m.data}.${m.metric}`;
}

/** Whether a metric (or series) answers to a name: its key or a suffix of it (`f1`, `test.f1`, `species.test.f1`). */
export function metricMatches(m: { model: string; data: string; metric: string }, name: string): boolean {
  const p = metricNameParts(name);
  return m.metric === p.metric && (p.data === undefined || m.data === p.data) && (p.model === undefined || m.model === p.model);
}

/** A, B, ... Z, AA, AB, ...: a label per position. */
export function runLabel(i: number): string {
  let s = "";
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Lines runs up side by side. */
export function compareRuns(runs: StoredRun[]): RunComparison {
  const compared: ComparedRun[] = runs.map((r, i) => ({
    label: runLabel(i),
    id: r.id,
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.parent !== undefined ? { parent: r.parent } : {}),
    status: r.status,
    startedAt: r.startedAt,
    programPath: r.programPath,
    ...(r.git ? { git: r.git } : {}),
    ...(r.user !== undefined ? { user: r.user } : {}),
    ...(r.host !== undefined ? { host: r.host } : {}),
    tags: r.tags ?? {},
    params: r.params,
    metrics: Object.fromEntries(r.metrics.map((m) => [metricKey(m), m.value])),
  }));
  const union = (pick: (r: ComparedRun) => Record<string, unknown>) => [...new Set(compared.flatMap((r) => Object.keys(pick(r))))];
  const differ = (pick: (r: ComparedRun) => Record<string, unknown>) => (key: string) => new Set(compared.map((r) => (Object.hasOwn(pick(r), key) ? sameText(pick(r)[key]) : "\u0000absent"))).size > 1;
  const params = union((r) => r.params);
  const tags = union((r) => r.tags);
  const metrics = union((r) => r.metrics);
  return {
    runs: compared,
    params,
    tags,
    metrics,
    differing: { params: params.filter(differ((r) => r.params)), tags: tags.filter(differ((r) => r.tags)), metrics: metrics.filter(differ((r) => r.metrics)) },
  };
}

// Bit for bit: -0 and 0 differ, as `runs diff` and `reproduce` hold them.
function sameText(v: unknown): string {
  return typeof v === "number" ? (Object.is(v, -0) ? "-0" : String(v)) : JSON.stringify(v);
}

/** One metric across runs, for a chart: a value per run and matching key, or (for a loss curve) the points of each run's series. */
export type MetricAcrossRuns =
  | { kind: "values"; metric: string; keys: string[]; rows: { run: string; key: string; value: number }[] }
  | { kind: "series"; metric: string; unit: string; keys: string[]; points: { run: string; key: string; step: number; value: number }[] };

/**
 * The values of `name` in each run, labelled `A baseline` (its letter, and its name, else its trial number or id): the runs' loss curves when `name`
 * names a series some run recorded (`loss`, `validation.loss`), else its scalar metrics.
 * Undefined when no run has it.
 */
export function metricAcrossRuns(runs: StoredRun[], name: string): MetricAcrossRuns | undefined {
  const label = (r: StoredRun, i: number) => `${runLabel(i)} ${r.name ?? (r.trial ? `trial ${r.trial.number}` : r.id)}`;
  const series = runs.flatMap((r, i) => (r.series ?? []).filter((s) => metricMatches(s, name)).map((s) => ({ run: label(r, i), s })));
  if (series.length) {
    const keys = [...new Set(series.map(({ s }) => metricKey(s)))];
    const unit = series[0].s.unit;
    return { kind: "series", metric: name, unit, keys, points: series.flatMap(({ run, s }) => pointsOf(run, s)) };
  }
  const rows = runs.flatMap((r, i) => r.metrics.filter((m) => metricMatches(m, name)).map((m) => ({ run: label(r, i), key: metricKey(m), value: m.value })));
  if (!rows.length) return undefined;
  return { kind: "values", metric: name, keys: [...new Set(rows.map((r) => r.key))], rows };
}

function pointsOf(run: string, s: MetricSeries): { run: string; key: string; step: number; value: number }[] {
  return s.steps.map((step, j) => ({ run, key: metricKey(s), step, value: s.values[j] }));
}
