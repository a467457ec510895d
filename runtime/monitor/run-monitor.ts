import type { ModelRef } from "../../language/model-ref.js";
import { evaluateMonitor, type MonitorResult, type MonitorSource, type WindowChoice } from "./evaluate.js";
import type { DrawChart } from "../charts/render-bundle.js";
import { monitorCharts, type MonitorChart } from "./monitor-charts.js";
import { writeMonitorResult } from "./monitor-record.js";
import type { MonitorRules } from "./monitor-rules.js";

/** An evaluation as the `monitor` op and `lathe monitor` give it: the result, the file it was stored in, its charts. */
export interface MonitorRun {
  result: MonitorResult;
  file: string;
  charts: MonitorChart[];
}

/** Evaluates the rules of a registered model (over served and batch-scored rows, or those of `source`), records the evaluation in the run store, and renders its charts (with a PNG when `charts.png`: notebooks; with `charts.draw` when given: a run's chart thread). */
export async function runMonitor(root: string, ref: ModelRef, rules: MonitorRules, window?: WindowChoice, now?: Date, charts: { png?: boolean; draw?: DrawChart } = {}, source?: MonitorSource): Promise<MonitorRun> {
  const result = await evaluateMonitor({ root, ref, rules, window, now, source });
  const file = writeMonitorResult(root, result);
  return { result, file, charts: await monitorCharts(result, charts) };
}
