/**
 * The reference a registered version is monitored against: the profile of its raw input columns
 * over its training rows (`profile.ts`), with the validation metrics it was registered with. Built
 * once, at `register`, and stored beside the version in the registry (`ModelRegistry.writeReference`).
 */
import type { Database } from "../data/database.js";
import type { DatasetState } from "../dataset-state.js";
import type { ModelState } from "../model-state.js";
import { isNumericType } from "../predict/sql-values.js";
import { ident } from "../sql/quote.js";
import { stepOutputs } from "../transform.js";
import type { FeatureKind } from "./drift.js";
import { buildProfile, DEFAULT_SAMPLE_SIZE, type ColumnValues, type ReferenceProfile } from "./profile.js";

/** The format tag of a stored reference. */
export const REFERENCE_FORMAT = "lathe-model-reference";

/** What monitoring compares a served version with, as stored beside it. */
export interface ModelReference {
  format: typeof REFERENCE_FORMAT;
  name: string;
  version: number;
  /** The dataset the model trained on, and how many of its rows the profile covers. */
  trainedOn: string;
  task: string;
  target: string;
  /** The classes a classifier predicts, in its order (the positive class of binary metrics last). */
  classes: string[];
  /** The model's raw input columns (the served request's fields) with their DuckDB types and kinds. */
  input: { name: string; type: string; kind: FeatureKind }[];
  profile: ReferenceProfile;
  /** Input columns the training rows hold only prepared (before the split): not profiled, and why. */
  unprofiled: { column: string; reason: string }[];
  /** The metrics the version was registered with (validation and test scores). */
  metrics: { data: string; metric: string; value: number }[];
}

/**
 * The reference of a model from the rows it was trained on. The raw rows come from the split that
 * made its training data when the split knows them (`DatasetState.raw`); otherwise from the
 * training table, where a column a preparation step rewrote is not raw and is left out (said in
 * `unprofiled`). Numeric input columns are read as DOUBLE, the rest as text (how a served JSON
 * value reads). The sample is seeded by the model's seed.
 */
export async function buildModelReference(db: Database, state: ModelState, data: DatasetState, registered: { name: string; version: number; metrics: ModelReference["metrics"] }): Promise<ModelReference> {
  const source = data.raw ?? { sql: data.relation as string, prepared: [...new Set((data.transform ?? []).flatMap((a) => stepOutputs(a.step)))] };
  const available = new Set(data.raw ? Object.keys(data.rawTypes) : data.columns);
  const input = state.types.input.filter((c) => c.name !== state.target).map((c) => ({ name: c.name, type: c.type, kind: (isNumericType(c.type) ? "numeric" : "categorical") as FeatureKind }));
  const unprofiled: ModelReference["unprofiled"] = [];
  const profiled = input.filter((c) => {
    if (source.prepared.includes(c.name)) unprofiled.push({ column: c.name, reason: "prepared before the split, so the training rows do not hold its raw values" });
    else if (!available.has(c.name)) unprofiled.push({ column: c.name, reason: "not a column of the training rows" });
    else return true;
    return false;
  });
  const columns: Record<string, ColumnValues> = {};
  if (profiled.length) {
    const select = profiled.map((c) => `CAST(${ident(c.name)} AS ${c.kind === "numeric" ? "DOUBLE" : "VARCHAR"}) AS ${ident(c.name)}`).join(", ");
    const values = (await db.connection.runAndReadAll(`SELECT ${select} FROM ${source.sql}`)).getColumnsJS();
    profiled.forEach((c, i) => (columns[c.name] = c.kind === "numeric" ? (values[i] as (number | null)[]) : (values[i] as (string | null)[])));
  }
  const profile = buildProfile(columns, { sampleSize: DEFAULT_SAMPLE_SIZE, seed: state.spec.seed, kinds: Object.fromEntries(profiled.map((c) => [c.name, c.kind])) });
  return { format: REFERENCE_FORMAT, ...registered, trainedOn: state.trainedOn, task: state.task, target: state.target, classes: state.classes, input, profile, unprofiled };
}
