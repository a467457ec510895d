import type { AppliedStep } from "../data/steps.js";
import type { Expr } from "../../language/ast.js";

/**
 * The raw columns a model reads: its features (and, for training, its target) traced back through its
 * transform — a derived column needs what its expression reads, a one-hot indicator its column, a
 * rename its old name; steps that rewrite a column in place need that column. This is the input
 * schema batch scoring, serving and export check rows against. Imports nothing at run time.
 */
export function inputColumns(transform: AppliedStep[], outputs: string[]): string[] {
  return [...traceOutputs(transform, outputs).needed];
}

/**
 * Which steps of a transform scoring needs to produce `outputs` (a model's features), by index: the
 * steps that make or rewrite a column those outputs are traced back to. The rest — above all the
 * derivation of the target (`derive late = delay > 15`), and row filters or column selections — are
 * training's business: scoring without them does not make a caller send the label's source columns.
 */
export function scoringSteps(transform: AppliedStep[], outputs: string[]): number[] {
  return traceOutputs(transform, outputs).kept;
}

/** One walk back through a transform from `outputs`: the raw columns they need, and the steps (by index, in order) that touch them. */
function traceOutputs(transform: AppliedStep[], outputs: string[]): { needed: Set<string>; kept: number[] } {
  const needed = new Set(outputs);
  const kept: number[] = [];
  for (let i = transform.length - 1; i >= 0; i--) {
    const { step, fitted } = transform[i];
    switch (step.kind) {
      case "drop-rows":
      case "keep-rows":
      case "drop-duplicates":
      case "drop-columns":
      case "keep-columns":
        continue;
      case "derive":
        if (needed.delete(step.name.text)) {
          for (const c of exprColumns(step.expr)) needed.add(c);
          kept.push(i);
        }
        continue;
      case "rename":
        if (needed.delete(step.to.text)) {
          needed.add(step.from.text);
          kept.push(i);
        }
        continue;
      case "onehot": {
        let used = false;
        for (const c of step.columns.map((n) => n.text)) {
          const vocab = fitted?.kind === "onehot" && Object.prototype.hasOwnProperty.call(fitted.vocab, c) ? fitted.vocab[c] : [];
          const indicators = [...vocab.map((v) => `${c}_${v}`), `${c}__other`];
          if (indicators.some((x) => needed.has(x))) {
            for (const x of indicators) needed.delete(x);
            needed.add(c);
            used = true;
          }
        }
        if (used) kept.push(i);
        continue;
      }
      case "replace":
      case "bucket":
        if (needed.has(step.column.text)) kept.push(i);
        continue;
      default:
        // Steps that rewrite their columns in place (fill, clip, cast, text, scale).
        if (step.columns.some((n) => needed.has(n.text))) kept.push(i);
    }
  }
  return { needed, kept: kept.reverse() };
}

/** Column names an expression refers to. */
export function exprColumns(e: Expr): string[] {
  switch (e.kind) {
    case "literal":
      return [];
    case "column":
      return [e.name.text];
    case "unary":
    case "is-missing":
      return exprColumns(e.operand);
    case "binary":
      return [...exprColumns(e.left), ...exprColumns(e.right)];
    case "between":
      return [...exprColumns(e.operand), ...exprColumns(e.low), ...exprColumns(e.high)];
    case "in":
      return [...exprColumns(e.operand), ...e.items.flatMap(exprColumns)];
    case "call":
      return e.args.flatMap(exprColumns);
  }
}
