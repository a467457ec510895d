import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDrawn, type ChartBundle, type UndrawnChart } from "../charts/types.js";
import { DataError } from "../errors.js";
import type { StepResult } from "../results.js";
import type { Draft, ExecuteOptions, OpDefinition, Planner, Rendered, StepBase } from "./types.js";
import { engineSample } from "../data/engine-dataset.js";
import { countText, engineSampleRows } from "../output-bounds.js";

/** `plot CHART of TARGET [on DATA] [columns ...] [to "file"]`. `path` is absolute (resolved against the program's folder). */
export type PlotStep = StepBase & { op: "plot"; chart: string; target: string; data?: string; columns: string[]; path?: string };

export const planPlot: Planner<"plot", Draft<PlotStep>> = (s, ctx) =>
  ({
    op: "plot",
    chart: s.chart.text,
    target: s.target.text,
    data: s.data?.text,
    columns: s.columns.map((c) => c.text),
    path: s.path ? path.resolve(ctx.baseDir, s.path.value) : undefined,
    label: `plot ${s.chart.text} of ${s.target.text}${s.data ? ` on ${s.data.text}` : ""}`,
  });

/** File formats `plot ... to` writes, by extension; `image`: whether the format needs the chart drawn. */
const chartFiles: Record<string, { image: boolean; write: (bundle: ChartBundle | UndrawnChart, title: string) => string | Buffer }> = {
  ".svg": { image: true, write: (b) => b["image/svg+xml"] ?? "" },
  ".png": { image: true, write: (b) => Buffer.from(b["image/png"] ?? "", "base64") },
  ".json": { image: false, write: (b) => JSON.stringify(b["application/vnd.vegalite.v5+json"], null, 2) },
  ".html": { image: true, write: (b, title) => `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n${b["image/svg+xml"] ?? ""}\n</body></html>\n` },
};

/** The format `plot ... to FILE` writes, from its extension (`.vl.json` is Vega-Lite JSON). */
const chartFileExt = (file: string) => (file.toLowerCase().endsWith(".vl.json") ? ".json" : path.extname(file).toLowerCase());

/** Whether writing FILE needs the chart drawn (an unknown extension does: its error is said when writing). */
const needsImage = (file: string) => chartFiles[chartFileExt(file)]?.image ?? true;

/**
 * Whether a plot step draws its chart (Vega's SVG, resvg's PNG: ≈ 250 ms of loading and rendering):
 * only for someone who sees or keeps the image — a notebook or the API (`displayCharts`), the run's
 * record, a file that needs it.
 */
function plotDraws(step: PlotStep, options: ExecuteOptions): boolean {
  const writes = step.path !== undefined && options.sideEffects !== false;
  return options.displayCharts !== false || options.store !== undefined || (writes && needsImage(step.path!));
}

export const plot: OpDefinition<PlotStep> = {
  op: "plot",
  io: (step) => ({ reads: [step.target, ...(step.data ? [step.data] : [])], defines: [] }),
  cacheable: () => false,
  // A chart of a dataset's columns reads engine rows itself (a bounded sample of those columns); a
  // chart of a model's predictions needs the rows in DuckDB, so the executor brings them back.
  readsEngine: (step) => step.data === undefined,
  draws: plotDraws,
  async run(ctx, step) {
    // Vega and resvg are heavy to load; only runs that plot pay for them.
    const { chartSpec } = await import("./plot-chart.js");
    const { renderBundle, undrawnChart } = await import("../charts/render-bundle.js");
    const remote = ctx.engineDataset(step.target);
    const sample = remote && (await engineSample(ctx, step.target, remote, engineSampleRows(), step.columns));
    let spec: Awaited<ReturnType<typeof chartSpec>>;
    try {
      spec = await chartSpec(sample ? { ...ctx, dataset: (name) => (name === step.target ? sample.state : ctx.dataset(name)) } : ctx, step);
    } finally {
      if (sample) await ctx.db.exec(`DROP TABLE IF EXISTS ${sample.state.relation}`);
    }
    if (remote && sample && sample.state.rows < remote.rows && typeof spec.title === "string") spec.title += ` (a sample of ${countText(sample.state.rows)} of ${countText(remote.rows)} rows on ${remote.ref.engine})`;
    const bundle = plotDraws(step, ctx.options) ? await (ctx.options.drawChart ?? renderBundle)(spec) : undrawnChart(spec);
    const title = typeof spec.title === "string" ? spec.title : step.chart;
    const files: string[] = [];
    const base = `${step.chart}-${step.target}${step.data ? `-${step.data}` : ""}`;
    if (isDrawn(bundle)) {
      for (const [ext, kind, content] of [
        ["svg", "chart/svg", bundle["image/svg+xml"]],
        ["vl.json", "chart/vega-lite", JSON.stringify(bundle["application/vnd.vegalite.v5+json"], null, 2)],
        ...(bundle["image/png"] ? [["png", "chart/png", Buffer.from(bundle["image/png"], "base64")] as const] : []),
      ] as const) {
        const ref = ctx.putArtifact(`${base}.${ext}`, kind, ext, content);
        if (ref) files.push(ref.path);
      }
    }
    if (step.path) {
      if (ctx.options.sideEffects === false) return { kind: "chart", chart: step.chart, title, bundle, files, skipped: `not written while reproducing: ${step.path}` };
      files.unshift(writeChartFile(step.path, bundle, title));
    }
    return { kind: "chart", chart: step.chart, title, bundle, files };
  },
};

/** Writes a chart where `plot ... to` says, in the format its extension names (atomically: a reader never sees half a file). */
function writeChartFile(file: string, bundle: ChartBundle | UndrawnChart, title: string): string {
  const ext = chartFileExt(file);
  const format = chartFiles[ext];
  if (!format) throw new DataError(`cannot write a chart to ${path.basename(file)}: use a file ending in ${Object.keys(chartFiles).join(", ")}`, file, "unknown-chart-format");
  if (ext === ".png" && !bundle["image/png"]) throw new DataError("PNG rendering is not available here; write the chart as .svg", file, "unknown-chart-format");
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, format.write(bundle, title));
    renameSync(tmp, file);
  } catch (e) {
    throw new DataError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : (e as Error).message}`, file, "write-error");
  }
  return file;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** A chart result: its title, the chart (drawn, or only its spec and text), and the files it was written to. */
export function renderChart(r: Extract<StepResult, { kind: "chart" }>): Rendered {
  return { summary: r.title, parts: [{ kind: "chart", title: r.title, bundle: r.bundle, files: r.files }, ...(r.skipped ? [{ kind: "text" as const, text: r.skipped }] : [])], partsSuffice: true };
}
