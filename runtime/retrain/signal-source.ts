import { compare } from "../metrics/compare.js";
import type { MonitorResult as FullMonitorResult } from "../monitor/evaluate.js";
import { latestMonitorResult } from "../monitor/monitor-record.js";
import type { RetrainCondition } from "./retrain-spec.js";

/** What a retrain condition reads of a monitor evaluation (`runtime/monitor/evaluate.ts` `MonitorResult`). */
export type MonitorResult = Pick<FullMonitorResult, "name" | "at" | "signals"> & Partial<Pick<FullMonitorResult, "version" | "window" | "alerts">>;

/** Where the scheduler reads monitored signals from: the latest monitor result of a name. */
export interface SignalSource {
  latest(name: string): MonitorResult | undefined | Promise<MonitorResult | undefined>;
}

/**
 * The monitor results the run store holds (`lathe monitor`, the `monitor` statement, cron): the
 * latest by evaluation time. A damaged result file is reported once and passed over.
 */
export function monitorFiles(root: string, log?: (message: string) => void): SignalSource {
  const reported = new Set<string>();
  return {
    latest(name) {
      try {
        return latestMonitorResult(root, name);
      } catch (e) {
        const message = (e as Error).message;
        if (!reported.has(message)) log?.(`cannot read the monitor results of ${JSON.stringify(name)}: ${message}`);
        reported.add(message);
        return undefined;
      }
    },
  };
}

/**
 * Monitor results kept fresh by the scheduler itself: when the latest stored evaluation of a name is
 * older than `everyMs`, the monitor is evaluated again (its recorded rules, or drift on every input)
 * over the window since the last retrain, and stored like any other, so `retrain ... when` needs no
 * separate cron job. A model that cannot be evaluated yet (nothing served, no reference) gives no signal.
 */
export function evaluatingMonitor(root: string, everyMs: number, since: (name: string) => Date | undefined, log?: (message: string) => void): SignalSource {
  const files = monitorFiles(root, log);
  const reported = new Set<string>();
  return {
    async latest(name) {
      const stored = await files.latest(name);
      if (stored && Date.now() - Date.parse(stored.at) < everyMs) return stored;
      const { runMonitor } = await import("../monitor/run-monitor.js");
      const { defaultRules, readMonitorSpec } = await import("../monitor/monitor-rules.js");
      try {
        const from = since(name);
        const run = await runMonitor(root, { name }, readMonitorSpec(root, name)?.rules ?? defaultRules, from ? { since: from } : undefined);
        return run.result;
      } catch (e) {
        const message = (e as Error).message;
        if (!reported.has(message)) log?.(`monitor of ${JSON.stringify(name)} not evaluated: ${message}`);
        reported.add(message);
        return stored;
      }
    },
  };
}

/**
 * The conditions a monitor result satisfies, each with the value seen: only a result newer than
 * `since` (the last retrain) counts, so one bad window starts one retrain, not one per poll.
 * `latency` without a percentile reads `latency p50`.
 */
export function conditionsHolding(result: MonitorResult | undefined, conditions: RetrainCondition[], since: Date | undefined): { condition: RetrainCondition; value: number }[] {
  if (!result || (since && Date.parse(result.at) <= since.getTime())) return [];
  return conditions.flatMap((c) => {
    const value = result.signals[c.key] ?? (c.key === "latency" ? result.signals["latency p50"] : undefined);
    return typeof value === "number" && Number.isFinite(value) && compare(value, c.op, c.bound) ? [{ condition: c, value }] : [];
  });
}
