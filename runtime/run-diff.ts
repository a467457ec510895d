import { createTwoFilesPatch } from "diff";
import type { StoredRun } from "./run-store.js";

/** One named value that differs between two runs (absent on a side: undefined). */
export interface Difference<T> {
  name: string;
  a?: T;
  b?: T;
}

/** A metric of either run, side by side; `same` is bit-for-bit equality. */
export interface MetricComparison {
  model: string;
  data: string;
  metric: string;
  a?: number;
  b?: number;
  delta?: number;
  same: boolean;
}

/** What differs between two recorded runs, and every metric side by side. */
export interface RunDiff {
  a: string;
  b: string;
  /** A unified diff of the program texts; undefined when they are the same. */
  program?: string;
  params: Difference<unknown>[];
  /** Datasets whose data fingerprint differs (or that only one run read). */
  data: Difference<string>[];
  versions: Difference<string>[];
  backend?: Difference<string>;
  metrics: MetricComparison[];
  /** Model files (by artifact name) whose content hash differs, or that only one run stored. */
  models: Difference<string>[];
  /** Same data, same metrics bit for bit, same model files, both runs succeeded. */
  identical: boolean;
}

function differences<T>(a: Record<string, T>, b: Record<string, T>, same = (x: T, y: T) => JSON.stringify(x) === JSON.stringify(y)): Difference<T>[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((n) => !(n in a && n in b && same(a[n], b[n]))).map((name) => ({ name, a: a[name], b: b[name] }));
}

/** Bit-for-bit: -0 and 0 differ, NaN equals NaN (a metric that was NaN and still is, reproduced). */
function sameNumber(x: number | undefined, y: number | undefined): boolean {
  return x !== undefined && y !== undefined && Object.is(x, y);
}

/**
 * Compares two recorded runs the way `lathe runs diff` and `lathe reproduce` report them: program
 * text (unified diff), params, data fingerprints, library versions, backend, model files (hashes)
 * and every metric with its change. Metrics are matched by (model, data split, metric).
 */
export function diffRuns(a: StoredRun, b: StoredRun): RunDiff {
  // jsdiff heads a patch with a row of `=`; a unified diff starts at `---`.
  const program = a.programSha === b.programSha ? undefined : createTwoFilesPatch(`${a.id}/${base(a.programPath)}`, `${b.id}/${base(b.programPath)}`, a.programText, b.programText, undefined, undefined, { context: 2 }).replace(/^=+\n/, "");
  const key = (m: { model: string; data: string; metric: string }) => `${m.model}\u0000${m.data}\u0000${m.metric}`;
  const byKey = new Map<string, MetricComparison>();
  for (const m of a.metrics) byKey.set(key(m), { model: m.model, data: m.data, metric: m.metric, a: m.value, same: false });
  for (const m of b.metrics) {
    const row = byKey.get(key(m)) ?? { model: m.model, data: m.data, metric: m.metric, same: false };
    row.b = m.value;
    byKey.set(key(m), row);
  }
  const metrics = [...byKey.values()].map((m) => ({ ...m, delta: m.a !== undefined && m.b !== undefined ? m.b - m.a : undefined, same: sameNumber(m.a, m.b) }));
  const data = differences(a.data, b.data);
  const models = differences(modelHashes(a), modelHashes(b));
  const backend = a.backend === b.backend ? undefined : { name: "backend", a: a.backend, b: b.backend };
  return {
    a: a.id,
    b: b.id,
    program,
    params: differences(a.params, b.params),
    data,
    versions: differences(a.versions, b.versions),
    backend,
    metrics,
    models,
    identical: a.status === "succeeded" && b.status === "succeeded" && data.length === 0 && models.length === 0 && metrics.every((m) => m.same),
  };
}

/** Model artifact name → content hash (the last stored under a name: a retrained model replaces it). */
function modelHashes(run: StoredRun): Record<string, string> {
  return Object.fromEntries(run.artifacts.filter((x) => x.kind === "model").map((x) => [x.name, x.sha256]));
}

function base(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}
