import type { ParamValue, Task } from "../types.js";
import { MAX_VALUE_BINS } from "./binning.js";
import { OptionError } from "../../errors.js";

/** Value bins per feature unless `max_bins` says otherwise. */
export const DEFAULT_MAX_BINS = 255;

export type Criterion = "gini" | "entropy" | "squared_error";

/** The resolved settings one tree is grown with; plain data so it can be posted to a worker. */
export interface TreeOptions {
  task: Task;
  /** Number of classes (classification) or 1 (regression). */
  classes: number;
  criterion: Criterion;
  /** 0 means unlimited. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features examined per split (more are tried when none of these can split the node). */
  maxFeatures: number;
  bootstrap: boolean;
}

function num(params: Record<string, ParamValue>, key: string, fallback: number, min: number): number {
  const v = params[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new OptionError(`${key} must be a number >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(params: Record<string, ParamValue>, key: string, fallback: boolean): boolean {
  const v = params[key] ?? fallback;
  if (typeof v !== "boolean") throw new OptionError(`${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Features per split from `max_features`: "sqrt", "log2", "all", or a number — a fraction of
 * the features when ≤ 1, a count when > 1. "auto" is sqrt for classification, all for regression.
 */
export function resolveMaxFeatures(value: ParamValue | undefined, task: Task, features: number): number {
  const v = value ?? "auto";
  let k: number;
  if (v === "auto") k = task === "classification" ? Math.sqrt(features) : features;
  else if (v === "sqrt") k = Math.sqrt(features);
  else if (v === "log2") k = Math.log2(features);
  else if (v === "all") k = features;
  else if (typeof v === "number" && v > 0 && Number.isFinite(v)) k = v <= 1 ? v * features : v;
  else throw new OptionError(`max_features must be "sqrt", "log2", "all" or a positive number, got ${JSON.stringify(v)}`);
  return Math.max(1, Math.min(features, Math.floor(k)));
}

/** Validates the user's parameters and resolves them against the data's shape. */
export function resolveTreeOptions(
  params: Record<string, ParamValue>,
  task: Task,
  classes: number,
  features: number,
): TreeOptions {
  const rawCriterion = params.criterion ?? "auto";
  let criterion: Criterion;
  if (task === "regression") {
    if (rawCriterion !== "auto" && rawCriterion !== "squared_error" && rawCriterion !== "mse") {
      throw new OptionError(`criterion for regression must be "squared_error", got ${JSON.stringify(rawCriterion)}`);
    }
    criterion = "squared_error";
  } else {
    if (rawCriterion !== "auto" && rawCriterion !== "gini" && rawCriterion !== "entropy") {
      throw new OptionError(`criterion for classification must be "gini" or "entropy", got ${JSON.stringify(rawCriterion)}`);
    }
    criterion = rawCriterion === "entropy" ? "entropy" : "gini";
  }
  if (task === "classification" && classes < 1) throw new OptionError("classification needs at least one class");
  return {
    task,
    classes: task === "classification" ? classes : 1,
    criterion,
    maxDepth: Math.floor(num(params, "max_depth", 0, 0)),
    minSamplesSplit: num(params, "min_samples_split", 2, 2),
    minSamplesLeaf: num(params, "min_samples_leaf", 1, 1),
    maxFeatures: resolveMaxFeatures(params.max_features, task, features),
    bootstrap: bool(params, "bootstrap", false),
  };
}

/** `max_bins` checked against the two-byte bin encoding. */
export function resolveMaxBins(params: Record<string, ParamValue>): number {
  const v = num(params, "max_bins", DEFAULT_MAX_BINS, 2);
  if (v > MAX_VALUE_BINS) throw new OptionError(`max_bins must be at most ${MAX_VALUE_BINS}, got ${v}`);
  return Math.floor(v);
}
