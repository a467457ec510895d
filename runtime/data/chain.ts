import type { PrepareStep } from "../../language/ast.js";
import type { Database } from "./database.js";
import { columnsAfter, compileStep, fitStep, isFitted, type AppliedStep } from "./steps.js";

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

/**
 * Fits every fitted step on the rows of `base` as they stand just before that step, in order,
 * so a scale after a fill sees filled values. Stateless steps pass through unchanged.
 */
export async function fitChain(db: Database, base: string, steps: PrepareStep[], columns: string[]): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    if (isFitted(step)) {
      const before = chainSql(base, applied, columns);
      applied.push({ step, fitted: await fitStep(db, step, `(${before.sql})`) });
    } else {
      applied.push({ step });
    }
  }
  return applied;
}
