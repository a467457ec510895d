import { existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunOptions, RunOutcome, Session } from "../api/session.js";
import type { RunEvent, StepResult } from "../runtime/results.js";
import { exitCodes, parseParams, parseTags, signalExitCode, usageError } from "./exit-codes.js";
import { formatDiagnostic } from "../language/diagnostic.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { readProgram } from "./program-source.js";
import { progressBar, ProgressThrottle } from "./progress.js";

/**
 * `lathe run FILE|-`: runs a program with a progress line per step; returns the exit code. `junit`:
 * also writes a JUnit report, whatever the outcome; `runIdFile`: the recorded run's id, for the next
 * step of a pipeline; `registry: false`: registry statements say what they would do. With `serve`,
 * then serves what its `serve` statements recorded until SIGINT/SIGTERM.
 */
export async function runCommand(file: string, opts: { param: string[]; store: string; record: boolean; cache?: boolean; snapshot?: boolean; serve?: boolean; name?: string; tag?: string[]; junit?: string; runIdFile?: string; registry?: boolean }): Promise<number> {
  if (opts.snapshot && !opts.record) {
    process.stderr.write("lathe: --snapshot keeps the data with the run's record; it cannot go with --no-record\n");
    return exitCodes.usage;
  }
  // The report and the id file are written after the run: a folder that is not there is said now, not after it.
  for (const [flag, out] of [["--junit", opts.junit], ["--run-id-file", opts.runIdFile]] as const) {
    if (out !== undefined && !existsSync(path.dirname(path.resolve(out)))) throw usageError(`${flag} ${out}: the folder ${path.dirname(out)} does not exist`);
  }
  const params = parseParams(opts.param);
  const tags = parseTags(opts.tag ?? []);
  if (opts.name !== undefined && !opts.name.trim()) throw usageError("--name takes a non-empty name");
  const source = await readProgram(file);
  if ("error" in source) {
    process.stderr.write(`lathe: ${source.error}\n`);
    return exitCodes.usage;
  }
  // A program that may draw a chart starts the chart thread now, so Vega loads while the session
  // opens and the program is checked too; the run closes it at once if its plan draws nothing.
  const threaded = chartThreadWanted();
  const charts = threaded && mayDraw(source.text, opts.record) ? (await import("../runtime/charts/chart-thread.js")).ChartThread.start() : undefined;
  const { Session } = await import("../api/session.js");
  const session = await Session.open({ root: opts.store, record: opts.record });
  let ran: Awaited<ReturnType<typeof runWithProgress>>;
  const startedAt = new Date();
  const steps: Extract<RunEvent, { type: "step-end" }>[] = [];
  try {
    const serving = opts.serve ? { later: "served when the run ends (--serve)" } : undefined;
    const collect = (on: ((e: RunEvent) => void) | undefined) => (e: RunEvent) => {
      if (e.type === "step-end") steps.push(e);
      on?.(e);
    };
    ran = await runWithProgress(session, source.file, (o) => session.run(source.text, { ...o, onEvent: collect(o.onEvent), file: source.file, params, serving, cache: opts.cache === false ? "refresh" : "use", snapshot: opts.snapshot, name: opts.name?.trim(), tags, registryChanges: opts.registry, displayCharts: false, oneShot: true, chartThread: charts ?? threaded }));
  } finally {
    charts?.close();
    session.close();
  }
  if (opts.runIdFile && ran.outcome.runId) writeFileSync(opts.runIdFile, ran.outcome.runId + "\n");
  if (opts.junit) {
    const { junitReport } = await import("./junit-report.js");
    writeFileSync(opts.junit, junitReport({ file: source.file === "-" ? "<stdin>" : path.relative(process.cwd(), path.resolve(source.file)) || source.file, outcome: ran.outcome, steps, startedAt, ms: Date.now() - startedAt.getTime(), exitCode: ran.code }));
  }
  if (!opts.serve || ran.code !== exitCodes.ok) return ran.code;
  // The server has its own signal handling.
  ran.release();
  const { serveRunResults } = await import("./serve-command.js");
  const { storeCommand } = await import("./store-commands.js");
  return storeCommand(() => serveRunResults(session.store.root, ran.outcome.output?.results ?? []));
}

/**
 * Runs through `start` with a line per step (a live progress bar on a terminal), Ctrl-C as a clean
 * stop, diagnostics with carets, and the exit code CI reads. Shared by `run`, `reproduce` and `retrain`.
 */
export async function runWithProgress(session: Session, file: string, start: (o: Pick<RunOptions, "signal" | "onEvent">) => Promise<RunOutcome>): Promise<{ code: number; outcome: RunOutcome; release: () => void }> {
  const out = process.stdout;
  const started = Date.now();
  const controller = new AbortController();
  // SIGTERM (a CI timeout, `kill`, a container stop) stops the run as Ctrl-C does: recorded as interrupted.
  let signal: NodeJS.Signals | undefined;
  let signals = 0;
  let ended = false;
    // A second signal while the run winds down (interrupting DuckDB, writing the run's outcome) must not
  // kill it half-recorded: it is acknowledged; a third quits at once (the store survives a crash anyway).
  // The handlers stay after the run, until the caller releases them: a signal between the run's end and
  // the process's exit would otherwise kill it by signal, and CI would read no exit code.
  const onSignal = (s: NodeJS.Signals) => {
    signal ??= s;
    signals++;
    if (signals === 1 && !ended) controller.abort();
    else if (signals === 2 && !ended) process.stderr.write("lathe: stopping; the run is being recorded as interrupted (a third signal quits at once)\n");
    else if (signals >= 3) process.exit(signalExitCode(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const release = () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
  let outcome: RunOutcome;
  try {
    // How results print (every op's renderer) is loaded here, with the session, not with this module:
    // `lathe run` starts its chart thread before loading either. After the signal handlers: a signal
    // while they load stops the run before it starts.
    const [{ resultSummary }, { resultDetail }] = await Promise.all([import("../api/summary.js"), import("./report.js")]);
    outcome = await start({ signal: controller.signal, onEvent: stepPrinter(out, resultSummary, resultDetail) });
  } catch (e) {
    release();
    throw e;
  } finally {
    ended = true;
  }
  return { ...reportOutcome(outcome, file, out, session, started, signal), release };
}

/** Prints a run's diagnostics, error and closing line; gives the exit code CI reads. */
function reportOutcome(outcome: RunOutcome, file: string, out: NodeJS.WriteStream, session: Session, started: number, signal: NodeJS.Signals | undefined): { code: number; outcome: RunOutcome } {
  printDiagnostics(outcome.diagnostics, file, outcome.text);
  if (outcome.diagnostics.some((d) => d.severity === "error")) return { code: exitCodes.programErrors, outcome };
  if (outcome.runId) out.write(`run ${outcome.runId} recorded in ${path.relative(process.cwd(), session.store.runsDir) || session.store.runsDir} (artifacts in ${path.relative(process.cwd(), session.store.artifactDir)})\n`);
  if (outcome.error) {
    // A failure inside a step points at its statement, like a checker error.
    if (outcome.error.diagnostic) process.stderr.write(formatDiagnostic(outcome.error.diagnostic, file, outcome.text) + "\n");
    else process.stderr.write(`lathe: ${outcome.error.kind === "internal" ? "internal error: " : ""}${outcome.error.code && outcome.error.code !== "data-error" ? `error[${outcome.error.code}]: ` : ""}${outcome.error.message}\n`);
    const code = outcome.error.kind === "assert" ? exitCodes.assertFailed : outcome.error.kind === "interrupted" ? signalExitCode(signal) : outcome.error.kind === "data" ? exitCodes.dataError : outcome.error.kind === "store" ? exitCodes.storeError : exitCodes.internal;
    return { code, outcome };
  }
  const reused = outcome.output?.results.filter((r) => r.reusedFrom !== undefined).length ?? 0;
  out.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s${reused ? ` (${reused} step${reused === 1 ? "" : "s"} reused from the step cache; --no-cache computes every step)` : ""}\n`);
  return { code: exitCodes.ok, outcome };
}

/** A line per finished step, with a redrawn progress bar in between on a terminal (one line per tenth otherwise). */
function stepPrinter(out: NodeJS.WriteStream, resultSummary: (r: StepResult | undefined) => string, resultDetail: (r: StepResult) => string | undefined): (e: RunEvent) => void {
  let total = 0;
  let current = "";
  const tty = Boolean(out.isTTY);
  const throttle = new ProgressThrottle(tty);
  return (e) => {
    if (e.type === "step-start") {
      total = e.total;
      current = `[${e.index + 1}/${e.total}] ${e.label}`;
      throttle.reset();
      if (tty) out.write(`${current} ...`);
    } else if (e.type === "progress") {
      if (!throttle.shouldDraw(e.step, e.total)) return;
      out.write(tty ? `\r\x1b[K${progressBar(current, e)}` : `${progressBar(current, e)}\n`);
    } else if (e.type === "step-end") {
      const idx = Number(e.id.slice(1));
      const line = `[${idx}/${total}] ${e.label}: ${e.failed ? "failed" : resultSummary(e.result)} (${Math.round(e.ms)} ms)`;
      out.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
      const detail = e.result && resultDetail(e.result);
      if (detail) out.write(detail.replace(/^/gm, "    ") + "\n");
    }
  };
}

/**
 * Whether a run draws its charts on a thread of its own: `LATHE_CHART_THREAD=on` or `off`, else when a
 * core is likely to be spare (two cores or more, the 1-minute load average at most the cores less
 * one). The thread's work runs beside the main thread only on a core nobody else wants; on a busy
 * machine (where the kernel shares the CPU between sessions, not threads) it comes out of the run's
 * own share and only adds the thread's start-up and warm-up.
 */
export function chartThreadWanted(env: NodeJS.ProcessEnv = process.env, load = os.loadavg()[0], cores = os.availableParallelism()): boolean {
  if (env.LATHE_CHART_THREAD === "on") return true;
  if (env.LATHE_CHART_THREAD === "off") return false;
  return cores > 1 && load <= cores - 1;
}

/**
 * Whether a program's text suggests it draws a chart (a `plot` kept by the run record or written to
 * an image, a `monitor`), judged before the parser is even loaded; the plan decides for good.
 */
export function mayDraw(text: string, record: boolean): boolean {
  return /\bmonitor\b/.test(text) || (/\bplot\b/.test(text) && (record || /\.(svg|png|html)"/i.test(text)));
}
