import { integerAxis } from "./integer-axis.js";
import { formatNumber, summary, textTable } from "./text-table.js";
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface Trial {
  /** 1-based trial number, in the order trials ran. */
  trial: number;
  score: number;
  params: Record<string, string | number | boolean | Array<string | number>>;
}

export interface TuningChartInput {
  /** Metric the search optimised, e.g. "f1". */
  metric: string;
  trials: Trial[];
  /** Direction of the metric (default true); decides the best trial and the running-best line. */
  higherIsBetter?: boolean;
  title?: string;
}

/** Metric per trial as points, with the running best as a step line and the best trial highlighted. */
export function tuningResultsChart(input: TuningChartInput): VegaLiteSpec {
  const higher = input.higherIsBetter ?? true;
  const title = input.title ?? `Tuning: ${input.metric} per trial`;
  const ordered = [...input.trials].sort((a, b) => a.trial - b.trial);
  const better = (a: number, b: number) => (higher ? a > b : a < b);
  let best: Trial | undefined;
  const values = ordered.map((t) => {
    if (!best || better(t.score, best.score)) best = t;
    return { trial: t.trial, score: t.score, best_so_far: best.score, params: paramText(t.params), kind: "trial" };
  });
  const bestTrial = best?.trial;
  for (const v of values) if (v.trial === bestTrial) v.kind = "best";
  const note = best ? `best: trial ${best.trial}, ${input.metric} ${formatNumber(best.score)} (${paramText(best.params)})` : undefined;
  const ranked = [...ordered].sort((a, b) => (higher ? b.score - a.score : a.score - b.score) || a.trial - b.trial);
  const table = textTable(["trial", input.metric, "params"], ranked.slice(0, 20).map((t) => [t.trial, t.score, paramText(t.params)]));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values },
    encoding: {
      x: { field: "trial", type: "quantitative", title: "Trial", axis: integerAxis(ordered.map((t) => t.trial)) },
    },
    layer: [
      {
        name: "best_so_far",
        mark: { type: "line", interpolate: "step-after", color: "#999", strokeDash: [4, 3] },
        encoding: { y: { field: "best_so_far", type: "quantitative", title: input.metric, scale: { zero: false } } },
      },
      {
        name: "trials",
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          y: { field: "score", type: "quantitative", title: input.metric },
          color: {
            field: "kind",
            type: "nominal",
            title: null,
            scale: { domain: ["trial", "best"], range: ["#4c78a8", "#e45756"] },
          },
          tooltip: [
            { field: "trial", type: "quantitative" },
            { field: "score", type: "quantitative", title: input.metric, format: ".4f" },
            { field: "params", type: "nominal" },
          ],
        },
      },
    ],
    usermeta: { summary: summary(title, table, note) },
  };
}

/** Parameters as "a=1, b=gini" in key order, for tooltips and summaries. */
function paramText(params: Trial["params"]): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${Array.isArray(params[k]) ? `[${(params[k] as unknown[]).join(",")}]` : String(params[k])}`)
    .join(", ");
}
