import path from "node:path";
import type { ModelRef } from "../../language/model-ref.js";
import { nameKey, type ModelRegistry } from "../model-registry.js";
import { ensureDir, replaceDurably } from "../store/durable-file.js";
import { readJsonRecord } from "../store/json-record.js";

/**
 * How a registered model is to be served, as the `serve` statement recorded it: which name, alias
 * or version, and on which port. `lathe serve NAME` reads it, so the port a program chose is used.
 */
export interface ServingSpec {
  format: "lathe-serving-spec";
  name: string;
  alias?: string;
  /** A pinned version (`serve "x" version 3`); none follows the alias (the champion by default). */
  version?: number;
  port: number;
  recordedAt: string;
  /** The run whose `serve` statement recorded it. */
  runId?: string;
}

/** The port `serve` and `lathe serve` use when none is given. */
export const defaultServePort = 8080;

/**
 * What a run needs to carry out `serve`: the store to record the spec in, the registry to check the
 * reference against, and (in the kernel) how to start the server at once. Without `start` the spec
 * is only recorded and `later` says how it gets served.
 */
export interface ServingHost {
  root: string;
  registry: ModelRegistry;
  start?: (spec: ServingSpec) => Promise<{ url: string; version: number }>;
  later?: string;
}

/** The folder of serving specs: `.lathe/serving/`. */
export function servingDir(root: string): string {
  return path.join(root, "serving");
}

/** The spec file of a registered name: `.lathe/serving/<name>.json` (the name encoded as in the registry). */
export function servingSpecFile(root: string, name: string): string {
  return path.join(servingDir(root), `${nameKey(name)}.json`);
}

/** The model reference a spec names. */
export function specRef(spec: Pick<ServingSpec, "name" | "alias" | "version">): ModelRef {
  return { name: spec.name, ...(spec.alias !== undefined ? { alias: spec.alias } : {}), ...(spec.version !== undefined ? { version: spec.version } : {}) };
}

/** Records a spec, replacing the name's earlier one atomically (a reader sees the old or the new, never half). */
export function writeServingSpec(root: string, spec: ServingSpec): string {
  const file = servingSpecFile(root, spec.name);
  ensureDir(servingDir(root));
  replaceDurably(file, Buffer.from(JSON.stringify(spec, null, 1) + "\n"), path.join(root, "tmp"));
  return file;
}

/** The spec recorded for a name, or undefined when no `serve` statement recorded one. */
export function readServingSpec(root: string, name: string): ServingSpec | undefined {
  return readJsonRecord<ServingSpec>(servingSpecFile(root, name), "serving spec", true, {
    valid: (spec) => spec.format === "lathe-serving-spec" && spec.name === name && Number.isInteger(spec.port),
    hint: "remove it, or run the program's `serve` statement again",
  });
}
