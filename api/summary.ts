import type { StepResult } from "../runtime/results.js";

/** A short human line for a finished step's result, shared by the CLI and the kernel. */
export function resultSummary(r: StepResult | undefined): string {
  if (!r) return "";
  const text = summaryOf(r);
  return r.reused ? `${text} (unchanged, reused)` : text;
}

function summaryOf(r: StepResult): string {
  switch (r.kind) {
    case "dataset":
      return `${r.rows} rows, ${r.columns.length} columns`;
    case "split":
      return r.parts.map((p) => `${p.name} ${p.rows}`).join(", ");
    case "model":
      return `${r.rows} rows, ${r.features.length} features${r.classes.length ? `, ${r.classes.length} classes` : ""}${r.backend ? (r.backend === "native" ? ", native engine" : `, tfjs ${r.backend}`) : ""}`;
    case "metrics":
      return Object.entries(r.values)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(", ");
    case "assert":
      return r.passed ? "passed" : "FAILED";
    case "chart":
      return r.title;
    case "table":
      return `${r.rows.length} rows`;
    case "describe":
      return `${r.rows} rows`;
    case "tune":
      return `best ${r.metric} ${r.best.score.toFixed(4)} with ${paramText(r.best.params)} (${r.trials.length} trials)`;
    case "registry":
      if (r.action === "register") return `${JSON.stringify(r.name)} version ${r.version}`;
      return `champion of ${JSON.stringify(r.name)} is version ${r.version}${r.previous === undefined ? " (none before)" : r.previous === r.version ? " (it already was)" : ` (was ${r.previous})`}`;
    case "notice":
      return r.message;
  }
}

function paramText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
}

