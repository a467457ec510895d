import { assertNever } from "../language/assert-never.js";
import path from "node:path";
import { renderResult } from "../runtime/ops/index.js";
import { boundedTable } from "../runtime/output-bounds.js";
import type { StepResult } from "../runtime/results.js";
import { formatTable } from "./format-table.js";

/** The full text rendering of a result, for results that have more to show than one line: its op's parts as text. */
export function resultDetail(r: StepResult, cwd = process.cwd()): string | undefined {
  const parts = renderResult(r).parts.flatMap((p) => {
    switch (p.kind) {
      case "table": {
        const { rows, note } = boundedTable(p);
        return [`${p.title ? `${p.title}\n` : ""}${formatTable(p.columns, rows)}${note ? `\n(${note})` : ""}`];
      }
      case "chart":
        // A terminal shows where a chart went; the chart itself is for notebooks.
        return p.files.length ? [`${p.title}: ${p.files.map((f) => path.relative(cwd, f)).join(", ")}`] : [];
      case "text":
        return [p.text];
      default:
        return assertNever(p);
    }
  });
  return parts.length ? parts.join("\n") : undefined;
}
