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

/**
 * One row scored by `deploy ... batch`, as `batch-log.ts` logs it (all of a batch's rows, or a
 * seeded sample of them): a prediction record whose `request_id` names the batch, `row` is the
 * row's position in it and `time` when it was scored; no latency.
 */
export interface BatchPredictionRecord extends Omit<PredictionRecord, "latency_ms"> {
  /** The row's true value, when the batch had the model's target column (a labelled batch). */
  label?: string | number | boolean | null;
  /** How many rows the batch scored (its logged rows may be a sample of them). */
  batch_rows: number;
}

/** One sample of a server's process (`resource-log.ts`): what the `rss` and `cpu` signals read. */
export interface ResourceRecord {
  /** When it was taken (ISO 8601, UTC). */
  time: string;
  pid: number;
  model: string;
  /** Resident memory of the process, in bytes. */
  rss_bytes: number;
  /** CPU time (user + system, every thread) per wall-clock time since the sample before: 1 = one core busy (absent from the sample taken at start). */
  cpu?: number;
  /** The time since the sample before, in ms (0 for the sample taken at start). */
  interval_ms: number;
}

/** The prediction log of a registered name: `.lathe/predictions/<name>/*.ndjson`. */
export function predictionLogDir(root: string, name: string): string {
  return path.join(root, "predictions", nameKey(name));
}

/** The feedback log of a registered name: `.lathe/feedback/<name>/*.ndjson` (a folder of its own, so the predictions' glob never reads it). */
export function feedbackLogDir(root: string, name: string): string {
  return path.join(root, "feedback", nameKey(name));
}

/** The rows `deploy ... batch` scored with a registered name: `.lathe/batches/<name>/*.ndjson`. */
export function batchLogDir(root: string, name: string): string {
  return path.join(root, "batches", nameKey(name));
}

/** The samples of the processes serving a registered name: `.lathe/resources/<name>/*.ndjson`. */
export function resourceLogDir(root: string, name: string): string {
  return path.join(root, "resources", nameKey(name));
}

/** The failed requests of a registered name: `.lathe/prediction-errors/<name>/*.ndjson`. */
export function predictionErrorLogDir(root: string, name: string): string {
  return path.join(root, "prediction-errors", nameKey(name));
}
