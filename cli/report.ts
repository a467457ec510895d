import path from "node:path";
import type { StepResult } from "../runtime/results.js";
import { formatTable } from "./format-table.js";

/** The full text rendering of a result, for results that have more to show than one line. */
export function resultDetail(r: StepResult, cwd = process.cwd()): string | undefined {
  switch (r.kind) {
    case "metrics": {
      const rows = Object.entries(r.values).map(([metric, value]) => ({ metric, value }));
      return `metrics of ${r.model} on ${r.data}\n${formatTable(["metric", "value"], rows)}`;
    }
    case "assert":
      return r.checks.map((c) => `  ${c.passed ? "ok  " : "FAIL"} ${c.metric} = ${c.value.toFixed(4)} (required ${c.op} ${c.bound})`).join("\n");
    case "chart":
      return r.files.length ? `${r.title}: ${r.files.map((f) => path.relative(cwd, f)).join(", ")}` : undefined;
    case "table":
      return formatTable(r.columns, r.rows);
    case "tune":
      return formatTable(["trial", ...Object.keys(r.trials[0]?.params ?? {}), r.metric], r.trials.map((t) => ({ trial: t.trial, ...t.params, [r.metric]: t.score })));
    case "describe":
      return formatTable(["column", "type", "count", "nulls", "distinct", "min", "max", "mean", "std", "top"], r.columns);
    default:
      return undefined;
  }
}
