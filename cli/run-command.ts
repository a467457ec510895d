import path from "node:path";
import { Session } from "../api/session.js";
import { resultSummary } from "../api/summary.js";
import { exitCodes, parseParams } from "./exit-codes.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { progressBar, ProgressThrottle } from "./progress.js";
import { resultDetail } from "./report.js";

/** `lathe run`: runs a program with a progress line per step; returns the exit code. */
export async function runCommand(file: string, opts: { param: string[]; store: string; record: boolean }): Promise<number> {
  const session = await Session.open({ root: opts.store, record: opts.record });
  const out = process.stdout;
  const started = Date.now();
  let total = 0;
  let current = "";
  const tty = Boolean(process.stdout.isTTY);
  const throttle = new ProgressThrottle(tty);
  try {
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once("SIGINT", onSigint);
    const outcome = await session.runFile(file, {
      params: parseParams(opts.param),
      signal: controller.signal,
      onEvent: (e) => {
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
          const line = `[${idx}/${total}] ${e.label}: ${resultSummary(e.result)} (${Math.round(e.ms)} ms)`;
          out.write(process.stdout.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
          const detail = e.result && resultDetail(e.result);
          if (detail) out.write(detail.replace(/^/gm, "    ") + "\n");
        }
      },
    });
    process.removeListener("SIGINT", onSigint);
    printDiagnostics(outcome.diagnostics, file, outcome.text);
    if (outcome.diagnostics.some((d) => d.severity === "error")) return exitCodes.programErrors;
    if (outcome.runId) out.write(`run ${outcome.runId} recorded in ${path.relative(process.cwd(), session.store.dbPath) || session.store.dbPath} (artifacts in ${path.relative(process.cwd(), session.store.artifactDir)})\n`);
    if (outcome.error) {
      process.stderr.write(`lathe: ${outcome.error.kind === "internal" ? "internal error: " : ""}${outcome.error.message}\n`);
      return outcome.error.kind === "assert" ? exitCodes.assertFailed : outcome.error.kind === "interrupted" ? exitCodes.interrupted : outcome.error.kind === "data" ? exitCodes.dataError : exitCodes.internal;
    }
    out.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return exitCodes.ok;
  } finally {
    session.close();
  }
}
