/**
 * Monitor evaluations as files of the run store: `.lathe/monitoring/<name>/result-<UTC time>-<random>.json`,
 * one per evaluation, each written once and atomically (temp file, fsync, link). The format is a
 * contract (docs/monitoring.md): `retrain ... when <condition>` reads the latest one of a model.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { createExclusive, ensureDir } from "../store/durable-file.js";
import { readJsonRecord } from "../store/json-record.js";
import { storeIoError } from "../store/store-error.js";
import type { MonitorResult } from "./evaluate.js";
import { monitoringDir } from "./monitor-rules.js";

const pattern = /^result-\d{8}T\d{9}Z-[0-9a-f]{8}\.json$/;

/** Stores one evaluation; returns its file. The name sorts by evaluation time. */
export function writeMonitorResult(root: string, result: MonitorResult): string {
  const dir = monitoringDir(root, result.name);
  ensureDir(dir);
  const stamp = result.at.replace(/[-:.]/g, "");
  for (;;) {
    const file = path.join(dir, `result-${stamp}-${randomBytes(4).toString("hex")}.json`);
    if (createExclusive(file, Buffer.from(JSON.stringify(result, null, 1) + "\n"), path.join(root, "tmp"))) return file;
  }
}

/** The stored evaluations of a name, oldest first (file names). */
export function monitorResultFiles(root: string, name: string): string[] {
  const dir = monitoringDir(root, name);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw storeIoError(e, "read", dir);
  }
  return names.filter((f) => pattern.test(f)).sort().map((f) => path.join(dir, f));
}

/** Reads one stored evaluation. */
export function readMonitorResult(file: string): MonitorResult {
  return readJsonRecord<MonitorResult>(file, "monitor result", false, {
    valid: (r) => r.format === "lathe-monitor-result" && typeof r.signals === "object" && Array.isArray(r.alerts),
  })!;
}

/** The latest evaluation of a registered name (by evaluation time), or undefined when it was never monitored. */
export function latestMonitorResult(root: string, name: string): MonitorResult | undefined {
  const file = monitorResultFiles(root, name).at(-1);
  return file ? readMonitorResult(file) : undefined;
}
