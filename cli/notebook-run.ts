import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { notebookRunEnv } from "../api/notebook-run-env.js";
import { RunStore, type RunEnding } from "../runtime/run-store.js";
import { exitCodes, parseParams, signalExitCode } from "./exit-codes.js";
import { NotebookParamError, prepareNotebook, type Notebook } from "./notebook-params.js";

export { parameterCell } from "./notebook-params.js";

/** Debian's interpreter, which has nbclient and nbformat (the `python3` on PATH may not). */
const python = "/usr/bin/python3";

/**
 * The Jupyter side, run under /usr/bin/python3. `check` finds the kernelspec and whether its command
 * can start; `execute` runs the prepared notebook with nbclient, stamps every executed code cell and
 * each of its rich outputs with the run id (`metadata.lathe.run_id`: stream and error outputs have
 * no metadata of their own), and writes the executed notebook. Either writes one JSON result to
 * args.result: a status (`ok`, `cell-failed`, `kernel-not-installed`, ...) and its details.
 */
const runnerScript = String.raw`
import json, os, shutil, sys
args = json.loads(sys.argv[1])
def done(result):
    with open(args["result"], "w") as f:
        json.dump(result, f)
    sys.exit(0)
try:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    if args["mode"] == "execute":
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
except ImportError as e:
    done({"status": "jupyter-not-installed", "message": str(e)})

if args["mode"] == "check":
    try:
        spec = KernelSpecManager().get_kernel_spec(args["kernel"])
    except NoSuchKernel:
        done({"status": "kernel-not-installed"})
    exe = spec.argv[0] if spec.argv else ""
    found = (os.path.isabs(exe) and os.access(exe, os.X_OK)) or (not os.path.isabs(exe) and shutil.which(exe))
    done({"status": "ok" if found else "kernel-failed-to-start", "argv": spec.argv, "language": spec.language, "dir": spec.resource_dir})

nb = nbformat.read(args["notebook"], as_version=4)
client = NotebookClient(nb, timeout=args["timeout"], kernel_name=args["kernel"], resources={"metadata": {"path": args["cwd"]}})
result = {"status": "ok"}
def ran(cell):
    return cell.cell_type == "code" and cell.get("execution_count") is not None
try:
    client.execute()
except CellTimeoutError as e:
    result = {"status": "cell-timeout", "message": str(e).strip()}
except CellExecutionError as e:
    result = {"status": "cell-failed", "ename": e.ename, "evalue": e.evalue, "message": str(e).strip()}
except DeadKernelError as e:
    result = {"status": "kernel-died", "message": str(e).strip()}
except KeyboardInterrupt:
    result = {"status": "interrupted"}
except Exception as e:
    started = any(ran(c) for c in nb.cells)
    result = {"status": "error" if started else "kernel-failed-to-start", "message": f"{type(e).__name__}: {e}"}
code_cells = [c for c in nb.cells if c.cell_type == "code"]
failed = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(o.output_type == "error" for o in c.get("outputs", []))), None)
if failed is not None:
    result["cell"] = failed + 1
for cell in code_cells:
    if not ran(cell):
        continue
    cell.metadata.setdefault("lathe", {})["run_id"] = args["run_id"]
    for o in cell.outputs:
        if o.output_type in ("display_data", "execute_result"):
            o.setdefault("metadata", {}).setdefault("lathe", {})["run_id"] = args["run_id"]
nbformat.write(nb, args["output"])
done(result)
`;

/** What the runner wrote back. */
interface RunnerResult {
  status: "ok" | "cell-failed" | "cell-timeout" | "kernel-died" | "interrupted" | "error" | "kernel-not-installed" | "kernel-failed-to-start" | "jupyter-not-installed";
  message?: string;
  ename?: string;
  evalue?: string;
  /** 1-based index (among all cells) of the cell that failed. */
  cell?: number;
  argv?: string[];
  language?: string;
  dir?: string;
}

/**
 * `lathe notebook run NB [--param k=v] [-o OUT] [--kernel K] [--store DIR]`: executes a notebook with
 * Jupyter as ONE recorded run. The command begins the run, the kernel adds each cell's steps,
 * metrics and artifacts to it (LATHE_RUN_ID), and the command ends it with the executed notebook
 * stored as an artifact. Returns the exit code: 0, 1 a cell failed, 3 an assert, 4 a data error,
 * 2 usage or a kernel Jupyter cannot start, 130/143 interrupted.
 */
export async function notebookRunCommand(file: string, opts: { param: string[]; output?: string; kernel?: string; timeout: string; store: string }): Promise<number> {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
    if (!Array.isArray(nb?.cells) || nb.nbformat !== 4) throw new Error("not an nbformat 4 notebook (no `cells`, or another `nbformat`)");
  } catch (e) {
    process.stderr.write(`lathe: error[notebook-unreadable]: cannot read ${file} as a notebook: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}\n`);
    return exitCodes.usage;
  }
  const params = parseParams(opts.param);
  if (!existsSync(python)) return fail("jupyter-not-installed", `running notebooks needs Jupyter's nbclient under ${python}: sudo bash scripts/setup-jupyter.sh`, exitCodes.usage);
  const kernel = opts.kernel ?? nb.metadata?.kernelspec?.name ?? "lathe";
  const scratch = mkdtempSync(path.join(tmpdir(), "lathe-nbrun-"));
  try {
    // The notebook's own word on its language lets a bad --param fail before Jupyter is asked anything.
    let language = nb.metadata?.kernelspec?.language ?? nb.metadata?.language_info?.name;
    const runId = RunStore.newId();
    const prepare = () => {
      try {
        return prepareNotebook(nb, { language: language ?? "", params, runId, file });
      } catch (e) {
        if (e instanceof NotebookParamError) return fail(e.code, e.message, exitCodes.usage);
        throw e;
      }
    };
    let prepared = language === undefined ? undefined : prepare();
    if (typeof prepared === "number") return prepared;
    const check = await runner(scratch, { mode: "check", kernel });
    if (check.status !== "ok") return kernelProblem(check, kernel, nb);
    if (!prepared) {
      language = check.language ?? "";
      prepared = prepare();
      if (typeof prepared === "number") return prepared;
    }

    const store = new RunStore(path.resolve(opts.store));
    if (prepared.warning) process.stderr.write(`lathe: warning[no-parameters-cell]: ${prepared.warning}\n`);
    const output = opts.output ?? file.replace(/(\.ipynb)?$/, ".run.ipynb");
    writeFileSync(output, JSON.stringify(prepared.notebook, null, 1) + "\n");

    const { versions } = await import("../api/session.js");
    const program = prepared.programText;
    const recorder = store.begin(
      {
        id: runId,
        startedAt: new Date().toISOString(),
        programPath: path.resolve(file),
        programText: program,
        programSha: createHash("sha256").update(program).digest("hex"),
        params,
        seed: typeof params.seed === "number" ? params.seed : null,
        versions: versions(),
        data: {},
      },
      { notebook: path.resolve(file), kernel, language, cells: prepared.notebook.cells.length },
    );
    // The kernel continues the journal; this process ends it once the kernel is gone.
    recorder.detach();
    const env = { ...process.env, ...notebookRunEnv({ store: store.root, runId, params: language === "lathe" ? params : undefined }) };
    const result = await runner(scratch, { mode: "execute", kernel, notebook: output, output, run_id: runId, timeout: Number(opts.timeout), cwd: path.dirname(path.resolve(file)) }, env);

    const { ending, code, message } = outcome(result, file, output, Number(opts.timeout));
    const resumed = store.resume(runId);
    if (existsSync(output)) resumed.sink.putArtifact(path.basename(output), "notebook", "ipynb", readFileSync(output));
    resumed.end(ending);
    if (message) process.stderr.write(message);
    process.stdout.write(`${code === exitCodes.ok ? `${file}: every cell ran; executed notebook written to ${output}` : `${file}: executed notebook so far written to ${output}`}\nrun ${runId} recorded in ${store.runsDir} (the executed notebook stored with it)\n`);
    return code;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** How the run ends, the exit code, and what to say, from the runner's result. */
function outcome(r: RunnerResult, file: string, output: string, timeout: number): { ending: RunEnding; code: number; message?: string } {
  const where = `cell ${r.cell ?? "?"} of ${file}`;
  switch (r.status) {
    case "ok":
      return { ending: { status: "succeeded" }, code: exitCodes.ok };
    case "cell-failed": {
      const [errorCode, code] = r.ename === "AssertionFailed" ? ["assert-failed", exitCodes.assertFailed] : r.ename === "DataError" ? ["data-error", exitCodes.dataError] : r.ename === "KeyboardInterrupt" ? ["interrupted", exitCodes.interrupted] : ["cell-failed", exitCodes.programErrors];
      const error = `${where} failed (${r.ename}: ${r.evalue})`;
      return { ending: { status: errorCode === "interrupted" ? "interrupted" : "failed", error, errorCode }, code, message: `${r.message}\nlathe: ${error}; the notebook up to it is in ${output}\n` };
    }
    case "cell-timeout":
      return { ending: { status: "failed", error: `${where} ran longer than ${timeout} s`, errorCode: "cell-timeout" }, code: exitCodes.programErrors, message: `lathe: error[cell-timeout]: ${where} ran longer than --timeout ${timeout} s; the notebook up to it is in ${output}\n` };
    case "interrupted":
      return { ending: { status: "interrupted", errorCode: "interrupted" }, code: signalExitCode(stopSignal), message: `lathe: interrupted; the notebook up to then is in ${output}\n` };
    case "kernel-died":
      return { ending: { status: "failed", error: r.message, errorCode: "kernel-died" }, code: exitCodes.programErrors, message: `lathe: error[kernel-died]: the kernel died while running ${file} (${r.message}); the notebook up to then is in ${output}\n` };
    case "kernel-failed-to-start":
      return { ending: { status: "failed", error: r.message, errorCode: "kernel-failed-to-start" }, code: exitCodes.usage, message: `lathe: error[kernel-failed-to-start]: the kernel did not start: ${r.message}\n` };
    default:
      return { ending: { status: "failed", error: r.message, errorCode: "internal-error" }, code: exitCodes.internal, message: `lathe: could not run ${file}: ${r.message ?? r.status}\n` };
  }
}

/** A kernel Jupyter cannot find or start, said with how to fix it (exit 2). */
function kernelProblem(r: RunnerResult, kernel: string, nb: Notebook): number {
  const language = nb.metadata?.kernelspec?.language ?? r.language ?? "";
  const install = language === "lathe" ? "npx lathe kernel install --user" : language === "typescript" || language === "javascript" ? "npx lathe kernel install --typescript" : undefined;
  if (r.status === "jupyter-not-installed") return fail(r.status, `running notebooks needs Jupyter's nbclient under ${python} (${r.message}): sudo bash scripts/setup-jupyter.sh`, exitCodes.usage);
  if (r.status === "kernel-not-installed") {
    return fail(r.status, `no Jupyter kernel named "${kernel}" is installed${install ? `; register it with \`${install}\`` : "; install it, or name another with --kernel"}`, exitCodes.usage);
  }
  const exe = r.argv?.[0] ?? "";
  return fail(r.status, `the kernel "${kernel}" cannot start: its command ${JSON.stringify(exe)} (${r.dir}/kernel.json) is not an executable file${path.isAbsolute(exe) ? "" : " nor on PATH"}${install ? `; register it again with \`${install}\`, which writes absolute paths` : ""}`, exitCodes.usage);
}

function fail(code: string, message: string, exit: number): number {
  process.stderr.write(`lathe: error[${code}]: ${message}\n`);
  return exit;
}

/**
 * Runs the Python side and reads its result. Its stderr (the kernel's, nbclient's) is shown only
 * when there is no result. SIGINT and SIGTERM go to it once, as SIGINT, so it stops the kernel and
 * writes the notebook so far; it runs in its own process group so a terminal's Ctrl-C reaches it
 * only through this process.
 */
let stopSignal: NodeJS.Signals | undefined;

async function runner(scratch: string, args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Promise<RunnerResult> {
  const resultFile = path.join(scratch, `${String(args.mode)}.json`);
  rmSync(resultFile, { force: true });
  const child = spawn(python, ["-c", runnerScript, JSON.stringify({ ...args, result: resultFile })], { stdio: ["ignore", "ignore", "pipe"], env, detached: true });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-100_000)));
  const forward = (signal: NodeJS.Signals) => {
    stopSignal ??= signal;
    child.kill("SIGINT");
  };
  process.on("SIGINT", forward).on("SIGTERM", forward);
  try {
    const status = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", (c) => resolve(c)));
    if (existsSync(resultFile)) return JSON.parse(readFileSync(resultFile, "utf8")) as RunnerResult;
    return { status: "error", message: `the Jupyter runner exited ${status} without a result:\n${stderr.trim()}` };
  } finally {
    process.off("SIGINT", forward).off("SIGTERM", forward);
  }
}
