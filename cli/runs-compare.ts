import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunComparison } from "../runtime/run-compare.js";
import type { StoredRun } from "../runtime/run-store.js";
import type { StoreLocation } from "../runtime/store/store-location.js";
import { exitCodes, usageError } from "./exit-codes.js";
import { formatTable } from "./format-table.js";
import { existingStore, loadRun } from "./store-commands.js";

const chartFormats = [".svg", ".png", ".json"];

/**
 * `lathe runs compare A B C... [--json] [--chart METRIC --out FILE]`: every param, tag and metric of
 * the runs side by side, rows that differ marked; with `--chart`, one metric across the runs drawn
 * to an SVG, PNG or Vega-Lite JSON file (a loss curve as a line per run).
 */
export async function runsCompare(ids: string[], opts: { store: string; storeLocation?: StoreLocation; json?: boolean; chart?: string; out?: string }): Promise<number> {
  // The kernel's `%lathe runs compare --chart M` asks for the Vega-Lite spec in a file of its own, to display it.
  const kernelOut = opts.out === undefined && opts.chart !== undefined ? process.env.LATHE_KERNEL_CHART_FILE || undefined : undefined;
  if (kernelOut) opts = { ...opts, out: kernelOut };
  if (opts.chart !== undefined && opts.out === undefined) throw usageError("--chart needs --out FILE (.svg, .png, or .json for the Vega-Lite spec)");
  if (opts.out !== undefined && opts.chart === undefined) throw usageError("--out goes with --chart METRIC");
  if (opts.out !== undefined && !chartFormats.includes(path.extname(opts.out).toLowerCase())) throw usageError(`--out takes a file ending in ${chartFormats.join(", ")}, got ${JSON.stringify(opts.out)}`);
  const store = await existingStore(opts, (m) => process.stderr.write(`lathe: no run ${ids[0]}: ${m}\n`));
  if (!store) return exitCodes.usage;
  const runs: StoredRun[] = [];
  for (const id of ids) {
    const run = await loadRun(store, id);
    if (!run) return exitCodes.usage;
    runs.push(run);
  }
  const { compareRuns, metricAcrossRuns } = await import("../runtime/run-compare.js");
  const comparison = compareRuns(runs);
  if (opts.chart !== undefined && opts.out !== undefined) {
    const across = metricAcrossRuns(runs, opts.chart);
    if (!across) {
      process.stderr.write(`lathe: error[unknown-metric]: none of these runs recorded a metric ${JSON.stringify(opts.chart)}; they have ${[...comparison.metrics, ...new Set(runs.flatMap((r) => (r.series ?? []).map((s) => `${s.model}.${s.data}.${s.metric}`)))].join(", ") || "no metrics"}\n`);
      return exitCodes.usage;
    }
    await writeChart(across, opts.out);
  }
  if (opts.json) process.stdout.write(JSON.stringify(comparison, null, 2) + "\n");
  else process.stdout.write(comparisonText(comparison));
  if (opts.out !== undefined && !kernelOut) (opts.json ? process.stderr : process.stdout).write(`chart of ${opts.chart} across ${runs.length} runs written to ${opts.out}\n`);
  return exitCodes.ok;
}

/** Renders the chart and writes it in the format its extension says. */
async function writeChart(across: NonNullable<ReturnType<typeof import("../runtime/run-compare.js").metricAcrossRuns>>, out: string): Promise<void> {
  const { runComparisonChart } = await import("../runtime/charts/run-comparison-chart.js");
  const spec = runComparisonChart(across);
  const ext = path.extname(out).toLowerCase();
  let bytes: string | Buffer;
  if (ext === ".json") bytes = JSON.stringify(spec, null, 2) + "\n";
  else {
    const { renderSvg, svgToPng } = await import("../runtime/charts/render-bundle.js");
    const svg = await renderSvg(spec);
    bytes = ext === ".png" ? svgToPng(svg, 2) : svg;
  }
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, bytes);
}

const cell = (v: unknown) => (v === undefined ? "-" : typeof v === "string" ? v : typeof v === "number" ? String(v) : JSON.stringify(v));

/** The side-by-side table: a column per run (A, B, ...), a row per field, `*` where the runs differ. */
export function comparisonText(c: RunComparison): string {
  const legend = c.runs.map((r) => `${r.label} = run ${r.id}${r.name !== undefined ? ` "${r.name}"` : ""} (${r.status}, ${r.startedAt})`).join("\n");
  const rows: Record<string, unknown>[] = [];
  const row = (field: string, values: unknown[], differs: boolean) => rows.push({ field, ...Object.fromEntries(c.runs.map((r, i) => [r.label, cell(values[i])])), "": differs ? "*" : "" });
  const varies = (values: unknown[]) => new Set(values.map(cell)).size > 1;
  const fields: [string, (r: RunComparison["runs"][number]) => unknown][] = [
    ["program", (r) => path.basename(r.programPath)],
    ["commit", (r) => (r.git?.commit ? `${r.git.commit.slice(0, 10)}${r.git.dirty ? " (dirty)" : ""}` : undefined)],
    ["user@host", (r) => (r.user || r.host ? `${r.user ?? "?"}@${r.host ?? "?"}` : undefined)],
  ];
  for (const [field, pick] of fields) {
    const values = c.runs.map(pick);
    if (values.some((v) => v !== undefined)) row(field, values, varies(values));
  }
  for (const t of c.tags) row(`tag ${t}`, c.runs.map((r) => r.tags[t]), c.differing.tags.includes(t));
  for (const p of c.params) row(`param ${p}`, c.runs.map((r) => r.params[p]), c.differing.params.includes(p));
  for (const m of c.metrics) row(m, c.runs.map((r) => r.metrics[m]), c.differing.metrics.includes(m));
  const differ = c.differing.params.length + c.differing.metrics.length + c.differing.tags.length;
  const note = `${c.metrics.length} metric${c.metrics.length === 1 ? "" : "s"}, ${c.params.length} param${c.params.length === 1 ? "" : "s"}; ${differ ? `${differ} differ (*)` : "none differ"}`;
  return `${legend}\n\n${formatTable(["field", ...c.runs.map((r) => r.label), ""], rows)}\n\n${note}\n`;
}
