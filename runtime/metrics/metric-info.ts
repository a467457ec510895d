/**
 * What the runtime reads about each metric — its task, direction (`higherIsBetter`, for the tuner
 * and gates), whether it needs probabilities, its text — comes from the language's catalog, the one
 * registry of metrics (`language/catalog.ts`). This module gives the runtime's view of it: a table
 * that answers only the catalog's names (no inherited `constructor`), the names per task, and
 * "did you mean".
 */
import { metricNames as catalogMetricNames, metrics, type MetricSpec, type Task } from "../../language/catalog.js";
import { editDistance } from "../../language/diagnostic.js";
import { dict } from "../../language/lookup.js";

export type MetricTask = Task;

export type MetricInfo = MetricSpec;

/** Every metric by name; a table without a prototype, so only metric names are found in it. */
export const metricInfo: Readonly<Record<string, MetricInfo>> = dict<MetricInfo>(metrics);

/** The known metric names for a task, in declaration order. */
export function metricNames(task?: MetricTask): string[] {
  return catalogMetricNames(task);
}

/** The closest known metric name within edit distance 2, for "did you mean" messages. */
export function suggestMetric(name: string, task?: MetricTask): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestKey = [3, 0];
  for (const candidate of metricNames(task)) {
    // Ties go to the candidate whose length is closest, so "rsme" suggests "rmse" rather than "mse".
    const key = [editDistance(wanted, candidate), Math.abs(candidate.length - wanted.length)];
    if (key[0] < bestKey[0] || (key[0] === bestKey[0] && best !== undefined && key[1] < bestKey[1])) {
      best = candidate;
      bestKey = key;
    }
  }
  return best;
}
