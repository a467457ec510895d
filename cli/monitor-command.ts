import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { aliasProblem, parseModelRef } from "../language/model-ref.js";
import { DataError } from "../runtime/errors.js";
import { exitCodes, usageError } from "./exit-codes.js";
import { formatTable } from "./format-table.js";

const units: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--window 1h`: a duration (s, m/min, h, d, w) in ms, or a usage error. */
export function parseWindow(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$/.exec(text);
  if (!m || !(Number(m[1]) > 0)) throw usageError(`--window takes a duration such as 30m, 1h, 7d (units s, m, h, d, w), got ${JSON.stringify(text)}`);
  return Number(m[1]) * units[m[2]];
}

/** `--since T`: an ISO 8601 time, or a usage error. */
export function parseSince(text: string): Date {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(t)) throw usageError(`--since takes an ISO 8601 time such as 2024-05-01 or 2024-05-01T12:00:00Z, got ${JSON.stringify(text)}`);
  return new Date(t);
}

/**
 * `lathe monitor NAME [--version N] [--window 1h | --since T] [--source serve|batch|all] [--json] [--html FILE]`:
 * evaluates the rules the last `monitor` statement recorded for NAME (default: drift on every input
 * column) over its logs, records the evaluation in the run store, prints it; exit 3 when a rule failed.
 */
export async function monitorCommand(nameArg: string, opts: { version?: string; window?: string; since?: string; source?: string; json?: boolean; html?: string; store: string }): Promise<number> {
  if (opts.window !== undefined && opts.since !== undefined) throw usageError("give --window or --since, not both");
  const source = opts.source ?? "all";
  if (source !== "serve" && source !== "batch" && source !== "all") throw usageError(`--source takes serve, batch or all, got ${JSON.stringify(opts.source)}`);
  if (opts.version !== undefined && !/^\d+$/.test(opts.version.trim())) throw usageError(`--version takes a whole number, got ${JSON.stringify(opts.version)}`);
  const ref = parseModelRef(nameArg, opts.version === undefined ? undefined : Number(opts.version));
  const problem = aliasProblem(ref);
  if (problem) throw usageError(`error[invalid-alias]: ${problem}`);
  const window = opts.window !== undefined ? { lastMs: parseWindow(opts.window) } : opts.since !== undefined ? { since: parseSince(opts.since) } : undefined;
  const root = path.resolve(opts.store);
  const { readMonitorSpec, defaultRules } = await import("../runtime/monitor/monitor-rules.js");
  const { runMonitor } = await import("../runtime/monitor/run-monitor.js");
  const { monitorSummary, monitorTables, monitorHtml } = await import("../runtime/monitor/monitor-report.js");
  let run;
  try {
    const spec = readMonitorSpec(root, ref.name);
    run = await runMonitor(root, ref, spec?.rules ?? defaultRules, window, undefined, {}, source);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return exitCodes.dataError;
  }
  const r = run.result;
  if (opts.html) writeAtomically(path.resolve(opts.html), monitorHtml(r, run.charts));
  if (opts.json) process.stdout.write(JSON.stringify({ ...r, file: run.file }, null, 1) + "\n");
  else {
    process.stdout.write(monitorSummary(r) + "\n");
    for (const t of monitorTables(r)) process.stdout.write(`\n${t.title}\n${formatTable(t.columns, t.rows)}\n`);
    for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(`\nrecorded in ${path.relative(process.cwd(), run.file) || run.file}${opts.html ? `; report in ${opts.html}` : ""}\n`);
  }
  for (const a of r.alerts) process.stderr.write(`lathe: alert: ${a.rule}: observed ${a.observed}, bound ${a.bound}\n`);
  return r.alerts.length ? exitCodes.assertFailed : exitCodes.ok;
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
