import type { MonitorResult } from "./evaluate.js";
import type { MonitorChart } from "./monitor-charts.js";

/** A table of a monitor evaluation. */
export interface MonitorTable {
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
}

const round = (v: number) => (Number.isInteger(v) ? v : Number(v.toPrecision(6)));
// RSS is kept in bytes (the bounds' base unit) and shown in MB (1024²), as rules write it.
const shown = (signal: string, v: number) => (signal.startsWith("rss ") ? `${(v / 2 ** 20).toFixed(1)} MB` : round(v));

/** The one-line verdict of an evaluation. */
export function monitorSummary(r: MonitorResult): string {
  const verdict = r.alerts.length ? `${r.alerts.length} ALERT${r.alerts.length > 1 ? "S" : ""}: ${r.alerts.map((a) => `${a.rule} (observed ${round(a.observed)})`).join("; ")}` : "no alerts";
  const drift = r.dataset ? `, drift ${(r.dataset.share * 100).toFixed(0)}% of ${r.drift.length} feature(s)${r.dataset.drifted ? " (dataset drifted)" : ""}` : "";
  const batch = r.counts.batch?.batches ? `, ${r.counts.batch.scored} batch-scored row(s)` : "";
  return `monitor "${r.name}" version ${r.version}: ${verdict} — ${r.counts.requests} request(s)${batch} from ${r.window.from} to ${r.window.to}${drift}`;
}

/** What the evaluation read: served predictions, failed requests, batch-scored rows, labels, process samples. */
export function monitorCounts(r: MonitorResult): string {
  const c = r.counts;
  // Results recorded before batch and resource counts existed lack them.
  const batch = c.batch?.batches ? `, ${c.batch.scored} row(s) scored in ${c.batch.batches} batch(es) (${c.batch.logged} logged)` : "";
  return `${c.predictions} served prediction(s), ${c.errors} failed request(s)${batch}, ${c.labelled} labelled, ${c.resources ?? 0} process sample(s); source ${r.source ?? "serve"}`;
}

/** Rules with observed values and bounds, the signals, and drift per feature. */
export function monitorTables(r: MonitorResult): MonitorTable[] {
  const tables: MonitorTable[] = [];
  if (r.rules.length) {
    tables.push({
      title: "Rules",
      columns: ["rule", "observed", "bound", "status"],
      rows: r.rules.map((x) => ({ rule: x.rule, observed: x.observed === undefined ? "—" : shown(x.signal, x.observed), bound: `${x.op} ${shown(x.signal, x.bound)}`, status: x.passed === undefined ? "no data" : x.passed ? "ok" : "ALERT" })),
    });
  }
  tables.push({ title: "Signals", columns: ["signal", "value"], rows: Object.entries(r.signals).map(([signal, value]) => ({ signal, value: shown(signal, value) })) });
  if (r.drift.length) {
    tables.push({
      title: "Drift per feature",
      columns: ["feature", "kind", "method", "statistic", "p_value", "threshold", "drifted", "psi", "missing_ref", "missing_now"],
      rows: r.drift.map((d) => ({ feature: d.feature, kind: d.kind, method: d.method, statistic: round(d.statistic), p_value: d.pValue === undefined ? "" : round(d.pValue), threshold: d.threshold, drifted: d.drifted, psi: round(d.psi), missing_ref: round(d.missing.reference), missing_now: round(d.missing.current) })),
    });
  }
  return tables;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** The evaluation as one self-contained HTML page: tables, and the charts as inline SVG (no script, no network). */
export function monitorHtml(r: MonitorResult, charts: MonitorChart[]): string {
  const table = (t: MonitorTable) =>
    `<h2>${escapeHtml(t.title)}</h2>\n<table>\n<tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>\n${t.rows.map((row) => `<tr>${t.columns.map((c) => `<td${row[c] === "ALERT" || row[c] === true ? ' class="alert"' : ""}>${escapeHtml(String(row[c] ?? ""))}</td>`).join("")}</tr>`).join("\n")}\n</table>`;
  const notes = r.notes.length ? `<h2>Notes</h2>\n<ul>${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`Monitor: ${r.name}`)}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f0f0f0}.alert{color:#b00;font-weight:bold}.verdict{font-size:1.1em}figure{margin:1em 0}</style>
</head><body>
<h1>${escapeHtml(`Monitor: ${r.name} (version ${r.version})`)}</h1>
<p class="verdict${r.alerts.length ? " alert" : ""}">${escapeHtml(monitorSummary(r))}</p>
<p>Evaluated at ${escapeHtml(r.at)}; ${escapeHtml(monitorCounts(r))}.</p>
${monitorTables(r).map(table).join("\n")}
${charts.map((c) => `<figure><figcaption>${escapeHtml(c.title)}</figcaption>\n${c.bundle["image/svg+xml"]}\n</figure>`).join("\n")}
${notes}
</body></html>
`;
}
