import { Command, CommanderError } from "commander";
import path from "node:path";
import { exitCodes, parseParams } from "./exit-codes.js";
import { formatTable } from "./format-table.js";

// Each command loads what it needs when it runs (DuckDB, the parser, the runtime): `lathe --help`
// and `lathe runs list` should not pay for TensorFlow.js or Chevrotain.
export { exitCodes };

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
      const { runCommand } = await import("./run-command.js");
      code = await runCommand(file, opts);
    });

  program
    .command("check <file>")
    .description("check a program without running it: syntax, names, columns, types")
    .option("--json", "print diagnostics as JSON")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .action(async (file: string, opts) => {
      const { checkCommand } = await import("./check-command.js");
      code = await checkCommand(file, opts);
    });

  program
    .command("explain <file>")
    .description("print the SQL of each data step (collect, prepare, split), with the constants fitted steps learn")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .action(async (file: string, opts) => {
      const { explain } = await import("./explain.js");
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
      const { RunStore } = await import("../runtime/run-store.js");
      const rows = await new RunStore(path.resolve(opts.store)).list(Number(opts.limit));
      process.stdout.write(rows.length ? formatTable(["id", "started_at", "status", "program_path", "seed", "backend"], rows) + "\n" : "no runs recorded yet\n");
    });
  runs
    .command("show <id>")
    .description("one run: its record, metrics and artifacts")
    .option("--store <dir>", "run store folder", ".lathe")
    .option("--json", "print as JSON")
    .action(async (id: string, opts) => {
      const { RunStore } = await import("../runtime/run-store.js");
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

  runs
    .command("diff <a> <b>")
    .description("compare two runs: program text, params, data fingerprints, versions, backend, every metric")
    .option("--store <dir>", "run store folder", ".lathe")
    .option("--json", "print as JSON")
    .action(async (a: string, b: string, opts) => {
      const { RunStore } = await import("../runtime/run-store.js");
      const { diffRuns } = await import("../runtime/run-diff.js");
      const store = new RunStore(path.resolve(opts.store));
      const [ra, rb] = [await store.load(a), await store.load(b)];
      for (const [id, r] of [[a, ra], [b, rb]] as const) if (!r) process.stderr.write(`lathe: no run ${id}\n`);
      if (!ra || !rb) {
        code = exitCodes.usage;
        return;
      }
      const d = diffRuns(ra, rb);
      if (opts.json) process.stdout.write(JSON.stringify(d, null, 2) + "\n");
      else {
        const { runDiffReport } = await import("./run-diff-report.js");
        process.stdout.write(`A = run ${ra.id} (${ra.status}, ${ra.startedAt})\nB = run ${rb.id} (${rb.status}, ${rb.startedAt})\n\n${runDiffReport(d, ["A", "B"])}`);
      }
    });

  const notebook = program.command("notebook").description("notebooks as parameterised, repeatable runs");
  notebook
    .command("run <notebook>")
    .description("execute a notebook (Lathe or TypeScript) with Jupyter, injecting --param values after the cell tagged `parameters`")
    .option("-p, --param <name=value>", "a parameter value (repeatable)", collect, [])
    .option("-o, --output <file>", "where to write the executed notebook (default: NAME.run.ipynb)")
    .option("--kernel <name>", "kernel to use (default: the notebook's own)")
    .option("--timeout <seconds>", "longest a cell may run", "600")
    .action(async (file: string, opts) => {
      const { notebookRunCommand } = await import("./notebook-run.js");
      code = await notebookRunCommand(file, opts);
    });

  const models = program.command("models").description("the model registry: registered names, versions, champions");
  models
    .command("list")
    .description("registered names with their latest version and champion")
    .option("--store <dir>", "run store folder", ".lathe")
    .action(async (opts) => {
      const { RunStore } = await import("../runtime/run-store.js");
      const { ModelRegistry } = await import("../runtime/model-registry.js");
      const rows = await new ModelRegistry(new RunStore(path.resolve(opts.store))).names();
      process.stdout.write(rows.length ? formatTable(["name", "versions", "latest", "champion"], rows.map((r) => ({ ...r, champion: r.champion ?? "-" }))) + "\n" : "no models registered yet\n");
    });
  models
    .command("show <name>")
    .description("every version of a name: the run and model it came from, its metrics, the champion")
    .option("--store <dir>", "run store folder", ".lathe")
    .option("--json", "print as JSON")
    .action(async (name: string, opts) => {
      const { RunStore } = await import("../runtime/run-store.js");
      const { ModelRegistry } = await import("../runtime/model-registry.js");
      const versions = await new ModelRegistry(new RunStore(path.resolve(opts.store))).versions(name);
      if (!versions.length) {
        process.stderr.write(`lathe: no model is registered as ${JSON.stringify(name)}\n`);
        code = exitCodes.usage;
        return;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(versions, null, 2) + "\n");
        return;
      }
      const rows = versions.map((v) => ({
        version: v.version,
        champion: v.champion ? "*" : "",
        run: v.runId,
        model: `${v.model} (${v.algorithm})`,
        metrics: v.metrics.map((m) => `${m.metric} on ${m.data} ${m.value.toFixed(4)}`).join(", ") || "-",
        registered: v.registeredAt,
      }));
      process.stdout.write(formatTable(["version", "champion", "run", "model", "metrics", "registered"], rows) + "\n");
    });

  program
    .command("reproduce <run>")
    .description("run a recorded run again from its record and check the data and every metric are identical (exit 5 if not)")
    .option("--store <dir>", "run store folder", ".lathe")
    .action(async (id: string, opts) => {
      const { reproduceCommand } = await import("./reproduce-command.js");
      code = await reproduceCommand(id, opts);
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
