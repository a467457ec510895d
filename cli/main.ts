import { Command, CommanderError } from "commander";
import path from "node:path";
import { Session } from "../api/session.js";
import { formatDiagnostic, type Diagnostic, type LiteralValue } from "../language/index.js";
import { RunStore } from "../runtime/run-store.js";
import { explain } from "./explain.js";
import { formatTable } from "./format-table.js";
import { progressBar, ProgressThrottle } from "./progress.js";
import { resultSummary } from "../api/summary.js";
import { resultDetail } from "./report.js";

/** Exit codes CI can trust. */
export const exitCodes = { ok: 0, programErrors: 1, usage: 2, assertFailed: 3, dataError: 4, internal: 70, interrupted: 130 } as const;

function parseParams(values: string[]): Record<string, LiteralValue> {
  const out: Record<string, LiteralValue> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq < 1) throw new CommanderError(exitCodes.usage, "lathe.param", `--param takes name=value, got ${JSON.stringify(v)}`);
    const raw = v.slice(eq + 1);
    out[v.slice(0, eq)] = raw === "true" ? true : raw === "false" ? false : raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

function printDiagnostics(ds: Diagnostic[], file: string, text: string, json: boolean): void {
  if (json) return;
  for (const d of ds) process.stderr.write(formatDiagnostic(d, file, text) + "\n\n");
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  if (ds.length) process.stderr.write(`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`);
}

async function runCommand(file: string, opts: { param: string[]; store: string; record: boolean }): Promise<number> {
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
    printDiagnostics(outcome.diagnostics, file, outcome.text, false);
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

async function checkCommand(file: string, opts: { json: boolean; param: string[] }): Promise<number> {
  const session = await Session.open({ record: false });
  try {
    let text: string;
    try {
      text = (await import("node:fs")).readFileSync(file, "utf8");
    } catch {
      process.stderr.write(`lathe: cannot read ${file}: no such file\n`);
      return exitCodes.dataError;
    }
    const { diagnostics } = await session.check(text, { file, params: parseParams(opts.param) });
    if (opts.json) process.stdout.write(JSON.stringify({ file, diagnostics }, null, 2) + "\n");
    else printDiagnostics(diagnostics, file, text, false);
    if (!opts.json && !diagnostics.length) process.stdout.write(`${file}: ok\n`);
    return diagnostics.some((d) => d.severity === "error") ? exitCodes.programErrors : exitCodes.ok;
  } finally {
    session.close();
  }
}

/** The `lathe` command line. Returns (and sets) the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command("lathe")
    .description("Lathe: a declarative MLOps workbench")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const collect = (v: string, acc: string[]) => [...acc, v];

  program
    .command("run <file>")
    .description("run a Lathe program: collect, prepare, split, train, evaluate, plot; record the run")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .option("--store <dir>", "run store folder", ".lathe")
    .option("--no-record", "do not record the run")
    .action(async (file: string, opts) => {
      code = await runCommand(file, opts);
    });

  program
    .command("check <file>")
    .description("check a program without running it: syntax, names, columns, types")
    .option("--json", "print diagnostics as JSON")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .action(async (file: string, opts) => {
      code = await checkCommand(file, opts);
    });

  program
    .command("explain <file>")
    .description("print the SQL of each data step (collect, prepare, split), with the constants fitted steps learn")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .action(async (file: string, opts) => {
      const outcome = await explain(file, parseParams(opts.param), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
      code = outcome === "ok" ? exitCodes.ok : outcome === "program" ? exitCodes.programErrors : exitCodes.dataError;
    });

  program
    .command("fmt <file>")
    .description("print a program in the canonical layout (keeps comments); refuses files with syntax errors")
    .option("-w, --write", "rewrite the file in place")
    .option("--check", "exit 1 when the file is not formatted, print nothing else")
    .action(async (file: string, opts) => {
      const { fmtCommand } = await import("./fmt.js");
      code = fmtCommand(file, opts);
    });

  const runs = program.command("runs").description("inspect recorded runs");
  runs
    .command("list")
    .description("recent runs, newest first")
    .option("--store <dir>", "run store folder", ".lathe")
    .option("-n, --limit <n>", "how many", "20")
    .action(async (opts) => {
      const rows = await new RunStore(path.resolve(opts.store)).list(Number(opts.limit));
      process.stdout.write(rows.length ? formatTable(["id", "started_at", "status", "program_path", "seed", "backend"], rows) + "\n" : "no runs recorded yet\n");
    });
  runs
    .command("show <id>")
    .description("one run: its record, metrics and artifacts")
    .option("--store <dir>", "run store folder", ".lathe")
    .option("--json", "print as JSON")
    .action(async (id: string, opts) => {
      const r = await new RunStore(path.resolve(opts.store)).get(id);
      if (!r) {
        process.stderr.write(`lathe: no run ${id}\n`);
        code = exitCodes.usage;
        return;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + "\n");
        return;
      }
      const { run } = r;
      process.stdout.write(`run ${run.id}  ${run.status}  started ${run.started_at}  finished ${run.finished_at ?? "-"}\nprogram ${run.program_path} (sha256 ${String(run.program_sha).slice(0, 12)})  seed ${run.seed}  backend ${run.backend ?? "-"}\n`);
      if (run.error) process.stdout.write(`error: ${run.error}\n`);
      if (r.metrics.length) process.stdout.write("\n" + formatTable(["model", "data", "metric", "value"], r.metrics) + "\n");
      if (r.artifacts.length) process.stdout.write("\n" + formatTable(["name", "kind", "path", "bytes"], r.artifacts) + "\n");
    });

  const kernel = program.command("kernel").description("the Lathe Jupyter kernel");
  kernel
    .command("install")
    .description("register the Lathe kernel with Jupyter")
    .option("--user", "install for the current user")
    .option("--prefix <dir>", "install under DIR/share/jupyter/kernels")
    .option("--name <name>", "kernel name", "lathe")
    .action(async (opts) => {
      const { installLatheKernel } = await import("../kernel/main.js");
      const dir = await installLatheKernel(opts);
      process.stdout.write(`installed the Lathe kernel in ${dir}\n`);
    });
  kernel
    .command("uninstall")
    .description("remove the Lathe kernel from Jupyter")
    .option("--prefix <dir>", "where it was installed")
    .option("--name <name>", "kernel name", "lathe")
    .action(async (opts) => {
      const { uninstallLatheKernel } = await import("../kernel/main.js");
      await uninstallLatheKernel(opts);
      process.stdout.write(`removed the ${opts.name} kernel\n`);
    });
  kernel
    .command("start")
    .description("run the kernel (Jupyter calls this with a connection file)")
    .requiredOption("-f, --connection-file <file>", "Jupyter connection file")
    .action(async (opts) => {
      const { runKernel } = await import("../kernel/main.js");
      await runKernel(opts.connectionFile);
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : exitCodes.usage;
    else {
      process.stderr.write(`lathe: internal error: ${(e as Error).stack ?? e}\n`);
      code = exitCodes.internal;
    }
  }
  process.exitCode = code;
  return code;
}
