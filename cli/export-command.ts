import path from "node:path";
import { aliasProblem, parseModelRef } from "../language/model-ref.js";
import { DataError } from "../runtime/errors.js";
import { exitCodes, usageError } from "./exit-codes.js";

/**
 * `lathe export NAME[@alias] [--version N] --to DIR [--for container]`: what the `export`
 * statement does, from the command line: the registered model as a self-contained ES module folder,
 * plus a Dockerfile, Kubernetes manifests and a serverless handler for a container.
 */
export async function exportCommand(nameArg: string, opts: { to: string; for?: string; version?: string; store: string }): Promise<number> {
  const version = opts.version === undefined ? undefined : Number(opts.version);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) throw usageError(`--version takes a whole number from 1, got ${JSON.stringify(opts.version)}`);
  if (opts.for !== undefined && opts.for !== "container") throw usageError(`--for takes \`container\` (an export is for the edge without it), got ${JSON.stringify(opts.for)}`);
  const ref = parseModelRef(nameArg, version);
  const problem = aliasProblem(ref);
  if (problem) throw usageError(`error[invalid-alias]: ${problem}`);
  const { RunStore } = await import("../runtime/run-store.js");
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const { exportModel, renderExported } = await import("../runtime/ops/export.js");
  try {
    const r = await exportModel(new ModelRegistry(new RunStore(path.resolve(opts.store))), ref, path.resolve(opts.to), opts.for === "container" ? "container" : "edge");
    process.stdout.write(`${renderExported(r).summary}\n`);
    return exitCodes.ok;
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return exitCodes.dataError;
  }
}
