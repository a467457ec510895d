import { isDrawn } from "../charts/types.js";
import { abortError, DataError } from "../errors.js";
import { metricInfo } from "../metrics/metric-info.js";
import type { ParamValue } from "../models/types.js";
import type { StepResult } from "../results.js";
import { modelResult, optionValue } from "./train.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase, StepContext } from "./types.js";
import { dict } from "../../language/lookup.js";

/** `tune MODEL over { option: [values] } by METRIC on DATA [search grid|random] [trials N]`: retrains MODEL with the best combination. */
export type TuneStep = StepBase & { op: "tune"; model: string; space: Record<string, ParamValue[]>; metric: string; data: string; trials?: number; search: "grid" | "random"; seed: number };

export const planTune: Planner<"tune", Draft<TuneStep>> = (s, ctx) => {
  const space: Record<string, ParamValue[]> = dict();
  for (const o of s.space) {
    const v = optionValue(o.values, ctx.checked.params);
    // Each option lists its candidate values (`trees: [50, 100]`; the checker insists on the list).
    space[o.key.text] = (Array.isArray(v) ? v : [v]) as ParamValue[];
  }
  return {
    op: "tune",
    model: s.model.text,
    space,
    metric: s.metric.text,
    data: s.data.text,
    trials: s.trials,
    search: s.search ?? (s.trials !== undefined ? "random" : "grid"),
    seed: ctx.seed,
    label: `tune ${s.model.text} by ${s.metric.text} on ${s.data.text}`,
  };
};

export const tune: OpDefinition<TuneStep> = {
  op: "tune",
  io: (step) => ({ reads: [step.model, step.data], defines: [step.model] }),
  // It redefines its model from the model itself; its key covers the key of the step that made
  // that model (and the data's, the space's, the seed's), which fixes the tuned model.
  cacheable: () => true,
  // Its chart of the trials, drawn where charts are shown (not in the CLI, which prints the trials' table).
  draws: (_step, options) => options.displayCharts !== false,
  async run(ctx, step) {
    const result = await tuneStep(ctx, step);
    ctx.measured.delete(step.model);
    const best = ctx.model(step.model);
    const artifact = await ctx.putModel(best);
    return { ...result, model: step.model, trained: modelResult(best, 0, artifact?.path) };
  },
};

/** A tuning result: the best combination, every trial as a table, and the chart of scores. */
export function renderTune(r: Extract<StepResult, { kind: "tune" }>): Rendered {
  const columns = ["trial", ...Object.keys(r.trials[0]?.params ?? {}), r.metric];
  return {
    summary: `best ${r.metric} ${r.best.score.toFixed(4)} with ${paramText(r.best.params)} (${r.trials.length} trials)`,
    parts: [
      { kind: "table", title: `tuning ${r.model}`, columns, rows: r.trials.map((t) => ({ trial: t.trial, ...t.params, [r.metric]: t.score })) },
      // Undrawn where nobody sees charts; its text would repeat the table.
      ...(isDrawn(r.bundle) ? [{ kind: "chart" as const, title: `tuning ${r.model}`, bundle: r.bundle, files: [] }] : []),
    ],
  };
}

function paramText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
}

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
async function tuneStep(ex: StepContext, step: TuneStep): Promise<Omit<Extract<StepResult, { kind: "tune" }>, "trained">> {
  const options = ex.options;
  const base = ex.model(step.model);
  const info = metricInfo[step.metric];
  if (!info) throw new DataError(`unknown metric \`${step.metric}\``);
  const combos = searchSpace(step.space, step.search, step.trials, step.seed);
  const trials: { trial: number; params: Record<string, ParamValue>; score: number }[] = [];
  let best: { score: number; state: typeof base; params: Record<string, ParamValue> } | undefined;
  for (const [i, combo] of combos.entries()) {
    if (options.signal?.aborted) break;
    const startedAt = new Date().toISOString();
    const params = { ...base.params, ...combo };
    const state = await ex.fit({ ...base.spec, params }, step.id);
    const score = (await ex.score(state, step.data, [step.metric]))[step.metric];
    trials.push({ trial: i + 1, params: combo, score });
    // Each trial is recorded (a child run of the run) as it ends, so an interrupted search keeps the ones done.
    options.onEvent?.({ type: "trial", id: step.id, label: step.label, model: step.model, trial: i + 1, params: combo, data: step.data, metric: step.metric, score, startedAt, finishedAt: new Date().toISOString() });
    options.onEvent?.({ type: "progress", id: step.id, step: i + 1, total: combos.length, unit: "trial" });
    if (!best || (info.higherIsBetter ? score > best.score : score < best.score)) best = { score, state, params: combo };
  }
  if (options.signal?.aborted) throw abortError();
  if (!best) throw new DataError("the search space is empty");
  ex.setModel(best.state);
  // Vega and resvg are heavy to load; only runs that tune and show the chart (a notebook, the API) pay for them:
  // the chart is kept nowhere else, and a terminal has the trials' table.
  const { tuningResultsChart } = await import("../charts/tuning-results-chart.js");
  const { renderBundle, undrawnChart } = await import("../charts/render-bundle.js");
  const spec = tuningResultsChart({ metric: step.metric, trials: trials.map((t) => ({ ...t, params: t.params as Record<string, string | number | boolean | Array<string | number>> })), higherIsBetter: info.higherIsBetter, title: `Tuning ${step.model}: ${step.metric} on ${step.data}` });
  const bundle = options.displayCharts === false ? undrawnChart(spec) : await (options.drawChart ?? renderBundle)(spec);
  return { kind: "tune", model: step.model, metric: step.metric, data: step.data, trials, best: { params: best.params, score: best.score }, bundle };
}
