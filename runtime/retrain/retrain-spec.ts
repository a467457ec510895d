import { existsSync } from "node:fs";
import path from "node:path";
import type { Threshold } from "../../language/ast.js";
import { normalizeQuantity, quantityText } from "../../language/quantity.js";
import { nameKey } from "../model-registry.js";
import { signalKey } from "../monitor/monitor-rules.js";
import { ensureDir, listDir, replaceDurably } from "../store/durable-file.js";
import { readJsonRecord } from "../store/json-record.js";
import { StoreError } from "../store/store-error.js";
import { schedulePattern, scheduleUnit, type ScheduleUnit } from "./schedule.js";

/** `when drift > 0.25`: a monitored signal (or live metric), compared with a bound in the monitor's units (shares as fractions, times in ms). */
export interface RetrainCondition {
  /** The signal's text form, the key of the monitor result's `signals`: `drift`, `accuracy`, `latency p99`. */
  key: string;
  op: Threshold["op"];
  bound: number;
  /** As written: `drift > 0.25`. */
  text: string;
}

/** `every 2 weeks`: the Nth calendar boundary of the unit after the last retrain (see `schedule.ts`). */
export interface RetrainSchedule {
  count: number;
  unit: ScheduleUnit;
  /** The cron pattern of one unit's boundaries (croner): `0 0 1 * *` for a month. */
  pattern: string;
  text: string;
}

/**
 * How a registered model is retrained, as the `retrain` statement recorded it: a schedule and/or
 * conditions, and the run whose program said so. `lathe watch` and `lathe retrain NAME --now` read
 * it; a retrain itself re-runs the program of the run that registered the champion.
 */
export interface RetrainSpec {
  format: "lathe-retrain-spec";
  name: string;
  /** The alias retrained against and moved when the challenger wins (`retrain "name@production" ...`); none: the champion. */
  alias?: string;
  schedule?: RetrainSchedule;
  conditions: RetrainCondition[];
  /** The statement's triggers as written: `every week or when drift > 0.25`. */
  text: string;
  /** The run whose `retrain` statement recorded it. */
  runId?: string;
  recordedAt: string;
}

/** A `when` threshold as a condition on a monitor result: its key is the signal the result records (`rss` reads `rss max`), its text as written. */
export function conditionOf(t: Threshold): RetrainCondition {
  const written = t.qualifier ? `${t.signal.text} ${t.qualifier.text}` : t.signal.text;
  return { key: signalKey(t.signal.text, t.qualifier?.text), op: t.op, bound: normalizeQuantity(t.bound), text: `${written} ${t.op} ${quantityText(t.bound)}` };
}

/** An `every N unit` trigger as a schedule. */
export function scheduleOf(count: number, unitName: string): RetrainSchedule {
  const unit = scheduleUnit(unitName);
  return { count, unit, pattern: schedulePattern(unit), text: `every ${count === 1 ? unit : `${count} ${unit}s`}` };
}

/** The folder of retrain specs: `.lathe/retrain/`. */
export function retrainDir(root: string): string {
  return path.join(root, "retrain");
}

function specFile(root: string, name: string): string {
  return path.join(retrainDir(root), `${nameKey(name)}.json`);
}

/** Records a spec, replacing the name's earlier one atomically. */
export function writeRetrainSpec(root: string, spec: RetrainSpec): string {
  const file = specFile(root, spec.name);
  ensureDir(retrainDir(root));
  replaceDurably(file, Buffer.from(JSON.stringify(spec, null, 1) + "\n"), path.join(root, "tmp"));
  return file;
}

/** The spec recorded for a name; undefined when no `retrain` statement recorded one. */
export function readRetrainSpec(root: string, name: string): RetrainSpec | undefined {
  return readSpecFile(specFile(root, name), name);
}

/** Every recorded spec, by name. */
export function readRetrainSpecs(root: string): RetrainSpec[] {
  return listDir(retrainDir(root))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => readSpecFile(path.join(retrainDir(root), f)) ?? []);
}

function readSpecFile(file: string, name?: string): RetrainSpec | undefined {
  let spec: RetrainSpec | undefined;
  try {
    spec = readJsonRecord<RetrainSpec>(file, "retrain spec", true);
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== "store-damaged") throw e;
  }
  if (spec === undefined && !existsSync(file)) return undefined;
  if (spec?.format !== "lathe-retrain-spec" || typeof spec.name !== "string" || (name !== undefined && spec.name !== name) || !Array.isArray(spec.conditions)) {
    throw new StoreError(`the run store is damaged: ${file} is not a retrain spec Lathe wrote (remove it, or run the program's \`retrain\` statement again)`, "store-damaged", file);
  }
  return spec;
}
