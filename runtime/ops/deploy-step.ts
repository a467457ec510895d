import type { ModelRef } from "../../language/model-ref.js";
import type { WriteTarget } from "../data/write.js";
import type { StepBase } from "./types.js";

/** `deploy NAME batch from DATASET to "file"` / `to table "t" in "db.duckdb"`: scores every row with a registered model. */
export type DeployStep = StepBase & { op: "deploy"; ref: ModelRef; dataset: string; target: WriteTarget; blockRows: number };
