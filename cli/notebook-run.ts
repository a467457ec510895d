import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { LiteralValue } from "../language/ast.js";
import { exitCodes, parseParams } from "./exit-codes.js";

/** Debian's interpreter, which has nbclient and nbformat (the `python3` on PATH may not). */
const python = "/usr/bin/python3";

/**
 * Executes a notebook with nbclient, papermill-style: the cell after the one tagged `parameters`
 * (or the first cell, if none is) is a new cell tagged `injected-parameters` that sets the given
 * values — `param k = v` in a Lathe notebook, `const k = v;` in a TypeScript or JavaScript one —
 * and the executed notebook, outputs and all, is written out. A previous injected cell is replaced.
 */
const runner = String.raw`
import json, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

args = json.loads(sys.argv[1])
nb = nbformat.read(args["input"], as_version=4)
nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
if args["source"]:
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0)
    cell = nbformat.v4.new_code_cell(args["source"])
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at, cell)
kernel = args["kernel"] or nb.metadata.get("kernelspec", {}).get("name") or "lathe"
client = NotebookClient(nb, timeout=args["timeout"], kernel_name=kernel, resources={"metadata": {"path": args["cwd"]}})
status = 0
try:
    client.execute()
except CellExecutionError as e:
    status = 1
    sys.stderr.write(str(e).strip() + "\n")
except Exception as e:
    status = 2
    sys.stderr.write(f"{type(e).__name__}: {e}\n")
nbformat.write(nb, args["output"])
sys.exit(status)
`;

/** The injected cell's code for a kernel language. */
export function parameterCell(language: string, params: Record<string, LiteralValue>): string {
  const entries = Object.entries(params);
  if (!entries.length) return "";
  if (language === "lathe") return entries.map(([k, v]) => `param ${k} = ${typeof v === "string" ? JSON.stringify(v) : String(v)}`).join("\n");
  if (language === "typescript" || language === "javascript") return entries.map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`).join("\n");
  throw new Error(`cannot inject parameters into a ${language || "notebook of unknown language"}: Lathe, TypeScript and JavaScript notebooks are supported`);
}

/** `lathe notebook run NB [--param k=v] [--output OUT]`: returns the exit code. */
export async function notebookRunCommand(file: string, opts: { param: string[]; output?: string; kernel?: string; timeout: string }): Promise<number> {
  let language = "";
  try {
    const nb = JSON.parse(readFileSync(file, "utf8")) as { metadata?: { kernelspec?: { language?: string } } };
    language = nb.metadata?.kernelspec?.language ?? "";
  } catch (e) {
    process.stderr.write(`lathe: cannot read ${file} as a notebook: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}\n`);
    return exitCodes.usage;
  }
  if (!existsSync(python)) {
    process.stderr.write(`lathe: running notebooks needs Jupyter's nbclient under ${python} (sudo bash scripts/setup-jupyter.sh)\n`);
    return exitCodes.internal;
  }
  let source: string;
  try {
    source = parameterCell(language, parseParams(opts.param));
  } catch (e) {
    process.stderr.write(`lathe: ${(e as Error).message}\n`);
    return exitCodes.usage;
  }
  const output = opts.output ?? file.replace(/(\.ipynb)?$/, ".run.ipynb");
  const args = { input: file, output, source, kernel: opts.kernel ?? "", timeout: Number(opts.timeout), cwd: path.dirname(path.resolve(file)) };
  const r = spawnSync(python, ["-c", runner, JSON.stringify(args)], { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
  if (r.status === 0) {
    process.stdout.write(`${file}: every cell ran; executed notebook written to ${output}\n`);
    return exitCodes.ok;
  }
  process.stderr.write(r.stderr ?? "");
  process.stderr.write(r.status === 1 ? `lathe: a cell of ${file} failed; the notebook up to it is in ${output}\n` : `lathe: could not run ${file}\n`);
  return r.status === 1 ? exitCodes.programErrors : exitCodes.internal;
}
