import { Command, CommanderError } from "./commander.js";
import { ignoreClosedPipes } from "./closed-pipe.js";
import { exitCodes, parseParams } from "./exit-codes.js";
import { formatTable } from "./format-table.js";
import { createRequire } from "node:module";
import { resolveStoreOption } from "./store-option.js";

// Each command loads what it needs when it runs (DuckDB, the parser, the runtime): `lathe --help`
// and `lathe runs list` should not pay for TensorFlow.js or Chevrotain.
export { exitCodes };

/** The `lathe` command line. Returns (and sets) the exit code. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  let code: number = exitCodes.ok;
  // No default value: `--store`, else $LATHE_STORE (the kernel runs `%lathe` commands with its own
  // store there), else the nearest .lathe/ up from here, filled in before each command (store-option.ts).
  const defaultStore: string | undefined = undefined;
  const storeHelp = "run store folder (default: $LATHE_STORE, else the nearest .lathe/ up to the project root, else the root's .lathe)";
  const program = new Command("lathe")
    .description("Lathe: a declarative MLOps workbench")
    .version(packageVersion(), "-V, --version", "print Lathe's version")
    // `lathe --version` only before a command: after one, `--version N` is that command's own option (serve, predict, replay...).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .hook("preAction", (_, action) => resolveStoreOption(action))
    .addHelpText("after", "\nThe run store: --store DIR, else $LATHE_STORE, else the nearest .lathe/ from the working directory up to the\nproject root (a folder with .git or package.json), else that root's .lathe (created by the first run).");
  const collect = (v: string, acc: string[]) => [...acc, v];

  program
    .command("run <file>")
    .description("run a Lathe program (`-`: from standard input): collect, prepare, split, train, evaluate, plot; record the run")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--no-record", "do not record the run (nor use the step cache)")
    .option("--no-cache", "compute every step instead of reusing the step cache (what it computes is kept)")
    .option("--snapshot", "keep each source's rows with the run (Parquet, deduplicated), so `lathe reproduce` works after its files change or go")
    .option("--name <name>", "a name for the run, shown and filtered on by `runs list`, `runs show`, `runs compare`")
    .option("--tag <key=value>", "a tag for the run (repeatable)", collect, [])
    .option("--serve", "after the run, serve the models its `serve` statements name until SIGINT/SIGTERM")
    .option("--junit <file>", "also write a JUnit XML report: a test case per assert condition and per failed step (written whatever the outcome)")
    .option("--run-id-file <file>", "write the recorded run's id to this file (for a later `lathe reproduce` or `lathe models promote --run`)")
    .option("--no-registry", "leave the model registry alone: `register`, `promote` and `rollback` say what they would do (CI on a branch)")
    .action(async (file: string, opts) => {
      const { runCommand } = await import("./run-command.js");
      code = await runCommand(file, opts);
    });

  program
    .command("serve <name>")
    .description("serve a registered model over HTTP until SIGINT/SIGTERM: NAME (the champion), NAME@ALIAS (@production, @staging, @latest ...), or --version N; follows promote and rollback of its alias")
    .option("--version <n>", "serve this version")
    .option("--port <port>", "port (default: the one the program's `serve` statement recorded, else 8080; 0: any free port)")
    .option("--host <host>", "address to listen on; anything but loopback needs a token", "127.0.0.1")
    .option("--token <token>", "require `Authorization: Bearer TOKEN` (default: $LATHE_SERVE_TOKEN)")
    .option("--poll-ms <ms>", "how often the registry is checked for a new champion", "1000")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (name: string, opts) => {
      const { serveCommand } = await import("./serve-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => serveCommand(name, opts));
    });

  program
    .command("monitor <name>")
    .description("evaluate a served model's monitoring rules over its logs (drift, latency, errors, RSS and CPU, live metrics; served and batch-scored rows); record the evaluation; exit 3 on an alert")
    .option("--version <n>", "compare with this version's reference (default: the champion)")
    .option("--window <duration>", "only the last 30m, 1h, 7d ... of the log (default: all of it)")
    .option("--since <time>", "only what was logged from this ISO 8601 time")
    .option("--source <rows>", "which scored rows drift and live metrics cover: serve, batch (deploy ... batch) or all", "all")
    .option("--json", "print the evaluation as JSON")
    .option("--html <file>", "also write a self-contained HTML report")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (name: string, opts) => {
      const { monitorCommand } = await import("./monitor-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => monitorCommand(name, opts));
    });

  program
    .command("replay <name>")
    .description("send a file's rows to a running server as live traffic: POST /predict in batches, then each row's true label to POST /feedback (for `monitor`)")
    .requiredOption("-i, --input <file>", "rows to send, in a format `read` takes (repeatable: the files one after another)", collect, [])
    .requiredOption("--label <column>", "the column holding the true label: sent to /feedback, not to /predict")
    .option("--url <url>", "the server (default: loopback on the port the `serve` statement recorded, else 8080)")
    .option("--batch <n>", "rows per /predict request", "100")
    .option("--version <n>", "wait for the server to serve this version, and refuse answers from another")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (name: string, opts) => {
      const { replayCommand } = await import("./replay-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => replayCommand(name, opts));
    });

  program
    .command("check <file>")
    .description("check a program (`-`: from standard input) without running it: syntax, names, columns, types")
    .option("--json", "print diagnostics as JSON")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .action(async (file: string, opts) => {
      const { checkCommand } = await import("./check-command.js");
      code = await checkCommand(file, opts);
    });

  program
    .command("explain <file>")
    .description("print the SQL of each data step (collect, prepare, split), with the constants fitted steps learn (`-`: the program from standard input)")
    .option("-p, --param <name=value>", "override a `param` (repeatable)", collect, [])
    .action(async (file: string, opts) => {
      const { explain } = await import("./explain.js");
      const outcome = await explain(file, parseParams(opts.param), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
      code = outcome === "ok" ? exitCodes.ok : outcome === "program" ? exitCodes.programErrors : outcome === "usage" ? exitCodes.usage : exitCodes.dataError;
    });

  program
    .command("fmt <file>")
    .description("print a program (`-`: from standard input) in the canonical layout (keeps comments); refuses files with syntax errors")
    .option("-w, --write", "rewrite the file in place")
    .option("--check", "exit 1 when the file is not formatted, print nothing else")
    .action(async (file: string, opts) => {
      const { fmtCommand } = await import("./fmt.js");
      const { readProgram } = await import("./program-source.js");
      code = fmtCommand(file === "-" ? await readProgram(file) : file, opts);
    });

  // Store commands load the run store only when they run; a store error is coded and exits 74.
  const store = () => import("./store-commands.js");
  const runs = program.command("runs").description("inspect recorded runs");
  runs
    .command("list")
    .description("recent runs, newest first (crashed runs show as crashed), filtered by program, status, time, name, tags, metric bounds")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("-n, --limit <n>", "how many", "20")
    .option("--program <file>", "runs of this program (its path, or how the path ends: penguins.lathe)")
    .option("--status <status>", "running, succeeded, failed, interrupted or crashed (several: comma-separated)")
    .option("--since <time>", "started since a time (2024-05-01, 2024-05-01T12:00:00Z) or how long ago (7d, 12h, 30m)")
    .option("--name <name>", "runs given this --name")
    .option("--tag <key[=value]>", "runs with this tag (any value without =value; repeatable)", collect, [])
    .option("--where <bound>", 'a metric bound, such as "accuracy>0.9" or "species.test.f1>=0.8" (repeatable)', collect, [])
    .option("--children", "also list child runs (tune trials), each after its run")
    .option("--json", "print as JSON")
    .action(async (opts) => {
      const { storeCommand, runsList } = await store();
      code = await storeCommand(() => runsList(opts));
    });
  runs
    .command("show <id>")
    .description("one run (by id, a unique prefix, or RUN/N for a tune trial): its record, who ran it where, metrics, artifacts, trials, loss curves")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--json", "print as JSON")
    .action(async (id: string, opts) => {
      const { storeCommand, runsShow } = await store();
      code = await storeCommand(() => runsShow(id, opts));
    });

  runs
    .command("compare <runs...>")
    .description("runs side by side: every metric, param and tag (rows that differ marked); --chart draws one metric across them")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--json", "print as JSON")
    .option("--chart <metric>", "draw this metric (accuracy, test.f1, species.test.f1; loss for training curves) across the runs")
    .option("--out <file>", "where --chart writes: .svg, .png, or .json (the Vega-Lite spec)")
    .action(async (ids: string[], opts) => {
      const { runsCompare } = await import("./runs-compare.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => runsCompare(ids, opts));
    });
  runs
    .command("delete <runs...>")
    .description("delete runs (all or none; their trials with them); refuses a run that registered a version still in the registry unless --force; `lathe gc` then reclaims their artifacts")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--force", "also delete runs that registered versions (the versions and their model files stay)")
    .action(async (ids: string[], opts) => {
      const { storeCommand, runsDelete } = await store();
      code = await storeCommand(() => runsDelete(ids, opts));
    });

  runs
    .command("diff <a> <b>")
    .description("compare two runs: program text, params, data fingerprints, versions, backend, model files, every metric")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--json", "print as JSON")
    .action(async (a: string, b: string, opts) => {
      const { storeCommand, runsDiff } = await store();
      code = await storeCommand(() => runsDiff(a, b, opts));
    });

  program
    .command("gc")
    .description("remove temp files of dead processes, step-cache entries no kept run references, and artifacts no run, registered model or cache entry references; rebuild a damaged index")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("-n, --dry-run", "say what would be removed, remove nothing")
    .option("--cache", "drop the whole step cache (runs keep their models and snapshots)")
    .action(async (opts) => {
      const { storeCommand, gcCommand } = await store();
      code = await storeCommand(() => gcCommand(opts));
    });

  const notebook = program.command("notebook").description("notebooks as parameterised, repeatable runs");
  notebook
    .command("run <notebook>")
    .description("execute a notebook (Lathe or TypeScript) with Jupyter as one recorded run, injecting --param values after the cell tagged `parameters`")
    .option("-p, --param <name=value>", "a parameter value (repeatable)", collect, [])
    .option("-o, --output <file>", "where to write the executed notebook (default: NAME.run.ipynb)")
    .option("--kernel <name>", "kernel to use (default: the notebook's own)")
    .option("--timeout <seconds>", "longest a cell may run", "600")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (file: string, opts) => {
      const { notebookRunCommand } = await import("./notebook-run.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => notebookRunCommand(file, opts));
    });

  const models = program.command("models").description("the model registry: registered names, versions, champions");
  models
    .command("list")
    .description("registered names with their latest version and champion")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (opts) => {
      const { storeCommand, modelsList } = await store();
      code = await storeCommand(() => modelsList(opts));
    });
  models
    .command("show <name>")
    .description("every version of a name: the run and model it came from, its metrics, the champion; versions from failed or crashed runs flagged")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--json", "print as JSON")
    .action(async (name: string, opts) => {
      const { storeCommand, modelsShow } = await store();
      code = await storeCommand(() => modelsShow(name, opts));
    });

  models
    .command("history <name>")
    .description("the audit log of a name: every version registered, every move of an alias (champion, production, ...), every retrain and its decision, with time, user@host, run and reason")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--json", "print as JSON")
    .action(async (name: string, opts) => {
      const { storeCommand } = await store();
      const { modelsHistory } = await import("./registry-commands.js");
      code = await storeCommand(() => modelsHistory(name, opts));
    });
  models
    .command("promote <name>")
    .description("point an alias (--to, default: the champion) at a version: the one --run registered, --version N, the one NAME@ALIAS names, else the latest; recorded in the audit log")
    .option("--to <alias>", "the alias to move: production, staging, any word (default: champion)")
    .option("--version <n>", "promote this version")
    .option("--run <id>", "promote the version this run registered (how CI promotes the run it tested)")
    .option("--reason <text>", "why, for the audit log")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (name: string, opts) => {
      const { storeCommand } = await store();
      const { modelsPromote } = await import("./registry-commands.js");
      code = await storeCommand(() => modelsPromote(name, opts));
    });
  models
    .command("rollback <name>")
    .description("move an alias (NAME@ALIAS; NAME: the champion) back to the version it named before, or to --version N; recorded in the audit log")
    .option("--version <n>", "point the alias at this version instead")
    .option("--reason <text>", "why, for the audit log")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (name: string, opts) => {
      const { storeCommand } = await store();
      const { modelsRollback } = await import("./registry-commands.js");
      code = await storeCommand(() => modelsRollback(name, opts));
    });

  program
    .command("retrain <name>")
    .description("retrain a registered model once (--now): run the program of its champion's (or NAME@ALIAS's) run again on fresh data; promote the new version only if it beats that version on the same holdout and every assert passed")
    .option("--now", "retrain at once (for cron and CI; `lathe watch` follows schedules and conditions)")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (name: string, opts) => {
      const { retrainNowCommand } = await import("./retrain-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => retrainNowCommand(name, opts));
    });

  program
    .command("watch [programs...]")
    .description("retrain models as their `retrain` statements say (schedules, monitored conditions) until SIGINT/SIGTERM: the statements of the programs given, else every one recorded in the store")
    .option("--store <dir>", storeHelp, defaultStore)
    .option("--poll <duration>", "how often monitor results are read (60s, 5m, 500ms)", "60s")
    .option("--tz <zone>", "time zone of schedule boundaries (default: the machine's), e.g. UTC or Europe/Paris")
    .option("--once", "check every spec once, retrain what is due, and exit (for cron): schedules count from the last retrain")
    .action(async (programs: string[], opts) => {
      const { watchCommand } = await import("./retrain-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => watchCommand(programs, opts));
    });

  program
    .command("predict <model>")
    .description("score a file's rows (csv, json, parquet...) with a registered model, NAME, NAME@ALIAS (@production, @latest ...) or --version N; its preparation is applied")
    .requiredOption("-i, --input <file>", "rows to score, in a format `read` takes")
    .option("-o, --output <file>", "where to write the rows with their predictions (.parquet, .csv, .tsv, .json, .ndjson); default: JSON lines on stdout")
    .option("--version <n>", "a version number instead of the champion")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (model: string, opts) => {
      const { predictCommand } = await import("./predict-command.js");
      code = await predictCommand(model, opts);
    });

  program
    .command("export <model>")
    .description("write a registered model (NAME, NAME@ALIAS or --version N) as a self-contained ES module folder for Node and browsers; --for container adds a server, Dockerfile, Kubernetes manifests and a serverless handler")
    .requiredOption("--to <dir>", "the folder to write (created; an earlier export there is replaced)")
    .option("--for <form>", "`container`: add what a container platform needs")
    .option("--version <n>", "a version number instead of the champion")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (model: string, opts) => {
      const { exportCommand } = await import("./export-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => exportCommand(model, opts));
    });

  program
    .command("reproduce <run>")
    .description("run a recorded run again (by id or a unique prefix), touching neither the registry nor deployments, and check data, every metric and the model files are identical (exit 5 if not)")
    .option("--store <dir>", storeHelp, defaultStore)
    .action(async (id: string, opts) => {
      const { reproduceCommand } = await import("./reproduce-command.js");
      const { storeCommand } = await store();
      code = await storeCommand(() => reproduceCommand(id, opts));
    });

  program
    .command("ci")
    .description("continuous integration")
    .command("init <provider>")
    .description("write a pipeline file for github (.github/workflows/lathe.yml) or gitlab (.gitlab-ci.yml): install, check, run with a JUnit report (asserts gate the job), reproduce, and on the main branch promote what the run registered")
    .option("--program <file>", "the program the pipeline runs (default: the only .lathe file of the project)")
    .option("--to <alias>", "the alias the main branch promotes to", "production")
    .option("--branch <name>", "the main branch: where the run registers and the pipeline promotes", "main")
    .option("--force", "overwrite an existing pipeline file")
    .action(async (provider: string, opts) => {
      const { ciInitCommand } = await import("./ci-init.js");
      code = await ciInitCommand(provider, opts);
    });

  const kernel = program.command("kernel").description("the Lathe Jupyter kernel");
  kernel
    .command("install")
    .description("register the Lathe kernel with Jupyter")
    .option("--user", "install for the current user")
    .option("--prefix <dir>", "install under DIR/share/jupyter/kernels")
    .option("--name <name>", "kernel name", "lathe")
    .option("--typescript", "register tslab's TypeScript and JavaScript kernels (with absolute paths) instead")
    .action(async (opts) => {
      if (opts.typescript) {
        const { installTslabKernels, TslabMissing } = await import("../kernel/tslab-kernel.js");
        try {
          for (const dir of await installTslabKernels(opts)) process.stdout.write(`installed tslab's ${dir.endsWith("jslab") ? "JavaScript" : "TypeScript"} kernel in ${dir}\n`);
        } catch (e) {
          if (!(e instanceof TslabMissing)) throw e;
          process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
          code = exitCodes.usage;
        }
        return;
      }
      const { kernelInstallCommand } = await import("./kernel-command.js");
      code = await kernelInstallCommand(opts);
    });
  kernel
    .command("uninstall")
    .description("remove the Lathe kernel from Jupyter")
    .option("--prefix <dir>", "where it was installed")
    .option("--name <name>", "kernel name", "lathe")
    .action(async (opts) => {
      const { kernelUninstallCommand } = await import("./kernel-command.js");
      code = await kernelUninstallCommand(opts);
    });
  kernel
    .command("start")
    .description("run the kernel (Jupyter calls this with a connection file)")
    .requiredOption("-f, --connection-file <file>", "Jupyter connection file")
    .action(async (opts) => {
      const { kernelStartCommand } = await import("./kernel-command.js");
      code = await kernelStartCommand(opts.connectionFile);
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

/** This package's version (from its package.json, found by the package's own name). */
function packageVersion(): string {
  return (createRequire(import.meta.url)("lathe/package.json") as { version: string }).version;
}
