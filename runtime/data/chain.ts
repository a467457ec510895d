import type { PrepareStep } from "../../language/ast.js";
import { ident } from "../sql/quote.js";
import type { Database } from "./database.js";
import { canDropInPlace, dropDuplicatesInPlace } from "./drop-duplicates.js";
import { columnsAfter, compileStep, fitStep, isFitted, stepText, type AppliedStep } from "./steps.js";

/** A chain of steps compiled to one query: a CTE per step, so `lathe explain` can show each. */
export interface CompiledChain {
  sql: string;
  ctes: { name: string; sql: string }[];
  columns: string[];
}

/** Compiles `steps` over the relation `base` (a table name or a parenthesised query). */
export function chainSql(base: string, steps: AppliedStep[], columns: string[]): CompiledChain {
  const ctes: { name: string; sql: string }[] = [{ name: "s0", sql: `SELECT * FROM ${base}` }];
  let cols = columns;
  steps.forEach((s, i) => {
    ctes.push({ name: `s${i + 1}`, sql: compileStep(s, `s${i}`, cols) });
    cols = columnsAfter(s, cols);
  });
  const sql = `WITH ${ctes.map((c) => `${c.name} AS (${c.sql})`).join(", ")} SELECT * FROM s${steps.length}`;
  return { sql, ctes, columns: cols };
}

/** A fitted chain ready to run: its steps with learned constants and the query that applies them. */
export interface FittedChain {
  applied: AppliedStep[];
  /** The query giving the chain's result; it may read from `staged` tables instead of the base. */
  chain: CompiledChain;
  /** Temporary tables holding intermediate rows; drop them (`dropStaged`) once `chain` has run. */
  staged: string[];
}

let stageCount = 0;

/** Where staging left the rows: the relation holding them, its columns, and the table if it is a staged one. */
interface StagedRows {
  rel: string;
  cols: string[];
  /** The staged table `rel` names, which later staging may change in place; none while `rel` is the base. */
  table?: string;
}

/**
 * Writes the rows of `steps` over `at` into temporary tables (their names added to `staged`), once.
 * `drop duplicates` runs in place on a staged table holding its input rows in order
 * (`dropDuplicatesInPlace`): no window over every row and no sort, so its cost is the grouping a
 * hand-written `SELECT DISTINCT` pays. The steps after the last of them stay to be applied over the
 * table (`left`), as they are cheap to compute again; a chain without one is staged whole.
 * A staged table a later one replaces is dropped at once.
 */
async function stage(db: Database, at: StagedRows, steps: AppliedStep[], staged: string[]): Promise<StagedRows & { left: number }> {
  let { rel, cols, table } = at;
  let start = 0;
  const write = async (upTo: number) => {
    const chain = chainSql(rel, steps.slice(start, upTo), cols);
    const name = `__lathe_stage_${++stageCount}`;
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${ident(name)} AS ${chain.sql}`);
    staged.push(name);
    if (table) {
      await db.exec(`DROP TABLE IF EXISTS ${ident(table)}`);
      staged.splice(staged.indexOf(table), 1);
    }
    [rel, cols, table, start] = [ident(name), chain.columns, name, upTo];
  };
  for (const [i, { step }] of steps.entries()) {
    if (step.kind !== "drop-duplicates") continue;
    if (!canDropInPlace(chainSql(rel, steps.slice(start, i), cols).columns)) {
      await write(i + 1);
      continue;
    }
    // Its input rows in order, in a table of this chain's own (never a dataset's: rows are deleted).
    if (i > start || !table) await write(i);
    const [{ Count: rows }] = await db.rows(`SELECT count(*) AS "Count" FROM ${rel}`);
    const removed = await dropDuplicatesInPlace(db, table!, step.on.length ? step.on.map((n) => n.text) : cols, Number(rows));
    start = i + 1;
    // Deleted rows still take their place in the table, and every later scan skips them: when
    // most rows went, the rest are written again compactly (in the same order).
    if (removed * 2 > Number(rows)) await write(start);
  }
  if (!table) await write(steps.length);
  return { rel, cols, table, left: steps.length - start };
}

/**
 * Fits every fitted step on the rows of `base` as they stand just before that step, in order,
 * so a scale after a fill sees filled values. Stateless steps pass through unchanged.
 *
 * Each fit scans the chain so far. Where that chain is costly to recompute (it removes duplicates,
 * or `stageBase` says the base is a file to parse) the rows are materialised once into a
 * temporary table (`stage`) and later fits and the final query read from it, as a hand-written pipeline would.
 * With `inline`, steps other than one-hot learn in the query itself (see `AppliedStep.inline`).
 */
export async function fitAndCompile(db: Database, base: string, steps: PrepareStep[], columns: string[], options: { stageBase?: boolean; inline?: boolean } = {}): Promise<FittedChain> {
  const applied: AppliedStep[] = [];
  const staged: string[] = [];
  let at: StagedRows = { rel: base, cols: columns };
  let from = 0;
  try {
    for (const step of steps) {
      if (!isFitted(step)) {
        applied.push({ step });
        continue;
      }
      if (options.inline && step.kind !== "onehot") {
        applied.push({ step, inline: true });
        continue;
      }
      const pending = applied.slice(from);
      if (pending.some((a) => a.step.kind === "drop-duplicates") || (options.stageBase && !staged.length)) {
        const { left, ...rows } = await stage(db, at, pending, staged);
        at = rows;
        from = applied.length - left;
      }
      const before = chainSql(at.rel, applied.slice(from), at.cols);
      applied.push({ step, fitted: await fitStep(db, step, `(${before.sql})`) });
    }
  } catch (e) {
    await dropStaged(db, { applied, chain: chainSql(at.rel, [], at.cols), staged });
    throw e;
  }
  return { applied, chain: chainSql(at.rel, applied.slice(from), at.cols), staged };
}

/** Drops the temporary tables a fitted chain staged. */
export async function dropStaged(db: Database, fitted: FittedChain): Promise<void> {
  for (const t of fitted.staged) await db.exec(`DROP TABLE IF EXISTS ${ident(t)}`);
}

/** Fits the steps of a chain over `base` (see `fitAndCompile`) and returns them with their constants. */
export async function fitChain(db: Database, base: string, steps: PrepareStep[], columns: string[]): Promise<AppliedStep[]> {
  const fitted = await fitAndCompile(db, base, steps, columns);
  await dropStaged(db, fitted);
  return fitted.applied;
}

/** The chain as readable SQL: one CTE a line, each under a comment naming its step. */
export function formatChain(chain: CompiledChain, steps: AppliedStep[]): string {
  const lines = chain.ctes.map((c, i) => `${i === 0 ? "  -- input\n" : `  -- ${stepText(steps[i - 1])}\n`}  ${c.name} AS (${c.sql})${i < chain.ctes.length - 1 ? "," : ""}`);
  return `WITH\n${lines.join("\n")}\nSELECT * FROM ${chain.ctes[chain.ctes.length - 1].name}`;
}
