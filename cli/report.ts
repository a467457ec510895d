import { assertNever } from "../language/assert-never.js";
import path from "node:path";
import { renderResult } from "../runtime/ops/index.js";
import { boundedTable } from "../runtime/output-bounds.js";
import type { StepResult } from "../runtime/results.js";
import { formatTable } from "./format-table.js";
import { isDrawn } from "../runtime/charts/types.js";

/** What a terminal says under a chart that no record or file keeps. */
export const undrawnNote = "not saved: the run is not recorded (--no-record) and the plot names no file; `plot ... to \"chart.svg\"` (or .png, .html, .vl.json) writes one";

/** The full text rendering of a result, for results that have more to show than one line: its op's parts as text. */
export function resultDetail(r: StepResult, cwd = process.cwd()): string | undefined {
  const parts = renderResult(r).parts.flatMap((p) => {
    switch (p.kind) {
      case "table": {
        const { rows, note } = boundedTable(p);
        return [`${p.title ? `${p.title}\n` : ""}${formatTable(p.columns, rows)}${note ? `\n(${note})` : ""}`];
      }
      case "chart":
        // A terminal shows where a chart went; the chart itself is for notebooks. A chart drawn
        // nowhere (not recorded, no file: `lathe run --no-record`) shows its numbers and how to keep it.
        if (p.files.length) return [`${p.title}: ${p.files.map((f) => path.relative(cwd, f)).join(", ")}`];
        return isDrawn(p.bundle) ? [] : [`${p.bundle["text/plain"]}\n(${undrawnNote})`];
      case "text":
        return [p.text];
      default:
        return assertNever(p);
    }
  });
  return parts.length ? parts.join("\n") : undefined;
}
