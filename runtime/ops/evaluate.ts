import { defaultMetrics } from "../../language/catalog.js";
import type { StepResult } from "../results.js";
import type { StepContext } from "./types.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";
import { own } from "../../language/lookup.js";

/** `evaluate MODEL on DATA metrics ...`. */
export type EvaluateStep = StepBase & { op: "evaluate"; model: string; data: string; metrics: string[] };

export const planEvaluate: Planner<"evaluate", Draft<EvaluateStep>> = (s, ctx) => {
  const task = own(ctx.checked.models, s.model.text)?.task ?? "classification";
  const metrics = s.metrics.length ? s.metrics.map((m) => m.text) : defaultMetrics[task];
  return { op: "evaluate", model: s.model.text, data: s.data.text, metrics, label: `evaluate ${s.model.text} on ${s.data.text}` };
};

/**
 * Scores a model and records the values: as metrics of the run, and as what the model has been
 * measured on (which `register` keeps with the version). `evaluate` and `assert` both measure.
 */
export async function measure(ctx: StepContext, model: string, data: string, metrics: string[]): Promise<Record<string, number>> {
  const values = await ctx.score(ctx.model(model), data, metrics);
  ctx.recordMetrics(Object.entries(values).map(([metric, value]) => ({ model, data, metric, value })));
  const known = (ctx.measured.get(model) ?? []).filter((m) => m.data !== data || !(m.metric in values));
  ctx.measured.set(model, [...known, ...Object.entries(values).map(([metric, value]) => ({ data, metric, value }))]);
  return values;
}

export const evaluate: OpDefinition<EvaluateStep> = {
  op: "evaluate",
  io: (step) => ({ reads: [step.model, step.data], defines: [] }),
  cacheable: () => false,
  async run(ctx, step) {
    const values = await measure(ctx, step.model, step.data, step.metrics);
    return { kind: "metrics", model: step.model, data: step.data, values };
  },
};

/** A metrics result: a line of values, and a table. */
export function renderMetrics(r: Extract<StepResult, { kind: "metrics" }>): Rendered {
  const rows = metricRows(r);
  return {
    summary: rows.map((m) => `${m.metric} ${m.value.toFixed(4)}`).join(", "),
    parts: [{ kind: "table", columns: ["model", "data", "metric", "value"], rows }],
    partsSuffice: true,
  };
}

/** The rows of a metrics result: one per metric, with the model and the data it was measured on. */
export function metricRows(r: Extract<StepResult, { kind: "metrics" }>): { model: string; data: string; metric: string; value: number }[] {
  return Object.entries(r.values).map(([metric, value]) => ({ model: r.model, data: r.data, metric, value }));
}
