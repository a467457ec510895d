import { scoringModel } from "./scoring/scoring-model.js";
import type { HistoryPoint, SerializedModel, TrainedModel } from "./types.js";

/** What a learner computes beside its model file's content, kept from when the model was trained. */
export interface TrainedExtras {
  importance?: number[];
  history?: HistoryPoint[];
  method?: string;
}

/** The extras of a trained model, to keep beside its model file. */
export function trainedExtras(model: TrainedModel): TrainedExtras {
  const importance = model.importance?.();
  return { ...(importance ? { importance: Array.from(importance) } : {}), ...(model.history ? { history: model.history } : {}), ...(model.method ? { method: model.method } : {}) };
}

/**
 * A trained model rebuilt from its model file without its learner (the step cache's): it predicts
 * through the same `scoring/` functions every learner's `load` uses, serializes to the very
 * content it was read from (so its model file is the same bytes), and gives the importance,
 * training curve and method kept from when it was trained. No learner module is loaded, so a run
 * whose models all come from the cache never starts TensorFlow.js.
 */
export function storedModel(serialized: SerializedModel, extras: TrainedExtras): TrainedModel {
  const scorer = scoringModel(serialized);
  const { predictProba, predictWithProba } = scorer;
  const importance = extras.importance;
  return {
    kind: serialized.kind,
    task: serialized.task,
    featureNames: serialized.featureNames,
    classes: serialized.classes,
    predict: (x) => scorer.predict(x),
    ...(predictProba && serialized.task === "classification" ? { predictProba: (x) => predictProba(x) } : {}),
    ...(predictWithProba && serialized.task === "classification" ? { predictWithProba: (x) => predictWithProba(x) } : {}),
    ...(importance ? { importance: () => Float64Array.from(importance) } : {}),
    ...(extras.history ? { history: extras.history } : {}),
    ...(extras.method ? { method: extras.method } : {}),
    serialize: () => serialized,
    toJSON: () => plainCopy(serialized) as SerializedModel,
  };
}

/** The value with typed arrays as plain number arrays (the plain-JSON form). */
function plainCopy(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)]));
  return value;
}
