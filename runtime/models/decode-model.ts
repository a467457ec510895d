import { DataError } from "../errors.js";
import { decodeSerialized } from "./codec.js";
import { findLearner } from "./registry.js";
import type { TrainedModel } from "./types.js";

/** Rebuilds a trained model from `encodeModel` output through its learner's `load` (a `bad-model-file` DataError when no learner has its kind). */
export function decodeModel(bytes: Uint8Array): TrainedModel {
  const serialized = decodeSerialized(bytes);
  const learner = findLearner(serialized.kind);
  if (!learner) throw new DataError(`model file holds a ${JSON.stringify(serialized.kind)} model, which this Lathe has no learner for`, undefined, "bad-model-file");
  return learner.load(serialized);
}
