import { assertNever } from "../../language/assert-never.js";
import type { Expr } from "../../language/ast.js";
import { ident, literal } from "./quote.js";

const sqlFunctions: Record<string, string> = { dayofweek: "dayofweek", substr: "substr", pow: "pow" };

/** Compiles a Lathe expression to a DuckDB SQL expression; names are always quoted. */
export function compileExpr(e: Expr): string {
  switch (e.kind) {
    case "literal":
      return literal(e.value);
    case "column":
      return ident(e.name.text);
    case "unary":
      return e.op === "not" ? `(NOT ${compileExpr(e.operand)})` : `(-${compileExpr(e.operand)})`;
    case "binary": {
      const op = e.op === "and" ? "AND" : e.op === "or" ? "OR" : e.op;
      // `/` on integers truncates in some engines; cast so `a / b` is always a real division.
      if (op === "/") return `(CAST(${compileExpr(e.left)} AS DOUBLE) / ${compileExpr(e.right)})`;
      return `(${compileExpr(e.left)} ${op} ${compileExpr(e.right)})`;
    }
    case "is-missing": {
      const v = compileExpr(e.operand);
      // NaN counts as missing: it comes from JSON/CSV the same way nulls do and no model can take it.
      const missing = `(${v} IS NULL OR (TRY_CAST(${v} AS DOUBLE) IS NOT NULL AND isnan(TRY_CAST(${v} AS DOUBLE))))`;
      return e.negated ? `(NOT ${missing})` : missing;
    }
    case "between":
      return `(${compileExpr(e.operand)} ${e.negated ? "NOT " : ""}BETWEEN ${compileExpr(e.low)} AND ${compileExpr(e.high)})`;
    case "in":
      return `(${compileExpr(e.operand)} ${e.negated ? "NOT " : ""}IN (${e.items.map(compileExpr).join(", ")}))`;
    case "call": {
      const fn = e.fn.text.toLowerCase();
      return `${sqlFunctions[fn] ?? fn}(${e.args.map(compileExpr).join(", ")})`;
    }
    default:
      return assertNever(e);
  }
}
