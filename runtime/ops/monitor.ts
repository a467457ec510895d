import { modelRefText, parseModelRef, type ModelRef } from "../../language/model-ref.js";
import { normalizeQuantity, quantityText } from "../../language/quantity.js";
import { DataError } from "../errors.js";
import { signalKey, type MonitorRules } from "../monitor/monitor-rules.js";
import { monitorSummary, monitorTables } from "../monitor/monitor-report.js";
import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `monitor "name" { rules }`: records the rules for `lathe monitor NAME`, evaluates them over the whole prediction log, and fails like an assert on an alert. */
export type MonitorStep = StepBase & { op: "monitor"; ref: ModelRef; rules: MonitorRules };

export const planMonitor: Planner<"monitor", Draft<MonitorStep>> = (s) => {
  const rules: MonitorRules = { drift: [], thresholds: [] };
  for (const r of s.rules) {
    if (r.kind === "drift") rules.drift.push({ columns: r.columns.map((c) => c.text), method: r.method?.text ?? "auto" });
    else {
      const t = r.threshold;
      const key = signalKey(t.signal.text, t.qualifier?.text);
      rules.thresholds.push({ key, op: t.op, bound: normalizeQuantity(t.bound), text: `${key} ${t.op} ${quantityText(t.bound)}` });
    }
  }
  const ref = parseModelRef(s.target.name.value, s.target.version);
  return { op: "monitor", ref, rules, label: `monitor ${JSON.stringify(modelRefText(ref))}` };
};

export const monitor: OpDefinition<MonitorStep> = {
  op: "monitor",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  // It writes to the run store (its rules, an evaluation): not while a run is reproduced.
  sideEffect: true,
  // Its charts (drift, metrics, latency, resources) are drawn wherever it runs.
  draws: (_step, options) => options.sideEffects !== false,
  async run(ctx, step) {
    const root = ctx.options.serving?.root;
    if (!root) throw new DataError("`monitor` reads the prediction log and records its evaluation in the run store, and this run has none", undefined, "no-store");
    const { writeMonitorSpec } = await import("../monitor/monitor-rules.js");
    writeMonitorSpec(root, { format: "lathe-monitor-spec", name: step.ref.name, rules: step.rules, recordedAt: new Date().toISOString(), ...(ctx.options.registry ? { runId: ctx.options.registry.runId } : {}) });
    const { runMonitor } = await import("../monitor/run-monitor.js");
    // The statement's charts show in notebooks, where GitHub's viewer needs a PNG beside the SVG.
    return { kind: "monitor", run: await runMonitor(root, step.ref, step.rules, undefined, undefined, { png: true, draw: ctx.options.drawChart }) };
  },
};

/** An evaluation: its verdict, the rules, signals and drift tables, and its charts. */
export function renderMonitor(r: Extract<StepResult, { kind: "monitor" }>): Rendered {
  const res = r.run.result;
  return {
    summary: monitorSummary(res),
    parts: [
      ...monitorTables(res).map((t) => ({ kind: "table" as const, title: t.title, columns: t.columns, rows: t.rows })),
      ...r.run.charts.map((c) => ({ kind: "chart" as const, title: c.title, bundle: c.bundle, files: [] })),
      ...res.notes.map((n) => ({ kind: "text" as const, text: n })),
    ],
  };
}
