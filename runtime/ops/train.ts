import type { OptionValue } from "../../language/ast.js";
import type { Task } from "../../language/catalog.js";
import type { ParamValue } from "../models/types.js";
import type { TrainSpec } from "../model-state.js";
import type { StepResult } from "../results.js";
import type { MetricSeries } from "../run-store.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";
import { dict, own } from "../../language/lookup.js";

/** `model NAME = ALGORITHM predicting TARGET from INPUT { options }`. */
export type TrainStep = StepBase & { op: "train"; model: string; algorithm: string; task: Task; target: string; features: string[]; input: string; validation?: string; params: Record<string, ParamValue>; seed: number };

/** Options that say how to train rather than configure the learner. */
const planningOptions = new Set(["features", "task", "seed", "validation"]);

/**
 * The dataset watched for early stopping: `validation: PART` when given; otherwise, for a model
 * trained on the training part of a split with three or more parts, the part after it. A two-part
 * split gives none, so a test part is never used to stop training.
 */
export function validationPart(input: string, explicit: string | undefined, splits: Map<string, { parts: string[]; train: string }>): string | undefined {
  if (explicit !== undefined) return explicit;
  const split = splits.get(input);
  if (!split || split.parts.length < 3 || split.train !== input) return undefined;
  return split.parts[split.parts.indexOf(input) + 1];
}

export const planTrain: Planner<"model", Draft<TrainStep>> = (s, ctx) => {
  const info = own(ctx.checked.models, s.name.text);
  const params: Record<string, ParamValue> = dict();
  let modelSeed = ctx.seed;
  let explicitValidation: string | undefined;
  for (const o of s.options) {
    const key = o.key.text;
    if (planningOptions.has(key)) {
      if (key === "seed") modelSeed = Number(optionValue(o.values, ctx.checked.params));
      if (key === "validation") explicitValidation = String(optionValue(o.values, ctx.checked.params));
      continue;
    }
    params[key] = optionValue(o.values, ctx.checked.params);
  }
  return {
    op: "train",
    model: s.name.text,
    algorithm: s.algorithm.text,
    task: info?.task ?? "classification",
    target: info?.target ?? s.target.text,
    features: info?.features ?? [],
    input: s.input.text,
    validation: validationPart(s.input.text, explicitValidation, ctx.splits),
    params,
    seed: modelSeed,
    label: `train ${s.name.text} (${s.algorithm.text})`,
  };
};

/** The value of an option as written: a literal (percentages as fractions), a param's value, or a list. */
export function optionValue(values: OptionValue[], params: Record<string, unknown>): ParamValue {
  const one = (v: OptionValue): ParamValue => {
    if (v.kind === "literal") return (v.percent && typeof v.value === "number" ? v.value / 100 : v.value) as ParamValue;
    if (v.kind === "name") return (Object.hasOwn(params, v.name.text) ? params[v.name.text] : v.name.text) as ParamValue;
    return v.items.map(one) as ParamValue;
  };
  if (values.length === 1) return one(values[0]);
  return values.map(one) as ParamValue;
}

/** The spec `fit` trains from. */
export function trainSpec(step: TrainStep): TrainSpec {
  return { model: step.model, algorithm: step.algorithm, task: step.task, target: step.target, features: step.features, input: step.input, validation: step.validation, seed: step.seed, params: step.params };
}

export const train: OpDefinition<TrainStep> = {
  op: "train",
  io: (step) => ({ reads: [step.input, ...(step.validation ? [step.validation] : [])], defines: [step.model] }),
  cacheable: () => true,
  async run(ctx, step) {
    const t0 = performance.now();
    const state = await ctx.fit(trainSpec(step), step.id);
    const fitMs = performance.now() - t0;
    ctx.setModel(state);
    const artifact = await ctx.putModel(state);
    return modelResult(state, fitMs, artifact?.path);
  },
};

/** The result of a step that trained a model. */
export function modelResult(state: import("../model-state.js").ModelState, fitMs: number, artifact?: string): Extract<StepResult, { kind: "model" }> {
  const curves = lossCurves(state);
  return { kind: "model", name: state.name, algorithm: state.algorithm, task: state.task, features: state.featureColumns, classes: state.classes, rows: state.rows, fitMs, backend: state.backend, method: state.model.method, validation: state.model.history?.some((h) => h.valLoss !== undefined) ? state.spec.validation : undefined, artifact, ...(curves.length ? { curves } : {}) };
}

/** What a step of a learner's training history is. */
export function historyUnit(algorithm: string): string {
  return algorithm === "neural_network" ? "epoch" : algorithm === "random_forest" ? "tree" : "iteration";
}

/** A model's training history as metric series: `loss` on its training data, and on its validation data when it watched one. */
export function lossCurves(state: import("../model-state.js").ModelState): MetricSeries[] {
  const history = state.model.history ?? [];
  if (!history.length) return [];
  const unit = historyUnit(state.algorithm);
  const curve = (data: string, points: { step: number; value: number }[]): MetricSeries => ({ model: state.name, data, metric: "loss", unit, steps: points.map((p) => p.step), values: points.map((p) => p.value) });
  const val = history.filter((h) => h.valLoss !== undefined);
  return [curve(state.spec.input, history.map((h) => ({ step: h.step, value: h.loss }))), ...(val.length && state.spec.validation ? [curve(state.spec.validation, val.map((h) => ({ step: h.step, value: h.valLoss! })))] : [])];
}

/** A model result: what it was trained on and with what. */
export function renderModel(r: Extract<StepResult, { kind: "model" }>): Rendered {
  const engine = r.backend ? (r.backend === "native" ? ", native engine" : `, tfjs ${r.backend}`) : "";
  const method = r.method ? `, ${r.method}` : "";
  const validation = r.validation ? `, validation loss on ${r.validation}` : "";
  return { summary: `${r.rows} rows, ${r.features.length} features${r.classes.length ? `, ${r.classes.length} classes` : ""}${method}${engine}${validation}`, parts: [] };
}
