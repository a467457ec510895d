import { totalmem } from "node:os";
import { DataError } from "./errors.js";

/**
 * How much memory a learner's training arrays may take before training streams its rows from
 * DuckDB instead (docs/larger-than-memory.md). The rule, in order:
 * - `LATHE_TRAIN_MEMORY` (e.g. `512MB`) when set;
 * - else half of `LATHE_MEMORY_LIMIT` (DuckDB's cap) when set: the process holds DuckDB's memory
 *   and the training arrays side by side, so a cap on one bounds the other too;
 * - else a quarter of the machine's physical memory.
 */
export function trainMemoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  if (env.LATHE_TRAIN_MEMORY) return parseBytes(env.LATHE_TRAIN_MEMORY, "LATHE_TRAIN_MEMORY");
  if (env.LATHE_MEMORY_LIMIT) return parseBytes(env.LATHE_MEMORY_LIMIT, "LATHE_MEMORY_LIMIT") / 2;
  return totalmem() / 4;
}

/**
 * Bytes the in-memory path holds for `rows` rows of `features` features: one float32 column per
 * feature plus the target's. A learner's own working copies (a standardised row-major copy for the
 * MLP, bin codes for trees) come on top; the estimate is what the columns alone take.
 */
export function trainingBytes(rows: number, features: number): number {
  return rows * (features + 1) * 4;
}

/** Whether `rows` × `features` is over the budget, so training streams. */
export function overBudget(rows: number, features: number, budget = trainMemoryBudget()): boolean {
  return trainingBytes(rows, features) > budget;
}

const units: Record<string, number> = { "": 1, b: 1, byte: 1, bytes: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/**
 * A size as DuckDB reads `memory_limit`: a number and an optional unit (K/KB, M/MB, G/GB, T/TB
 * powers of 1000; KiB/MiB/GiB/TiB of 1024), or a percentage of the machine's physical memory.
 */
export function parseBytes(text: string, setting: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*|%)\s*$/i.exec(text);
  const unit = m ? (m[2] === "%" ? totalmem() / 100 : units[m[2].toLowerCase()]) : undefined;
  if (!m || unit === undefined || !(Number(m[1]) > 0)) throw new DataError(`${setting}=${JSON.stringify(text)} is not a size; write it like 512MB or 2GB`, undefined, "invalid-memory-setting");
  return Number(m[1]) * unit;
}
