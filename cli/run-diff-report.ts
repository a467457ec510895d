import type { RunDiff } from "../runtime/run-diff.js";
import { formatTable } from "./format-table.js";

const show = (v: unknown) => (v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v));
const short = (fp: string | undefined) => (fp ? fp.slice(0, 12) : "-");
/** Metric values in full: a difference in the 17th digit is a difference. */
const num = (v: number | undefined) => (v === undefined ? "-" : String(v));

/** The text `lathe runs diff` and `lathe reproduce` print for a comparison of two runs. */
export function runDiffReport(d: RunDiff, labels: [string, string]): string {
  const parts: string[] = [];
  parts.push(d.program ? `program: changed\n${d.program.trimEnd()}` : "program: same text");
  parts.push(d.params.length ? `params that differ:\n${formatTable(["param", labels[0], labels[1]], d.params.map((p) => ({ param: p.name, [labels[0]]: show(p.a), [labels[1]]: show(p.b) })))}` : "params: same");
  parts.push(d.data.length ? `data that differs (fingerprints):\n${formatTable(["dataset", labels[0], labels[1]], d.data.map((p) => ({ dataset: p.name, [labels[0]]: short(p.a), [labels[1]]: short(p.b) })))}` : "data: same files, same content");
  parts.push(d.models.length ? `model files that differ (content hashes):\n${formatTable(["model file", labels[0], labels[1]], d.models.map((p) => ({ "model file": p.name, [labels[0]]: short(p.a), [labels[1]]: short(p.b) })))}` : "model files: same content");
  if (d.backend) parts.push(`backend: ${show(d.backend.a)} → ${show(d.backend.b)} (bit-identical results are only promised on the same backend)`);
  if (d.versions.length) parts.push(`library versions that differ:\n${formatTable(["package", labels[0], labels[1]], d.versions.map((p) => ({ package: p.name, [labels[0]]: show(p.a), [labels[1]]: show(p.b) })))}`);
  if (d.metrics.length) {
    const rows = d.metrics.map((m) => ({ model: m.model, data: m.data, metric: m.metric, [labels[0]]: num(m.a), [labels[1]]: num(m.b), change: m.same ? "same" : m.delta === undefined ? "-" : (m.delta >= 0 ? "+" : "") + m.delta.toPrecision(3) }));
    parts.push(`metrics:\n${formatTable(["model", "data", "metric", labels[0], labels[1], "change"], rows)}`);
  } else parts.push("metrics: none recorded");
  return parts.join("\n\n") + "\n";
}
