import path from "node:path";
import { signals } from "../../language/catalog.js";
import { nameKey } from "../model-registry.js";
import { ensureDir, replaceDurably } from "../store/durable-file.js";
import { readJsonRecord } from "../store/json-record.js";

/** `drift on COLUMNS using METHOD`: no columns means every profiled input column. */
export interface DriftRule {
  columns: string[];
  method: string;
}

/** A threshold, `latency p99 < 20 ms`: `key` is the signal it reads (`latency p99`), `bound` in base units (ms, a fraction). */
export interface ThresholdRule {
  key: string;
  op: "<" | "<=" | ">" | ">=" | "=" | "!=";
  bound: number;
  /** As written: `latency p99 < 20 ms`. */
  text: string;
}

/** The rules of a `monitor` statement, as plain data. */
export interface MonitorRules {
  drift: DriftRule[];
  thresholds: ThresholdRule[];
}

/** What `lathe monitor NAME` checks when no `monitor` statement recorded rules: drift on every profiled column, `auto`. */
export const defaultRules: MonitorRules = { drift: [{ columns: [], method: "auto" }], thresholds: [] };

/** The signal key of a threshold: the signal, and its qualifier when it takes one (`latency p50`, `rss max`, `cpu mean` by default). */
export function signalKey(signal: string, qualifier?: string): string {
  const spec = Object.hasOwn(signals, signal) ? signals[signal] : undefined;
  const q = qualifier ?? spec?.defaultQualifier;
  return q ? `${signal} ${q}` : signal;
}

/** The rules as recorded by the last `monitor` statement for a name. */
export interface MonitorSpec {
  format: "lathe-monitor-spec";
  name: string;
  rules: MonitorRules;
  recordedAt: string;
  runId?: string;
}

/** The folder of a name's monitoring: its rules (`rules.json`) and evaluations (`result-*.json`): `.lathe/monitoring/<name>/`. */
export function monitoringDir(root: string, name: string): string {
  return path.join(root, "monitoring", nameKey(name));
}

/** Records the rules a `monitor` statement gave, replacing the earlier ones atomically. */
export function writeMonitorSpec(root: string, spec: MonitorSpec): string {
  const dir = monitoringDir(root, spec.name);
  ensureDir(dir);
  const file = path.join(dir, "rules.json");
  replaceDurably(file, Buffer.from(JSON.stringify(spec, null, 1) + "\n"), path.join(root, "tmp"));
  return file;
}

/** The rules recorded for a name, or undefined when no `monitor` statement ran for it. */
export function readMonitorSpec(root: string, name: string): MonitorSpec | undefined {
  return readJsonRecord<MonitorSpec>(path.join(monitoringDir(root, name), "rules.json"), "monitor spec", true, {
    valid: (spec) => spec.format === "lathe-monitor-spec" && spec.name === name && Array.isArray(spec.rules?.drift) && Array.isArray(spec.rules?.thresholds),
    hint: "remove it, or run the program's `monitor` statement again",
  });
}
