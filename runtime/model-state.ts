import type { ParamValue, TrainedModel } from "./models/types.js";
import type { Transform } from "./transform.js";

/** Everything needed to train a model: the `train` plan step without its plan bookkeeping. */
export interface TrainSpec {
  model: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  features: string[];
  input: string;
  /** The dataset watched for early stopping and validation curves, if any (see `grammar.md`, model options). */
  validation?: string;
  seed: number;
  params: Record<string, ParamValue>;
}

/** A trained model with everything needed to apply it elsewhere: columns, classes, the fitted transform. */
export interface ModelState {
  name: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  features: string[];
  featureColumns: string[];
  classes: string[];
  model: TrainedModel;
  /** The column transforms learned on its training rows: every way of scoring it applies exactly these to raw rows. */
  transform: Transform;
  /** The raw columns it reads (features and target traced back through `transform`). */
  inputColumns: string[];
  /** Their DuckDB types (the input schema), and the types each transform step reads (see `transformTypes`). */
  types: { input: { name: string; type: string }[]; steps: Record<string, string>[] };
  trainedOn: string;
  /** How it was trained, so `tune` can train it again with other options. */
  spec: TrainSpec;
  params: Record<string, ParamValue>;
  rows: number;
  /** The engine that trained it (a TensorFlow.js backend, `native`), for learners that use one. */
  backend?: string;
}

/** The JSON artifact of a trained model: enough to rebuild it and apply the same preparation elsewhere. */
export function modelArtifact(state: ModelState): Record<string, unknown> {
  return {
    format: "lathe-model",
    version: 2,
    name: state.name,
    algorithm: state.algorithm,
    task: state.task,
    target: state.target,
    features: state.features,
    featureColumns: state.featureColumns,
    classes: state.classes,
    params: state.params,
    seed: state.spec.seed,
    input: { columns: state.types.input },
    transformTypes: state.types.steps,
    transform: state.transform,
    model: state.model.toJSON(),
  };
}
