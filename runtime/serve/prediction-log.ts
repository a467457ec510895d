import path from "node:path";
import { nameKey } from "../model-registry.js";

// The layout of the prediction and feedback logs is documented in docs/serving.md; the monitor
// reads them with DuckDB globs, so a field changes only with that document.

/** One logged prediction: one row of one request. */
export interface PredictionRecord {
  request_id: string;
  /** The row's index in its request (0 for a single object). */
  row: number;
  /** When the request arrived (ISO 8601, UTC). */
  time: string;
  model: string;
  version: number;
  /** The row's values of the model's input fields (other fields of the request are not kept). */
  input: Record<string, unknown>;
  prediction: string | number;
  probabilities?: Record<string, number>;
  /** The request's time in the server, from arrival to its answer being ready, in ms. */
  latency_ms: number;
}

/** One label sent to `POST /feedback` for a logged prediction. */
export interface FeedbackRecord {
  request_id: string;
  row: number;
  label: string | number | boolean;
  time: string;
}

/** One `POST /predict` request that failed (bad input, a server error): what the error rate counts. */
export interface PredictionErrorRecord {
  request_id: string;
  time: string;
  model: string;
  version: number;
  status: number;
  code: string;
  latency_ms: number;
}

/** The prediction log of a registered name: `.lathe/predictions/<name>/*.ndjson`. */
export function predictionLogDir(root: string, name: string): string {
  return path.join(root, "predictions", nameKey(name));
}

/** The feedback log of a registered name: `.lathe/feedback/<name>/*.ndjson` (a folder of its own, so the predictions' glob never reads it). */
export function feedbackLogDir(root: string, name: string): string {
  return path.join(root, "feedback", nameKey(name));
}

/** The failed requests of a registered name: `.lathe/prediction-errors/<name>/*.ndjson`. */
export function predictionErrorLogDir(root: string, name: string): string {
  return path.join(root, "prediction-errors", nameKey(name));
}
