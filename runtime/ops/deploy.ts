import { parseModelRef } from "../../language/model-ref.js";
import { DataError } from "../errors.js";
import { writeTarget } from "./save.js";
import type { DeployStep } from "./deploy-step.js";
import type { Draft, OpDefinition, Planner } from "./types.js";

export type { DeployStep } from "./deploy-step.js";

export const planDeploy: Planner<"deploy", Draft<DeployStep>> = (s, ctx) => ({
  op: "deploy",
  ref: parseModelRef(s.target.name.value, s.target.version),
  dataset: s.data.text,
  target: writeTarget(s.output, ctx.baseDir, ctx.origins.get(s.data.text)),
  // Rows scored at a time: memory holds one block of features and predictions, however many rows.
  blockRows: Number(process.env.LATHE_BATCH_ROWS) > 0 ? Math.floor(Number(process.env.LATHE_BATCH_ROWS)) : 65_536,
  label: `deploy ${s.target.name.value}${s.target.version !== undefined ? ` version ${s.target.version}` : ""} batch from ${s.data.text}`,
});

export const deploy: OpDefinition<DeployStep> = {
  op: "deploy",
  io: (step) => ({ reads: [step.dataset], defines: [] }),
  cacheable: () => false,
  // It writes outside the run with a registered model: not after a failed assert, not while reproducing.
  sideEffect: true,
  async run(ctx, step) {
    if (!ctx.options.models) throw new DataError("batch scoring needs the model registry of a run store", undefined, "no-registry");
    const { scoreBatch } = await import("./deploy-batch.js");
    return scoreBatch(ctx, step, ctx.options.models);
  },
};
