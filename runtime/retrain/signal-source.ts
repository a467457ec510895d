import { readFileSync } from "node:fs";
import path from "node:path";
import { compare } from "../ops/assert.js";
import { nameKey } from "../model-registry.js";
import { listDir } from "../store/durable-file.js";
import type { RetrainCondition } from "./retrain-spec.js";

/** One evaluation of a model's monitor, as `monitor` writes it under `.lathe/monitoring/<name>/`. */
export interface MonitorResult {
  name: string;
  version?: number;
  /** When it was evaluated (ISO time). */
  at: string;
  window?: { from: string; to: string };
  /** Signal text form (`drift`, `accuracy`, `latency p99`) → value, in the units of `retrain when` bounds after normalising (fractions, ms). */
  signals: Record<string, number>;
  alerts?: unknown[];
}

/** Where the scheduler reads monitored signals from: the latest monitor result of a name. */
export interface SignalSource {
  latest(name: string): MonitorResult | undefined;
}

/** The folder of a name's monitor results: `.lathe/monitoring/<name>/` (the name encoded as in the registry). */
export function monitoringDir(root: string, name: string): string {
  return path.join(root, "monitoring", nameKey(name));
}

/**
 * Reads monitor results from their JSON files: the latest is the one with the greatest `at`.
 * Files that do not parse as a result (one being written elsewhere, something else) are passed over.
 */
export function monitorFiles(root: string): SignalSource {
  return {
    latest(name) {
      const dir = monitoringDir(root, name);
      let best: MonitorResult | undefined;
      for (const f of listDir(dir)) {
        if (!f.endsWith(".json")) continue;
        let r: MonitorResult;
        try {
          r = JSON.parse(readFileSync(path.join(dir, f), "utf8")) as MonitorResult;
        } catch {
          continue;
        }
        if (typeof r?.at !== "string" || Number.isNaN(Date.parse(r.at)) || typeof r.signals !== "object" || r.signals === null) continue;
        if (!best || Date.parse(r.at) > Date.parse(best.at)) best = r;
      }
      return best;
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
