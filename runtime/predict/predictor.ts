import type { AppliedStep } from "../data/steps.js";
import { predictWithProba } from "../models/predict-with-proba.js";
import { inputColumns, scoringSteps } from "./inputs.js";
import { acceptor, compileTransform, featureValue } from "./transform-js.js";
import { takesMissing } from "../models/missing-values.js";
import { isNumericType, ValueError, type Value } from "./sql-values.js";

/**
 * A model as it leaves training: what it predicts from which raw columns, the transform that brings
 * rows to its features, and the learner's state. The JSON part of a model file (`modelArtifact`).
 */
export interface ModelPackage {
  format: "lathe-model";
  version: 2;
  name: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  features: string[];
  featureColumns: string[];
  classes: string[];
  params: Record<string, unknown>;
  seed: number;
  /** The raw columns it was trained from (features and target traced back), with their DuckDB types. */
  input: { columns: { name: string; type: string }[] };
  transform: AppliedStep[];
  /** For each transform step, the DuckDB types of the columns it reads. */
  transformTypes: Record<string, string>[];
  /** The learner's own state (`TrainedModel.toJSON()`). */
  model: unknown;
}

/** What scores rows once they are features: a learner's trained model, or its portable copy in an export. */
export interface ScoringModel {
  predict(x: { n: number; columns: Float32Array[]; names: string[] }): Float32Array;
  predictProba?(x: { n: number; columns: Float32Array[]; names: string[] }): Float32Array;
  predictWithProba?(x: { n: number; columns: Float32Array[]; names: string[] }): { predictions: Float32Array; probabilities: Float32Array };
}

/** One row's prediction: the class (or value) and, for classifiers that give them, each class's probability. */
export interface Prediction {
  prediction: string | number;
  probabilities?: Record<string, number>;
}

/** A problem with one field of one input row. */
export interface FieldProblem {
  row: number;
  field: string;
  message: string;
}

/** Rows that cannot be brought to the model's input schema: every problem, each naming its row and field. */
export class InputError extends Error {
  override name = "InputError";
  constructor(readonly problems: FieldProblem[]) {
    super(problems.slice(0, 5).map((p) => `row ${p.row}: ${p.message}`).join("; ") + (problems.length > 5 ? `; and ${problems.length - 5} more` : ""));
  }
}

/** A loaded model that predicts from rows of its raw input schema, applying its own preparation. */
export interface Predictor {
  name: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  classes: string[];
  /** The raw columns a row must have (the target is not needed), with the JSON type each takes. */
  inputSchema: { name: string; type: string; json: "number" | "boolean" | "string" }[];
  /** Predicts each row; rows that do not fit the input schema throw InputError naming each problem. */
  predict(rows: readonly unknown[]): Prediction[];
}

/** The JSON type a column of a DuckDB type takes as input. */
function jsonType(type: string): "number" | "boolean" | "string" {
  return isNumericType(type) ? "number" : type === "BOOLEAN" ? "boolean" : "string";
}

/**
 * A predictor over a package and its scoring model. No DuckDB on this path: the transform runs in
 * plain JavaScript with DuckDB's semantics (`transform-js.ts`), so a single row costs microseconds.
 */
export function createPredictor(pkg: ModelPackage, model: ScoringModel): Predictor {
  const needed = new Set(inputColumns(pkg.transform, pkg.featureColumns));
  const inputSchema = pkg.input.columns.filter((c) => needed.has(c.name)).map((c) => ({ ...c, json: jsonType(c.type) }));
  // Only what the features need: rows need not carry the columns the target was derived from.
  const kept = scoringSteps(pkg.transform, pkg.featureColumns);
  const transform = compileTransform({ steps: kept.map((i) => pkg.transform[i]), types: kept.map((i) => pkg.transformTypes[i] ?? {}) });
  const k = pkg.classes.length;
  const features = pkg.featureColumns;
  // What each input column accepts and how a class's probability is keyed, worked out once, not per row.
  const accepts = inputSchema.map((c) => acceptor(c.type));
  const missing = takesMissing(pkg.algorithm);
  const classes = pkg.classes;
  // A class named `__proto__` would set the prototype by assignment: those keep `Object.fromEntries`.
  const plainKeys = !classes.includes("__proto__");
  return {
    name: pkg.name,
    algorithm: pkg.algorithm,
    task: pkg.task,
    target: pkg.target,
    classes: pkg.classes,
    inputSchema,
    predict(rows) {
      const problems: FieldProblem[] = [];
      const n = rows.length;
      const columns = features.map(() => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        const raw = rows[i];
        if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
          problems.push({ row: i, field: "", message: "a row is a JSON object of column values" });
          continue;
        }
        const row = raw as Record<string, unknown>;
        let ok = true;
        for (let c = 0; c < inputSchema.length; c++) {
          const name = inputSchema[c].name;
          const v = Object.prototype.hasOwnProperty.call(row, name) ? row[name] : undefined;
          if (v === undefined) {
            problems.push({ row: i, field: name, message: `missing field \`${name}\` (${inputSchema[c].json})` });
            ok = false;
          } else if (!accepts[c](v)) {
            problems.push({ row: i, field: name, message: `field \`${name}\` takes a ${inputSchema[c].json}, got ${JSON.stringify(v)}` });
            ok = false;
          }
        }
        if (!ok) continue;
        try {
          const out = transform(row as Record<string, Value>);
          for (let j = 0; j < features.length; j++) {
            const f = features[j];
            columns[j][i] = featureValue(Object.prototype.hasOwnProperty.call(out, f) ? out[f] : null, f, missing);
          }
        } catch (e) {
          if (!(e instanceof ValueError)) throw e;
          problems.push({ row: i, field: fieldOf(e.message, inputSchema), message: e.message });
        }
      }
      if (problems.length) throw new InputError(problems);
      const x = { n, columns, names: features };
      const out = new Array<Prediction>(n);
      if (pkg.task === "regression") {
        const y = model.predict(x);
        for (let i = 0; i < n; i++) out[i] = { prediction: y[i] };
        return out;
      }
      const { predictions: yPred, probabilities: proba } = predictWithProba(model, x, true);
      for (let i = 0; i < n; i++) {
        if (!proba) out[i] = { prediction: classes[yPred[i]] };
        else if (plainKeys) {
          const probabilities: Record<string, number> = {};
          for (let j = 0; j < k; j++) probabilities[classes[j]] = proba[i * k + j];
          out[i] = { prediction: classes[yPred[i]], probabilities };
        } else out[i] = { prediction: classes[yPred[i]], probabilities: Object.fromEntries(classes.map((c, j) => [c, proba[i * k + j]])) };
      }
      return out;
    },
  };
}

/** The input field a transform error is about, when its message names one. */
function fieldOf(message: string, schema: { name: string }[]): string {
  return schema.find((c) => message.includes(`\`${c.name}\``))?.name ?? "";
}
