import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";
import { has } from "../../language/lookup.js";
import { countText, engineSampleRows, maxDescribeCharts } from "../output-bounds.js";
import { engineSample } from "../data/engine-dataset.js";

/** `describe NAME`: a profile of a dataset's columns, or what a model is and how it was trained. */
export type DescribeStep = StepBase & { op: "describe"; target: string; what: "dataset" | "model" };

export const planDescribe: Planner<"describe", Draft<DescribeStep>> = (s, ctx) => {
  // The checker resolved the name; a model of that name wins only where no dataset has it.
  const what = has(ctx.checked.datasets, s.target.text) || !has(ctx.checked.models, s.target.text) ? "dataset" : "model";
  return { op: "describe", target: s.target.text, what, label: `describe ${s.target.text}` };
};

export const describe: OpDefinition<DescribeStep> = {
  op: "describe",
  io: (step) => ({ reads: [step.target], defines: [] }),
  cacheable: () => false,
  // Rows on an engine: a bounded sample comes back and is profiled (see `engineProfile`).
  readsEngine: () => true,
  // A dataset's chart per column, drawn where charts are shown (not in the CLI, which prints the table).
  draws: (step, options) => step.what !== "model" && options.displayCharts !== false,
  async run(ctx, step) {
    if (step.what === "model") {
      const m = ctx.model(step.target);
      const importance = m.model.importance?.();
      const { describeModel } = await import("./describe-model.js");
      return describeModel(m, ctx.measured.get(m.name) ?? [], importance);
    }
    const { profileDataset, renderProfileCharts } = await import("../describe.js");
    const signal = ctx.options.signal;
    // Vega and resvg are heavy to load and render; only a describe someone sees pays for them.
    const shown = ctx.options.displayCharts !== false;
    // Rows on an engine: describe's statistics (exact distinct counts, top values, histograms) are
    // DuckDB SQL over every value; rather than a second implementation in each dialect, a bounded
    // sample comes back (the first rows of the engine's stable order: spread over the whole table,
    // the same on every run) and is profiled; the row count is the engine's, exact.
    const remote = ctx.engineDataset(step.target);
    const sample = remote && (await engineSample(ctx, step.target, remote, engineSampleRows()));
    try {
      const table = sample ? sample.table : ctx.dataset(step.target).name;
      const rows = remote ? remote.rows : ctx.dataset(step.target).rows;
      const profile = await profileDataset(ctx.db, table, { signal, maxCharts: shown ? maxDescribeCharts : 0 });
      const charts = shown ? await renderProfileCharts(profile.specs, signal, ctx.options.drawChart) : [];
      const sampled = sample && sample.state.rows < rows ? { sampled: sample.state.rows } : {};
      return { kind: "describe", name: step.target, rows, columns: profile.columns as unknown as Record<string, unknown>[], charts, ...(shown && profile.unchartedColumns ? { unchartedColumns: profile.unchartedColumns } : {}), ...sampled };
    } finally {
      if (sample) await ctx.db.exec(`DROP TABLE IF EXISTS ${sample.state.relation}`);
    }
  },
};

/** A dataset profile: a row per column, then a chart per column. */
export function renderDescribe(r: Extract<StepResult, { kind: "describe" }>): Rendered {
  const columns = ["column", "type", "count", "nulls", "distinct", "min", "max", "mean", "std", "top"];
  const uncharted = r.unchartedColumns ?? 0;
  const notes = [
    ...(r.sampled !== undefined ? [`statistics of a sample of ${countText(r.sampled)} of the ${countText(r.rows)} rows, which stay on the engine (the first of its stable order)`] : []),
    ...(uncharted ? [`charts for the first ${countText(r.charts.length)} of ${countText(r.charts.length + uncharted)} columns that have one (at most ${maxDescribeCharts}); \`plot histogram of ${r.name} columns NAME\` draws any other`] : []),
  ];
  const note = notes.length ? notes.join("; ") : undefined;
  return { summary: `${r.rows} rows`, parts: [{ kind: "table", columns, rows: r.columns, ...(note ? { note } : {}) }, ...r.charts.map((c) => ({ kind: "chart" as const, title: c.column, bundle: c.bundle, files: [] }))], partsSuffice: true };
}

/** A model's description: what it is, its options, what it learned and how it measured. */
export function renderModelDescription(r: Extract<StepResult, { kind: "model-description" }>): Rendered {
  return {
    summary: `${r.algorithm} (${r.task}) predicting ${r.target} from ${r.trainedOn}: ${r.rows} rows, ${r.features.length} features`,
    parts: [
      { kind: "table", title: `model ${r.name}`, columns: ["property", "value"], rows: r.properties },
      ...(r.metrics.length ? [{ kind: "table" as const, title: "measured", columns: ["data", "metric", "value"], rows: r.metrics }] : []),
      ...(r.importance ? [{ kind: "table" as const, title: "feature importance", columns: ["feature", "importance"], rows: r.importance }] : []),
    ],
    partsSuffice: true,
  };
}
