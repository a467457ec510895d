import path from "node:path";
import { aliasProblem, modelRefText, parseModelRef, type ModelRef } from "../language/model-ref.js";
import { DataError } from "../runtime/errors.js";
import type { StepResult } from "../runtime/results.js";
import type { ServeHandle } from "../runtime/serve/server.js";
import { exitCodes, signalExitCode, usageError } from "./exit-codes.js";

/** What one server is to serve. */
interface Target {
  ref: ModelRef;
  port: number;
}

// Errors the command line's flags cause (exit 2); other coded errors are about the model (exit 4).
const usageCodes = new Set(["invalid-alias", "invalid-port", "token-required", "invalid-token", "port-in-use", "port-not-allowed", "address-unavailable", "unknown-host"]);

/** `lathe serve NAME[@alias] [--version N] [--port P] [--host H] [--token T]`: serves until SIGINT/SIGTERM, then drains and exits 0. */
export async function serveCommand(nameArg: string, opts: { version?: string; port?: string; host: string; token?: string; store: string; pollMs?: string }): Promise<number> {
  const version = opts.version === undefined ? undefined : wholeNumber(opts.version, "--version", 1);
  const port = opts.port === undefined ? undefined : wholeNumber(opts.port, "--port", 0, 65535);
  const ref = parseModelRef(nameArg, version);
  const problem = aliasProblem(ref);
  if (problem) throw usageError(`error[invalid-alias]: ${problem}`);
  const { readServingSpec, specRef, defaultServePort } = await import("../runtime/serve/serving-spec.js");
  const root = path.resolve(opts.store);
  // What a program's `serve` statement recorded fills in what the command line leaves out.
  const spec = readServingSpec(root, ref.name);
  const target: Target = { ref: ref.alias !== undefined || ref.version !== undefined || !spec ? ref : specRef(spec), port: port ?? spec?.port ?? defaultServePort };
  return serveUntilSignal(root, [target], { host: opts.host, token: opts.token, pollMs: opts.pollMs === undefined ? undefined : wholeNumber(opts.pollMs, "--poll-ms", 0) });
}

/**
 * `lathe run FILE --serve`: serves every model the run's `serve` statements recorded, each on its
 * spec's port, until SIGINT/SIGTERM.
 */
export async function serveRunResults(root: string, results: StepResult[]): Promise<number> {
  const { readServingSpec, specRef } = await import("../runtime/serve/serving-spec.js");
  const targets = results.flatMap((r) => (r.kind === "serving" ? [readServingSpec(root, r.name)] : [])).flatMap((s) => (s ? [{ ref: specRef(s), port: s.port }] : []));
  if (!targets.length) {
    process.stderr.write("lathe: --serve: the program has no `serve` statement that ran, so there is nothing to serve\n");
    return exitCodes.usage;
  }
  return serveUntilSignal(root, targets, { host: "127.0.0.1" });
}

/** Starts a server per target, says where each is, and on SIGINT/SIGTERM closes them all after their requests in flight; a second signal ends at once. */
async function serveUntilSignal(root: string, targets: Target[], opts: { host: string; token?: string; pollMs?: number }): Promise<number> {
  const { startServer } = await import("../runtime/serve/server.js");
  const { RunStore } = await import("../runtime/run-store.js");
  const store = new RunStore(root);
  const token = opts.token ?? (process.env.LATHE_SERVE_TOKEN || undefined);
  const servers: ServeHandle[] = [];
  const log = (m: string) => process.stderr.write(`lathe serve: ${m}\n`);
  let stopping: NodeJS.Signals | undefined;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = (s: NodeJS.Signals) => {
    if (stopping) process.exit(signalExitCode(s));
    stopping = s;
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    for (const t of targets) {
      if (stopping) break;
      const server = await startServer({ store, ref: t.ref, port: t.port, host: opts.host, token, log, pollMs: opts.pollMs });
      servers.push(server);
      const v = server.version();
      process.stdout.write(`serving ${modelRefText(t.ref)} (version ${v.version}) at ${server.url}\n`);
      process.stdout.write(`  POST /predict, POST /feedback; GET /health, /ready, /model, /metrics${token ? " (Authorization: Bearer TOKEN except /health and /ready)" : ""}\n`);
      process.stdout.write(`  predictions logged in ${path.relative(process.cwd(), server.predictionLogDir) || server.predictionLogDir}\n`);
    }
    if (!stopping) process.stdout.write("stop with Ctrl-C (or SIGTERM): requests in flight finish first\n");
    await stopped;
    process.stdout.write(`stopping (${stopping}): finishing requests in flight\n`);
    return exitCodes.ok;
  } catch (e) {
    if (e instanceof DataError) {
      process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
      return usageCodes.has(e.code) ? exitCodes.usage : exitCodes.dataError;
    }
    throw e;
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

/** A whole-number flag, or a usage error naming it. */
function wholeNumber(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw usageError(`${flag} takes a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}, got ${JSON.stringify(text)}`);
  return n;
}
