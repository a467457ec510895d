import path from "node:path";
import type { Retrained } from "../api/retrain.js";
import type { Session } from "../api/session.js";
import { DataError } from "../runtime/errors.js";
import type { RetrainDecision, RetrainTrigger } from "../runtime/retrain/retrain-log.js";
import type { RetrainSpec } from "../runtime/retrain/retrain-spec.js";
import { exitCodes, signalExitCode, usageError } from "./exit-codes.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { decisionLine } from "./retrain-decision.js";
import { runWithProgress } from "./run-command.js";

// A name the command line gave that the registry does not know is the user's to fix (exit 2).
const usageCodes = new Set(["unknown-model-name", "no-champion", "unknown-alias", "invalid-alias"]);

/**
 * `lathe retrain NAME --now`: one retrain (see `api/retrain.ts`), with a line per step of the
 * program run again, then the decision. Exit 0 when it decided (promoted or kept), 3 when an assert
 * of the retrain's run failed, the run's own code when it failed; 0 with a note when a retrain of
 * the same model is already running (it is not started twice).
 */
export async function retrainNowCommand(nameArg: string, opts: { store: string; now?: boolean }): Promise<number> {
  if (!opts.now) throw usageError("`lathe retrain NAME` retrains at once only with --now (`lathe watch` follows the schedules and conditions of `retrain` statements)");
  const { Session } = await import("../api/session.js");
  const session = await Session.open({ root: opts.store, record: true });
  try {
    const { parseModelRef } = await import("../language/model-ref.js");
    const { name, alias } = parseModelRef(nameArg);
    const done = await retrainOnce(session, name, { kind: "now", text: "lathe retrain --now" }, alias);
    return done.code;
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return usageCodes.has(e.code) ? exitCodes.usage : exitCodes.dataError;
  } finally {
    session.close();
  }
}

/** Claims, runs and reports one retrain in a fresh session: the exit code, and the decision when one was made. */
async function retrainOnce(session: Session, name: string, trigger: RetrainTrigger, alias?: string, stop?: AbortSignal): Promise<{ code: number; decision?: RetrainDecision }> {
  const { claimRetrain, runRetrain } = await import("../api/retrain.js");
  const claim = await claimRetrain(session.store, name, trigger, alias);
  if ("busy" in claim) {
    process.stdout.write(`a retrain of ${JSON.stringify(name)} is already running (retrain ${claim.busy.seq}, pid ${claim.busy.owner.pid}, started ${claim.busy.startedAt}); not starting another\n`);
    return { code: exitCodes.ok };
  }
  const original = await session.store.load(claim.champion.runId);
  process.stdout.write(`retrain ${claim.seq} of ${JSON.stringify(name)} (${trigger.text}): ${claim.alias ?? "champion"} version ${claim.champion.version}; running the program of run ${claim.champion.runId} again${original ? ` (${original.programPath})` : ""}\n`);
  let retrained: Retrained | undefined;
  const { code, release } = await runWithProgress(session, original?.programPath ?? claim.champion.runId, async (o) => {
    // `lathe watch` may have been told to stop before this run's own handlers were in place.
    retrained = await runRetrain(session, claim, stop ? { ...o, signal: o.signal ? AbortSignal.any([o.signal, stop]) : stop } : o);
    return retrained.outcome;
  });
  // `lathe watch` goes on after a retrain, with its own signal handling.
  release();
  if (!retrained) return { code };
  process.stdout.write(decisionLine(retrained.decision, claim) + "\n");
  return { code, decision: retrained.decision };
}

/**
 * `lathe watch [program...]`: follows the `retrain` statements of the programs given (without
 * running them), or else every spec recorded in the store, until SIGINT/SIGTERM. The first signal
 * interrupts a retrain that is running (recorded as failed; its promotion, the last step, never
 * happened, so the champion is unchanged) and exits 0; a second one exits at once (130/143).
 */
export async function watchCommand(programs: string[], opts: { store: string; poll: string; tz?: string; once?: boolean }): Promise<number> {
  const pollMs = durationMs(opts.poll, "--poll");
  const root = path.resolve(opts.store);
  const specs = programs.length ? await specsOfPrograms(programs) : undefined;
  if (specs && "code" in specs) return specs.code;
  const { RunStore } = await import("../runtime/run-store.js");
  const { readRetrainSpecs } = await import("../runtime/retrain/retrain-spec.js");
  const { RetrainLog } = await import("../runtime/retrain/retrain-log.js");
  const { evaluatingMonitor } = await import("../runtime/retrain/signal-source.js");
  const { watchRetrains } = await import("../runtime/retrain/scheduler.js");
  const { Session } = await import("../api/session.js");
  const store = new RunStore(root);
  const controller = new AbortController();
  let stopping: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    if (stopping) process.exit(signalExitCode(s));
    stopping = s;
    process.stdout.write(`stopping (${s})\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const list = () => specs?.specs ?? readRetrainSpecs(root);
  const shown = list();
  const specsText = shown.length ? shown.map((s) => `${JSON.stringify(s.name)} (${s.text})`).join(", ") : "no retrain specs yet (a program's `retrain` statement records one)";
  process.stdout.write(opts.once ? `checking ${specsText} once\n` : `watching ${specsText}; monitor results read every ${opts.poll}\nstop with Ctrl-C (or SIGTERM)\n`);
  try {
    await watchRetrains({
      specs: list,
      // Conditions read the monitor's latest result; one older than five minutes (or a poll) is evaluated afresh here.
      signals: evaluatingMonitor(root, Math.max(pollMs, 5 * 60_000), (name) => new RetrainLog(store, name).lastStarted(), (m) => process.stdout.write(`${new Date().toISOString()} ${m}\n`)),
      lastRetrain: (name) => new RetrainLog(store, name).lastStarted(),
      pollMs,
      once: opts.once,
      timezone: opts.tz,
      signal: controller.signal,
      log: (m) => process.stdout.write(`${new Date().toISOString()} ${m}\n`),
      retrain: async (name, trigger) => {
        // A fresh session per retrain: sources are read again, nothing is reused from the last one.
        const session = await Session.open({ root, record: true });
        try {
          await retrainOnce(session, name, trigger, list().find((s) => s.name === name)?.alias, controller.signal);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
        } finally {
          session.close();
        }
      },
    });
    return exitCodes.ok;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

/** The `retrain` statements of program files, as specs (the programs are parsed, not run). */
async function specsOfPrograms(files: string[]): Promise<{ specs: RetrainSpec[] } | { code: number }> {
  const { parse } = await import("../language/index.js");
  const { readTextFile } = await import("../runtime/data/file-access.js");
  const { planRetrain } = await import("../runtime/ops/retrain.js");
  const specs: RetrainSpec[] = [];
  for (const file of files) {
    const read = readTextFile(file);
    if ("error" in read) {
      process.stderr.write(`lathe: ${read.error}\n`);
      return { code: exitCodes.dataError };
    }
    const parsed = parse(read.text);
    if (parsed.diagnostics.some((d) => d.severity === "error")) {
      printDiagnostics(parsed.diagnostics, file, read.text);
      return { code: exitCodes.programErrors };
    }
    for (const s of parsed.program.statements) {
      if (s.kind !== "retrain") continue;
      const step = planRetrain(s, undefined as never) as Exclude<ReturnType<typeof planRetrain>, Promise<unknown> | undefined>;
      specs.push({ format: "lathe-retrain-spec", name: step.name, ...(step.alias ? { alias: step.alias } : {}), ...(step.schedule ? { schedule: step.schedule } : {}), conditions: step.conditions, text: step.text, recordedAt: new Date().toISOString() });
    }
  }
  if (!specs.length) {
    process.stderr.write(`lathe: ${files.join(", ")} ${files.length === 1 ? "has" : "have"} no \`retrain\` statement to follow\n`);
    return { code: exitCodes.usage };
  }
  return { specs };
}

/** `60s`, `5m`, `1h`, `500ms` or a number of seconds, in ms; a usage error otherwise. */
export function durationMs(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms"] : NaN;
  if (!(ms > 0)) throw usageError(`${flag} takes a duration such as 60s, 5m, 1h or 500ms, got ${JSON.stringify(text)}`);
  return ms;
}
