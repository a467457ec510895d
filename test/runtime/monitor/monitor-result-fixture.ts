import type { MonitorResult } from "../../../runtime/monitor/evaluate.js";
import { writeMonitorResult } from "../../../runtime/monitor/monitor-record.js";

/** Stores a monitor evaluation of `name` at time `at` with the given signals, as `lathe monitor` would; returns its file. */
export function storeMonitorResult(root: string, name: string, at: string, signals: Record<string, number>): string {
  const time = new Date(at).toISOString();
  const result: MonitorResult = {
    format: "lathe-monitor-result",
    name,
    version: 1,
    at: time,
    window: { from: time, to: time },
    source: "all",
    signals,
    drift: [],
    dataset: null,
    alerts: [],
    rules: [],
    counts: { predictions: 0, requests: 0, errors: 0, feedback: 0, labelled: 0, resources: 0, batch: { batches: 0, scored: 0, logged: 0, labelled: 0 }, skipped: { predictions: 0, errors: 0, feedback: 0, resources: 0, batch: 0 } },
    versions: {},
    series: { bucketMs: 60_000, points: [] },
    notes: [],
  };
  return writeMonitorResult(root, result);
}
