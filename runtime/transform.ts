import type { Expr, PrepareStep } from "../language/ast.js";
import { assertNever } from "../language/assert-never.js";
import { DataError } from "./errors.js";
import { chainSql } from "./data/chain.js";
import type { Database } from "./data/database.js";
import { columnsAfter, stepText, type AppliedStep } from "./data/steps.js";
import { exprColumns, inputColumns } from "./predict/inputs.js";

export { exprColumns, inputColumns };
import { ident } from "./sql/quote.js";

/**
 * A model's preparation: the column transforms (fills, scaling, one-hot, buckets, derived columns,
 * casts, renames...) applied between the raw rows of its data and its features, with the constants
 * they learned. Row filters and de-duplication shape the training data, not the model, so they are
 * not part of it (BigQuery ML's TRANSFORM works the same way). Every dataset keeps the column
 * transforms applied since its raw rows, so scoring can tell what a model still has to apply.
 */
export type Transform = AppliedStep[];

const rowSteps = new Set<PrepareStep["kind"]>(["drop-rows", "keep-rows", "drop-duplicates"]);

/** True for steps that choose rows and leave columns alone. */
export function isRowStep(step: PrepareStep): boolean {
  return rowSteps.has(step.kind);
}

/** The column transforms of a chain of steps, in order. */
export function columnSteps(steps: AppliedStep[]): Transform {
  return steps.filter((a) => !isRowStep(a.step));
}

const same = (a: AppliedStep, b: AppliedStep) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What of a model's transform remains to be applied to a dataset: the dataset must have had exactly
 * a beginning of the model's transform applied (none, for raw rows; all of it, for a part of the
 * split the model was trained from). Anything else means the dataset was prepared with constants the
 * model did not learn, and scoring it would silently be wrong, so it is an error.
 */
export function remainingTransform(model: { name: string; transform: Transform }, data: { name: string; transform: Transform }): Transform {
  const m = model.transform;
  const d = data.transform;
  let i = 0;
  while (i < d.length && i < m.length && same(d[i], m[i])) i++;
  if (i < d.length) {
    const own = d.slice(i).map((a) => `\`${stepText(a)}\``);
    throw new DataError(
      `\`${data.name}\` was prepared with ${own.length === 1 ? "a step" : "steps"} that \`${model.name}\` did not learn (${own.join(", ")}); a model applies its own preparation, so score it on rows before those steps (the raw rows, filtered as you like) or on a part of the split it was trained from`,
      undefined,
      "preparation-mismatch",
    );
  }
  return m.slice(i);
}

/** The columns a step reads. */
export function stepInputs(step: PrepareStep): string[] {
  switch (step.kind) {
    case "drop-rows":
    case "keep-rows":
      return exprColumns(step.where);
    case "drop-duplicates":
      return step.on.map((n) => n.text);
    case "drop-columns":
    case "keep-columns":
    case "fill":
    case "onehot":
    case "clip":
    case "cast":
    case "text":
    case "scale":
      return step.columns.map((n) => n.text);
    case "replace":
    case "bucket":
      return [step.column.text];
    case "derive":
      return exprColumns(step.expr);
    case "rename":
      return [step.from.text];
    default:
      return assertNever(step);
  }
}

/** The columns a step rewrites, creates or removes (whose values after it are not the raw ones). */
export function stepOutputs(step: PrepareStep): string[] {
  switch (step.kind) {
    case "drop-rows":
    case "keep-rows":
    case "drop-duplicates":
    case "keep-columns":
      return [];
    case "derive":
      return [step.name.text];
    case "rename":
      return [step.from.text, step.to.text];
    default:
      // The rest write the columns they read.
      return stepInputs(step);
  }
}

/**
 * The columns a dataset lacks for a transform and then a model's features and target: walking the
 * transform forward from the dataset's columns, each step's inputs must exist when it runs.
 */
export function missingColumns(columns: string[], transform: Transform, needed: string[]): string[] {
  let have = columns;
  const missing = new Set<string>();
  for (const a of transform) {
    for (const c of stepInputs(a.step)) if (!have.includes(c)) missing.add(c);
    have = columnsAfter(a, have);
  }
  for (const c of needed) if (!have.includes(c)) missing.add(c);
  return [...missing];
}

/**
 * The DuckDB types a transform works with: the model's input schema (its raw columns' types), and
 * for each step the types of the columns it reads as they stand before it. Serving and export apply
 * the transform in plain JavaScript, where a number does not say whether it was an integer or a
 * double; these types let them produce what DuckDB does (`2` vs `2.0` in a one-hot vocabulary).
 */
export async function transformTypes(db: Database, rawTypes: Record<string, string>, transform: Transform, inputs: string[]): Promise<{ input: { name: string; type: string }[]; steps: Record<string, string>[] }> {
  const names = Object.keys(rawTypes);
  const base = `(SELECT ${names.map((c) => `CAST(NULL AS ${rawTypes[c]}) AS ${ident(c)}`).join(", ")} LIMIT 0)`;
  const steps: Record<string, string>[] = [];
  for (let i = 0; i < transform.length; i++) {
    const described = await db.describe(chainSql(base, transform.slice(0, i), names).sql);
    const types = new Map(described.map((c) => [c.name, c.type]));
    steps.push(Object.fromEntries(stepInputs(transform[i].step).flatMap((c) => (types.has(c) ? [[c, types.get(c)!]] : []))));
  }
  return { input: inputs.filter((c) => Object.hasOwn(rawTypes, c)).map((c) => ({ name: c, type: rawTypes[c] })), steps };
}
