import { readFileSync } from "node:fs";
import { aliasProblem, defaultAlias, modelRefText, type ModelRef } from "../../language/model-ref.js";
import { DataError } from "../errors.js";
import { ModelRegistry, type ModelVersion } from "../model-registry.js";
import type { TrainedModel } from "../models/types.js";
import type { RunStore } from "../run-store.js";
import { createPredictor, type ModelPackage, type Predictor } from "./predictor.js";

export type { ModelRef };

/** A registered model, loaded: which version it is, its package, the learner's model and a predictor over both. */
export interface LoadedModel {
  ref: ModelRef;
  version: ModelVersion;
  pkg: ModelPackage;
  model: TrainedModel;
  predictor: Predictor;
}

/** Every version of a registered name; a name with none is the coded error `unknown-model-name`, saying what the registry has. */
export async function registeredVersions(registry: ModelRegistry, name: string): Promise<ModelVersion[]> {
  const versions = await registry.versions(name);
  if (versions.length) return versions;
  const names = (await registry.names()).map((n) => n.name);
  throw new DataError(`no model is registered as "${name}"${names.length ? `; the registry has ${names.map((n) => `"${n}"`).join(", ")}` : " (the registry is empty: `register m as \"name\"` in a program adds one)"}`, undefined, "unknown-model-name");
}

/**
 * The version a reference names: the champion by default, `@latest`, `@ALIAS` (any alias a
 * `promote ... to` set), or a version number. Coded errors say what exists.
 */
export async function resolveVersion(registry: ModelRegistry, ref: ModelRef): Promise<ModelVersion> {
  const alias = aliasProblem(ref);
  if (alias) throw new DataError(alias, undefined, "invalid-alias");
  const versions = await registeredVersions(registry, ref.name);
  if (ref.version !== undefined) {
    const v = versions.find((x) => x.version === ref.version);
    if (!v) throw new DataError(`"${ref.name}" has no version ${ref.version}; it has ${versions.map((x) => x.version).join(", ")}`, undefined, "unknown-version");
    return v;
  }
  if (ref.alias === "latest") return versions[versions.length - 1];
  const wanted = ref.alias ?? defaultAlias;
  const found = versions.find((v) => v.aliases.includes(wanted));
  if (found) return found;
  if (wanted === defaultAlias) throw new DataError(`"${ref.name}" has no champion yet: \`promote "${ref.name}"\` makes one, or name a version (\`${ref.name}@latest\`, \`version N\`)`, undefined, "no-champion");
  const set = versions.flatMap((v) => v.aliases.map((a) => `@${a} (version ${v.version})`));
  throw new DataError(`"${ref.name}" has no alias "${wanted}": \`promote "${ref.name}" to ${wanted}\` sets it; ${set.length ? `it has ${set.join(", ")} and @latest` : "it has only @latest"}`, undefined, "unknown-alias");
}

/** Reads a model file (as `register` stored it): the package and the learner's model. */
export async function loadModelFile(file: string): Promise<{ pkg: ModelPackage; model: TrainedModel }> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`cannot read the model file ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "it is missing (was the store's artifacts folder cleaned by hand?)" : (e as Error).message}`, file, "bad-model-file");
  }
  const { decodeModelFile } = await import("../model-file.js");
  return decodeModelFile(bytes, file);
}

/** Loads the version a reference names from a store's registry, ready to predict. */
export async function loadModel(store: RunStore | ModelRegistry, ref: ModelRef): Promise<LoadedModel> {
  const version = await resolveVersion(store instanceof ModelRegistry ? store : new ModelRegistry(store), ref);
  const { pkg, model } = await loadModelFile(version.artifact);
  return { ref, version, pkg, model, predictor: createPredictor(pkg, model) };
}

/** A loaded model's name as it is written, with its resolved version: `penguin-species@champion (version 3)`. */
export function loadedText(m: LoadedModel): string {
  return `${modelRefText(m.ref)} (version ${m.version.version})`;
}
