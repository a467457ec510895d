import { randomBytes } from "node:crypto";
import { chainSql } from "../data/chain.js";
import { checkFeatures } from "../data/feature-check.js";
import { takesMissing } from "../models/missing-values.js";
import { writeRows } from "../data/write.js";
import { abortError, DataError } from "../errors.js";
import type { ModelRegistry } from "../model-registry.js";
import { predictWithProba } from "../models/predict-with-proba.js";
import { scoringSteps } from "../predict/inputs.js";
import { loadModel } from "../predict/load.js";
import type { StepResult } from "../results.js";
import { ident, literal } from "../sql/quote.js";
import { missingColumns, remainingTransform } from "../transform.js";
import { batchLogLimit, RowSample, writeBatchLog, writtenColumns } from "./batch-log.js";
import type { DeployStep } from "./deploy-step.js";
import type { StepContext } from "./types.js";

/**
 * Batch scoring, streamed: the model's transform runs in DuckDB SQL over the dataset (what of it the
 * rows have not had), features stream out in blocks of `blockRows`, each block is predicted and its
 * predictions appended to a table, and the input rows are joined to them by position and written.
 * Memory holds one block; DuckDB spills the rest (LATHE_MEMORY_LIMIT, LATHE_TEMP_DIR).
 *
 *     rows ─transform (SQL)─▶ features ─blocks─▶ model.predict ─appender─▶ predictions
 *     rows ⋈(position) predictions + model name, version, run id ─COPY / CREATE TABLE─▶ target
 *     rows ⋈(position) predictions, the logged ones ─COPY─▶ .lathe/batches/<name>/ (for `monitor`)
 *
 * For the monitor, the rows are logged like served predictions (`batch-log.ts`): the model's raw
 * input columns the rows hold, the prediction and probabilities, and the target as the label when
 * the rows have it; all rows up to LATHE_BATCH_LOG_ROWS (100,000), else a sample of that many,
 * seeded by the model's seed.
 */
export async function scoreBatch(ctx: StepContext, step: DeployStep, registry: ModelRegistry): Promise<Extract<StepResult, { kind: "written" }>> {
  const loaded = await loadModel(registry, step.ref);
  const { pkg, model } = loaded;
  const ds = ctx.dataset(step.dataset);
  const remaining = remainingTransform({ name: loaded.version.name, transform: pkg.transform }, { name: step.dataset, transform: await ctx.concreteTransform(ds) });
  // Only what the features need: the rows need not carry the columns the target was derived from.
  const rest = scoringSteps(remaining, pkg.featureColumns).map((i) => remaining[i]);
  const missing = missingColumns(ds.columns, rest, pkg.featureColumns);
  if (missing.length) throw new DataError(`\`${step.dataset}\` lacks ${missing.length === 1 ? "a column" : "columns"} "${loaded.version.name}" reads: ${missing.map((c) => `\`${c}\``).join(", ")}`, undefined, "missing-columns");

  // Logged inputs: the model's raw input columns the rows hold as they came, not as a step of the
  // model's transform already applied to them rewrote them (those would not compare with the reference).
  const root = ctx.options.serving?.root;
  const limit = root ? batchLogLimit() : 0;
  const rewritten = writtenColumns(pkg.transform.slice(0, pkg.transform.length - remaining.length));
  const logInputs = loaded.predictor.inputSchema.map((c) => c.name).filter((c) => ds.columns.includes(c) && !rewritten.has(c));
  const sample = new RowSample(ds.rows, limit, pkg.seed);

  const db = ctx.db;
  const chain = chainSql(ds.relation, rest, ds.columns);
  const features = ident(ctx.tempName("deploy_features"));
  const predictions = ident(ctx.tempName("deploy_predictions"));
  const predictionsName = predictions.slice(1, -1);
  const present = new Set(chain.columns);
  await db.exec(`CREATE OR REPLACE TEMP VIEW ${features} AS ${chain.sql}`);
  try {
    await checkFeatures(db, features, step.dataset, pkg.featureColumns.filter((c) => present.has(c)), takesMissing(pkg.algorithm));
    // Output columns: the prediction, one probability per class, then who predicted.
    const predicted = `predicted_${pkg.target}`;
    const probability = (c: string) => `probability_${c}`;
    const classification = pkg.task === "classification";
    const probaNames = classification ? pkg.classes.map(probability) : [];
    // A regular table, appended through a second connection: any other statement on the streaming
    // connection (an appender's flush included) would end the stream of features early.
    // `__row` and `__logged`: each row's position, and whether it is in the monitor's log.
    await db.exec(`CREATE OR REPLACE TABLE ${predictions} (${[`${ident(predicted)} ${classification ? "VARCHAR" : "DOUBLE"}`, ...probaNames.map((p) => `${ident(p)} DOUBLE`), "__row BIGINT", "__logged BOOLEAN"].join(", ")})`);
    const select = pkg.featureColumns.map((c) => (present.has(c) ? `CAST(${ident(c)} AS FLOAT)` : "CAST(0 AS FLOAT)") + ` AS ${ident(c)}`).join(", ");
    const writer = await db.instance.connect();
    const appender = await writer.createAppender(predictionsName);
    const k = pkg.classes.length;
    let withProba = false;
    let row = 0;
    try {
      await db.float32Blocks(`SELECT ${select} FROM ${features}`, step.blockRows, (n, columns) => {
        if (ctx.options.signal?.aborted) throw abortError();
        const x = { n, columns, names: pkg.featureColumns };
        const { predictions: yPred, probabilities: proba } = predictWithProba(model, x, classification);
        withProba ||= !!proba;
        for (let i = 0; i < n; i++) {
          if (classification) appender.appendVarchar(pkg.classes[yPred[i]]);
          else appender.appendDouble(yPred[i]);
          for (let j = 0; j < probaNames.length; j++) {
            if (proba) appender.appendDouble(proba[i * k + j]);
            else appender.appendNull();
          }
          appender.appendBigInt(BigInt(row++));
          appender.appendBoolean(sample.next());
          appender.endRow();
        }
        appender.flushSync();
      });
    } finally {
      appender.closeSync();
      writer.closeSync();
    }
    // A column of the input with an output's name gives way to the output.
    const outputs = [predicted, ...(withProba ? probaNames : []), "model_name", "model_version", "run_id"];
    const clash = ds.columns.filter((c) => outputs.includes(c));
    const src = `src.*${clash.length ? ` EXCLUDE (${clash.map(ident).join(", ")})` : ""}`;
    const meta = `${literal(loaded.version.name)} AS model_name, ${literal(loaded.version.version)} AS model_version, ${ctx.options.runId ? literal(ctx.options.runId) : "CAST(NULL AS VARCHAR)"} AS run_id`;
    const query = `SELECT ${src}, ${[predicted, ...(withProba ? probaNames : [])].map((c) => `p.${ident(c)}`).join(", ")}, ${meta} FROM ${ds.relation} AS src POSITIONAL JOIN ${predictions} AS p`;
    const where = await writeRows(db, query, step.target, ctx.engine);
    let logged: { rows: number; file: string } | undefined;
    if (root && sample.size) {
      const id = `batch:${ctx.options.runId ?? "unrecorded"}:${randomBytes(4).toString("hex")}`;
      const label = ds.columns.includes(pkg.target) ? pkg.target : undefined;
      const file = await writeBatchLog(db, { root, model: loaded.version.name, version: loaded.version.version, id, rows: row, inputs: logInputs, label, prediction: predicted, probabilities: withProba ? pkg.classes.map((c) => [c, probability(c)]) : [], from: `${ds.relation} AS src POSITIONAL JOIN ${predictions} AS p` });
      logged = { rows: sample.size, file };
    }
    return { kind: "written", what: step.dataset, rows: ds.rows, where, model: `"${loaded.version.name}" version ${loaded.version.version}`, ...(logged ? { logged } : {}) };
  } finally {
    await db.exec(`DROP VIEW IF EXISTS ${features}`);
    await db.exec(`DROP TABLE IF EXISTS ${predictions}`);
  }
}

