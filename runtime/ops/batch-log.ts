import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync } from "node:fs";
import path from "node:path";
import type { AppliedStep } from "../data/steps.js";
import type { Database } from "../data/database.js";
import { SeededRandom } from "../models/seeded-random.js";
import { batchLogDir } from "../serve/prediction-log.js";
import { ensureDir, fsyncDir, removeQuietly, tempName } from "../store/durable-file.js";
import { ident, literal } from "../sql/quote.js";

/** Rows of one batch logged at most (LATHE_BATCH_LOG_ROWS; 0: none): a larger batch logs a seeded sample of this many. */
export function batchLogLimit(): number {
  const v = process.env.LATHE_BATCH_LOG_ROWS;
  return v !== undefined && v.trim() !== "" && Number.isFinite(Number(v)) && Number(v) >= 0 ? Math.floor(Number(v)) : 100_000;
}

/**
 * Picks `k` of `n` rows as they stream by, each set of `k` equally likely (Knuth's selection
 * sampling, algorithm S), from a seed: the same rows for the same seed and count, in one pass,
 * without knowing the rows.
 */
export class RowSample {
  private readonly random: SeededRandom;
  private seen = 0;
  private taken = 0;

  constructor(
    private readonly n: number,
    private readonly k: number,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
  }

  /** Rows taken so far. */
  get size(): number {
    return this.taken;
  }

  /** Whether the next row is in the sample. */
  next(): boolean {
    const left = this.n - this.seen++;
    if (left <= 0 || this.taken >= this.k) return false;
    // Every row when the sample is all of them: no draw, so no dependence on the generator.
    if (this.k >= this.n || this.random.next() * left < this.k - this.taken) {
      this.taken++;
      return true;
    }
    return false;
  }
}

/** The columns a transform's steps write (or remove): an input among them is not raw in rows those steps were applied to. */
export function writtenColumns(steps: AppliedStep[]): Set<string> {
  const out = new Set<string>();
  for (const { step } of steps) {
    switch (step.kind) {
      case "drop-rows":
      case "keep-rows":
      case "drop-duplicates":
      case "keep-columns":
        break;
      case "derive":
        out.add(step.name.text);
        break;
      case "rename":
        out.add(step.from.text).add(step.to.text);
        break;
      case "replace":
      case "bucket":
        out.add(step.column.text);
        break;
      default:
        for (const c of step.columns) out.add(c.text);
    }
  }
  return out;
}

/** What a batch's log records say and where its rows are. */
export interface BatchLogSpec {
  root: string;
  model: string;
  version: number;
  /** The batch's id, prefixing nothing else: every logged row of the batch has it as `request_id`. */
  id: string;
  /** Rows scored. */
  rows: number;
  /** Input fields to log: raw columns of the rows (`src.<column>`). */
  inputs: string[];
  /** The target column when the rows have it (a labelled batch). */
  label?: string;
  /** The prediction column and each class's probability column (`p.<column>`), by class. */
  prediction: string;
  probabilities: [string, string][];
  /** The rows joined to their predictions: `src` and `p` (with `__row` and `__logged`). */
  from: string;
}

/**
 * Writes the logged rows of a batch (those `__logged` marks) as one NDJSON segment of
 * `.lathe/batches/<name>/`, records shaped like the server's prediction log (`BatchPredictionRecord`)
 * so the monitor reads both alike: DuckDB writes the file in the store's temp folder, it is
 * fsynced and renamed into place, so a segment is whole or absent. Returns the segment.
 */
export async function writeBatchLog(db: Database, spec: BatchLogSpec): Promise<string> {
  const time = new Date().toISOString();
  const tmpDir = path.join(spec.root, "tmp");
  ensureDir(tmpDir);
  const tmp = tempName(tmpDir);
  const object = (pairs: [string, string][]) => `json_object(${pairs.map(([k, v]) => `${literal(k)}, ${v}`).join(", ")})`;
  const query = `SELECT ${literal(spec.id)} AS request_id, p.__row AS "row", ${literal(time)} AS "time", ${literal(spec.model)} AS model, ${spec.version} AS version,
      ${spec.inputs.length ? object(spec.inputs.map((c) => [c, `src.${ident(c)}`])) : "json_object()"} AS input,
      p.${ident(spec.prediction)} AS prediction${spec.probabilities.length ? `, ${object(spec.probabilities.map(([k, c]) => [k, `p.${ident(c)}`]))} AS probabilities` : ""}${spec.label !== undefined ? `, src.${ident(spec.label)} AS label` : ""}, ${spec.rows} AS batch_rows
    FROM ${spec.from} WHERE p.__logged`;
  // No ORDER BY: the positional join already yields rows in `__row` order (DuckDB preserves insertion
  // order), and a sort of 100,000 JSON records does not fit a small LATHE_MEMORY_LIMIT.
  try {
    await db.exec(`COPY (${query}) TO ${literal(tmp)} (FORMAT JSON)`);
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const dir = batchLogDir(spec.root, spec.model);
    ensureDir(dir);
    const stamp = time.replace(/[-:]/g, "").replace(/\.\d+/, "");
    const file = path.join(dir, `${stamp}-${process.pid}-${randomBytes(4).toString("hex")}.ndjson`);
    renameSync(tmp, file);
    fsyncDir(dir);
    return file;
  } finally {
    removeQuietly(tmp);
  }
}
