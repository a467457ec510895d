import type { MonitorRun } from "./monitor/run-monitor.js";
import type { ChartBundle, UndrawnChart } from "./charts/types.js";
import type { ArtifactRef, MetricRecord, MetricSeries } from "./run-store.js";

/**
 * What a statement produced, for the CLI, the kernel and TypeScript notebooks to show. `reused`:
 * the step's outputs were already held from an identical step (same key) and it did not run again;
 * `reusedFrom`: they came from the store's step cache, computed by that run (or `""`: by a run
 * that was not recorded).
 */
export type StepResult = { reused?: boolean; reusedFrom?: string } & (
  /** `rows`: none when they were not counted (a lazy source in `lathe run`, read by the steps that use it). */
  | { kind: "dataset"; name: string; rows?: number; columns: string[]; note?: string }
  | { kind: "split"; input: string; parts: { name: string; rows: number }[]; unassigned?: number; note?: string }
  | { kind: "model"; name: string; algorithm: string; task: string; features: string[]; classes: string[]; rows: number; fitMs: number; backend?: string; method?: string; validation?: string; artifact?: string; curves?: MetricSeries[] }
  | { kind: "metrics"; model: string; data: string; values: Record<string, number> }
  | { kind: "assert"; model: string; data: string; passed: boolean; checks: { metric: string; op: string; bound: number; value: number; passed: boolean }[] }
  | { kind: "chart"; chart: string; title: string; bundle: ChartBundle | UndrawnChart; files: string[]; skipped?: string }
  | { kind: "table"; name: string; columns: string[]; rows: Record<string, unknown>[]; asked?: number }
  | { kind: "tune"; model: string; metric: string; data: string; trials: { trial: number; params: Record<string, unknown>; score: number }[]; best: { params: Record<string, unknown>; score: number }; bundle: ChartBundle | UndrawnChart; trained: Extract<StepResult, { kind: "model" }> }
  | { kind: "notice"; message: string }
  | { kind: "written"; what: string; rows: number; where: string; model?: string; /** Rows `deploy ... batch` logged for the monitor, and where. */ logged?: { rows: number; file: string } }
  /** `alias`: the alias a promote or rollback moved, when it is not the champion. */
  | { kind: "registry"; action: "register" | "promote" | "rollback"; name: string; version: number; previous?: number; model?: string; alias?: string }
  | { kind: "monitor"; run: MonitorRun }
  | { kind: "serving"; name: string; ref: string; version: number; port: number; spec: string; url?: string; later?: string }
  | { kind: "exported"; name: string; ref: string; version: number; dir: string; form: "edge" | "container"; files: number }
  | { kind: "describe"; name: string; rows: number; columns: Record<string, unknown>[]; charts: { column: string; bundle: ChartBundle }[]; unchartedColumns?: number; /** Rows on an engine: how many of them a sample brought back to profile. */ sampled?: number }
  | {
      kind: "model-description";
      name: string;
      algorithm: string;
      task: string;
      target: string;
      trainedOn: string;
      rows: number;
      features: string[];
      properties: { property: string; value: string }[];
      metrics: { data: string; metric: string; value: number }[];
      importance?: { feature: string; importance: number }[];
    });

/** A metric as the run records it (defined with the run store's journal). */
export type { MetricRecord };

/** Progress events, in order: a step starts, may report progress, and ends (or the run fails). */
export type RunEvent =
  | { type: "step-start"; id: string; label: string; index: number; total: number }
  | { type: "progress"; id: string; step: number; total: number; unit: string; loss?: number; valLoss?: number }
  | { type: "step-end"; id: string; label: string; ms: number; result?: StepResult; metrics?: MetricRecord[]; artifacts?: ArtifactRef[]; failed?: boolean }
  /** A `tune` trial ended: the params it tried and its score (recorded as a child run). */
  | { type: "trial"; id: string; label: string; model: string; trial: number; params: Record<string, unknown>; data: string; metric: string; score: number; startedAt: string; finishedAt: string };

/** A failed `assert`: the run ends non-zero, naming the metric, value and bound. */
export class AssertionFailed extends Error {
  override name = "AssertionFailed";
}

/** A measured value as messages show it: whole numbers as they are, fractions to 4 decimals. */
export function valueText(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}
