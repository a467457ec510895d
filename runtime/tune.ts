import { tuningResultsChart } from "./charts/tuning-results-chart.js";
import { renderBundle } from "./charts/render-bundle.js";
import { DataError } from "./data/source.js";
import type { ExecuteOptions, Executor } from "./execute.js";
import { metricInfo } from "./metrics/metric-info.js";
import type { ParamValue } from "./models/types.js";
import type { PlanStep } from "./plan.js";
import type { StepResult } from "./results.js";

type TuneStep = Extract<PlanStep, { op: "tune" }>;

/** Grids larger than this must be sampled (`search random`): an accidental product of ten lists should not run for days. */
export const maxGrid = 500;

/**
 * The parameter combinations to try: the grid in order (the first `trials` when given), or `trials`
 * distinct combinations drawn from it with a seeded shuffle (so the same seed tries the same ones).
 */
export function searchSpace(space: Record<string, ParamValue[]>, search: "grid" | "random", trials: number | undefined, seed: number): Record<string, ParamValue>[] {
  const keys = Object.keys(space);
  let grid: Record<string, ParamValue>[] = [{}];
  for (const k of keys) grid = grid.flatMap((g) => space[k].map((v) => ({ ...g, [k]: v })));
  if (search === "grid") {
    // `trials N` with a grid caps how many combinations are tried, in grid order.
    const tried = grid.slice(0, trials ?? grid.length);
    if (tried.length > maxGrid) throw new DataError(`the grid has ${grid.length} combinations (more than ${maxGrid}); use \`search random trials N\``);
    return tried;
  }
  // Fisher–Yates with mulberry32: deterministic for a seed, no Math.random.
  let s = seed >>> 0 || 1;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = grid.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, Math.min(trials ?? 10, grid.length)).map((i) => grid[i]);
}

/**
 * Trains the model once per combination on its training data, scores each on `data`, and keeps
 * the best as the model (ties go to the earlier trial, so the result does not depend on timing).
 */
export async function tuneStep(ex: Executor, step: TuneStep, options: ExecuteOptions): Promise<Extract<StepResult, { kind: "tune" }>> {
  const base = ex.models.get(step.model);
  if (!base) throw new DataError(`model \`${step.model}\` has not been trained in this session`);
  const info = metricInfo[step.metric];
  if (!info) throw new DataError(`unknown metric \`${step.metric}\``);
  const combos = searchSpace(step.space, step.search, step.trials, step.seed);
  const trials: { trial: number; params: Record<string, ParamValue>; score: number }[] = [];
  let best: { score: number; state: typeof base; params: Record<string, ParamValue> } | undefined;
  for (const [i, combo] of combos.entries()) {
    if (options.signal?.aborted) break;
    const params = { ...base.params, ...combo };
    const state = await ex.fit({ ...base.spec, params }, options, step.id);
    const score = (await ex.score(state, step.data, [step.metric]))[step.metric];
    trials.push({ trial: i + 1, params: combo, score });
    options.onEvent?.({ type: "progress", id: step.id, step: i + 1, total: combos.length, unit: "trial" });
    if (!best || (info.higherIsBetter ? score > best.score : score < best.score)) best = { score, state, params: combo };
  }
  if (options.signal?.aborted) {
    const e = new Error("run interrupted");
    e.name = "AbortError";
    throw e;
  }
  if (!best) throw new DataError("the search space is empty");
  ex.models.set(step.model, best.state);
  const spec = tuningResultsChart({ metric: step.metric, trials: trials.map((t) => ({ ...t, params: t.params as Record<string, string | number | boolean | Array<string | number>> })), higherIsBetter: info.higherIsBetter, title: `Tuning ${step.model}: ${step.metric} on ${step.data}` });
  const bundle = await renderBundle(spec);
  return { kind: "tune", model: step.model, metric: step.metric, data: step.data, trials, best: { params: best.params, score: best.score }, bundle };
}
