import type { MetricSeries, StoredRun } from "../runtime/run-store.js";
import { formatTable } from "./format-table.js";

/** What `lathe runs show` prints for a run: its record, who ran it where, metrics, artifacts, its trials and loss curves. */
export function runShowText(run: StoredRun): string {
  const out: string[] = [];
  const say = (s: string) => out.push(s + "\n");
  say(`run ${run.id}${run.name !== undefined ? ` "${run.name}"` : ""}  ${run.status}  started ${run.startedAt}  finished ${run.finishedAt ?? "-"}`);
  if (run.parent) say(`trial ${run.trial?.number} of ${run.trial?.label}, a child run of run ${run.parent}`);
  say(`program ${run.programPath} (sha256 ${run.programSha.slice(0, 12)})  seed ${run.seed ?? "-"}  backend ${run.backend ?? "-"}`);
  const where = [run.git ? `git ${run.git.commit ? run.git.commit.slice(0, 12) : "(no commit yet)"}${run.git.branch ? ` on ${run.git.branch}` : ""}${run.git.dirty ? ", with uncommitted changes" : ""}` : "", run.user || run.host ? `by ${run.user ?? "?"}@${run.host ?? "?"}` : ""].filter(Boolean);
  if (where.length) say(where.join("  "));
  if (run.tags && Object.keys(run.tags).length) say(`tags ${Object.entries(run.tags).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  if (run.parent && Object.keys(run.params).length) say(`params ${Object.entries(run.params).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")}`);
  if (run.reproduces) say(`reproduces run ${run.reproduces}`);
  if (run.error) say(`error${run.errorCode ? `[${run.errorCode}]` : ""}: ${run.error}`);
  const last = run.steps?.at(-1);
  if (run.status === "crashed") say(`crashed: its process ended without recording an outcome, after ${run.steps?.length ?? 0} step${run.steps?.length === 1 ? "" : "s"}${last ? ` (last: ${last.label})` : ""}; what those steps recorded is below`);
  if (run.metrics.length) say("\n" + formatTable(["model", "data", "metric", "value"], run.metrics.map((m) => ({ ...m }))));
  if (run.artifacts.length) say("\n" + formatTable(["name", "kind", "path", "bytes"], run.artifacts.map((a) => ({ ...a }))));
  for (const [label, trials] of groupBy(run.children ?? [], (c) => c.label)) {
    const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
    const metric = trials[0].metrics[0];
    const scoreName = metric ? `${metric.metric} on ${metric.data}` : "score";
    const rows = trials.map((t) => ({ run: t.id, trial: t.trial, ...Object.fromEntries(keys.map((k) => [k, JSON.stringify(t.params[k])])), [scoreName]: t.metrics[0]?.value }));
    say(`\n${trials.length} trial${trials.length === 1 ? "" : "s"} of ${label} (child runs: \`lathe runs show ${trials[0].id}\`):\n` + formatTable(["run", "trial", ...keys, scoreName], rows));
  }
  if (run.series?.length) say("\nloss curves:\n" + run.series.map(curveLine).join("\n"));
  return out.join("");
}

/** A loss curve in one line: its length, first, lowest and last values, and its shape. */
export function curveLine(s: MetricSeries): string {
  const n = s.values.length;
  // A diverged training records NaN (null once in JSON): the lowest is the lowest finite value.
  let best = 0;
  s.values.forEach((v, i) => {
    if (Number.isFinite(v) && !(s.values[best] <= v)) best = i;
  });
  const f = (v: number) => v.toPrecision(4);
  return `  ${s.model} ${s.metric} on ${s.data}: ${n} ${s.unit}${n === 1 ? "" : "s"}, ${f(s.values[0])} → ${f(s.values[n - 1])} (lowest ${f(s.values[best])} at ${s.unit} ${s.steps[best]})  ${sparkline(s.values)}`;
}

/** Up to 40 block characters, each the mean of its share of the values, scaled between their lowest and highest (`·` where a share is not finite). */
export function sparkline(values: (number | null)[], width = 40): string {
  const bars = "▁▂▃▄▅▆▇█";
  const k = Math.min(width, values.length);
  const means = Array.from({ length: k }, (_, i) => {
    const part = values.slice(Math.floor((i * values.length) / k), Math.floor(((i + 1) * values.length) / k));
    return part.reduce((a: number, b) => a + (b ?? NaN), 0) / part.length;
  });
  const finite = means.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return means.map((m) => (!Number.isFinite(m) ? "·" : bars[hi > lo ? Math.round(((m - lo) / (hi - lo)) * (bars.length - 1)) : 0])).join("");
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
}
