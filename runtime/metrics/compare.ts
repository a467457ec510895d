import { assertNever } from "../../language/assert-never.js";

/** A comparison of a measured value with a bound, as asserts, monitor rules and retrain conditions write it. */
export type CompareOp = "<" | "<=" | ">" | ">=" | "=" | "!=";

/** Whether `v op bound` holds. */
export function compare(v: number, op: CompareOp, bound: number): boolean {
  switch (op) {
    case "<":
      return v < bound;
    case "<=":
      return v <= bound;
    case ">":
      return v > bound;
    case ">=":
      return v >= bound;
    case "=":
      return v === bound;
    case "!=":
      return v !== bound;
    default:
      return assertNever(op);
  }
}
