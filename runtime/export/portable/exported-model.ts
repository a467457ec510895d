/**
 * An exported model, rebuilt from its data where the folder runs (Node, a browser, a worker): the
 * package's fitted preparation and the learner's weights, scored by the same modules the server
 * uses. Imports only modules that import nothing outside themselves; copied into the folder.
 */
import { readModelBytes } from "../../models/scoring/model-bytes.js";
import { scoringModel } from "../../models/scoring/scoring-model.js";
import { createPredictor, type ModelPackage, type Prediction, type Predictor } from "../../predict/predictor.js";

/** What a registry knew of the version when it was exported. */
export interface RegisteredVersion {
  name: string;
  version: number;
  metrics: { data: string; metric: string; value: number }[];
}

/** What `/model` and `model` describe: who the model is, what it predicts, from which inputs. */
export interface ModelInfo {
  name: string;
  version: number;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  classes?: string[];
  features: string[];
  input: { name: string; type: string; sql_type: string }[];
  metrics: RegisteredVersion["metrics"];
}

/** A loaded export: its description, its predictor, and `predict(rows)`. */
export interface ExportedModel {
  info: ModelInfo;
  predictor: Predictor;
  predict(rows: readonly unknown[]): Prediction[];
}

/** Bytes from base64, with `atob` (global in browsers and Node alike). */
export function base64Bytes(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The model an export holds: its package (without the learner's state), the registry's record, and the learner's state in the model codec, base64. */
export function exportedModel(pkg: ModelPackage, registered: RegisteredVersion, modelBase64: string): ExportedModel {
  const predictor = createPredictor(pkg, scoringModel(readModelBytes(base64Bytes(modelBase64))));
  const info: ModelInfo = {
    name: registered.name,
    version: registered.version,
    algorithm: pkg.algorithm,
    task: pkg.task,
    target: pkg.target,
    ...(pkg.task === "classification" ? { classes: pkg.classes } : {}),
    features: pkg.features,
    input: predictor.inputSchema.map((c) => ({ name: c.name, type: c.json, sql_type: c.type })),
    metrics: registered.metrics,
  };
  return {
    info,
    predictor,
    predict(rows) {
      if (!Array.isArray(rows)) throw new TypeError("predict takes an array of rows (objects of column values)");
      return predictor.predict(rows);
    },
  };
}
