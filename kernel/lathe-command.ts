import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CellError, type ExecuteContext, type MimeBundle } from "./jupyter/backend.js";

/**
 * The package's `lathe` entry point: two folders up from the compiled kernel (dist/kernel → bin/),
 * one up when this module runs from source (kernel/ → bin/, as under vitest).
 */
const latheBin = ["../../bin/lathe.js", "../bin/lathe.js"].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p)) ?? fileURLToPath(new URL("../../bin/lathe.js", import.meta.url));

/**
 * Whether a cell is a `%lathe` cell: its first line that is not blank or a `#` comment starts
 * with `%lathe`. Such a cell runs `lathe` commands instead of Lathe code.
 */
export function isCommandCell(code: string): boolean {
  const first = code.split("\n").find((l) => l.trim() && !l.trim().startsWith("#"));
  return first !== undefined && /^\s*%lathe(\s|$)/.test(first);
}

/**
 * The commands of a `%lathe` cell, one per line, as argument lists (words split on spaces; `"..."`
 * and `'...'` quote). Blank lines and `#` comments are skipped; any other line is `invalid-command-cell`.
 */
export function commandLines(code: string): string[][] {
  const out: string[][] = [];
  code.split("\n").forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith("#")) return;
    const m = /^%lathe(?:\s+(.*))?$/.exec(t);
    if (!m) throw new CellError("LatheError", `line ${i + 1} of a %lathe cell is not a %lathe command: a cell holds either Lathe code or %lathe lines`, [`error[invalid-command-cell]: line ${i + 1}: ${t}`]);
    const args = splitWords(m[1] ?? "", i + 1);
    if (!args.length) throw new CellError("LatheError", `line ${i + 1}: %lathe needs a command, such as \`%lathe models list\``, [`error[invalid-command-cell]: line ${i + 1}: ${t}`]);
    out.push(args);
  });
  return out;
}

function splitWords(s: string, line: number): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) words.push(m[1] ?? m[2] ?? m[3]);
  if ((s.match(/"/g) ?? []).length % 2 || (s.match(/'/g) ?? []).length % 2) throw new CellError("LatheError", `line ${line}: a quote is not closed`, [`error[invalid-command-cell]: line ${line}: ${s}`]);
  return words;
}

/**
 * Runs each command of a `%lathe` cell as the `lathe` command line would, in a child process (no
 * shell) in the kernel's working directory and on the kernel's run store (`LATHE_STORE`), its
 * output streamed to the cell as it comes. A command that exits non-zero stops the cell with its
 * exit code; an interrupt stops the command (SIGINT) and the cell.
 */
export async function runCommandCell(code: string, storeRoot: string, ctx: ExecuteContext): Promise<void> {
  for (const line of commandLines(code)) {
    // `runs compare --chart M` without --out: the chart is written to a temp file and displayed in the cell.
    const chartDir = line[0] === "runs" && line[1] === "compare" && line.includes("--chart") && !line.includes("--out") ? mkdtempSync(path.join(tmpdir(), "lathe-chart-")) : undefined;
    try {
      const exit = await runCommand(line, { LATHE_STORE: storeRoot, ...(chartDir ? { LATHE_KERNEL_CHART_FILE: path.join(chartDir, "chart.json") } : {}) }, ctx);
      if (ctx.signal?.aborted) throw new CellError("KeyboardInterrupt", `\`lathe ${line.join(" ")}\` was interrupted`);
      if (exit !== 0) throw new CellError("LatheCommandFailed", `\`lathe ${line.join(" ")}\` exited with ${exit}`);
      if (chartDir) await displayChart(path.join(chartDir, "chart.json"), ctx);
    } finally {
      if (chartDir) rmSync(chartDir, { recursive: true, force: true });
    }
  }
}

/** One `lathe` command in a child process, its output streamed to the cell; its exit code (or signal). */
function runCommand(args: string[], env: Record<string, string>, ctx: ExecuteContext): Promise<number | string> {
  return new Promise<number | string>((resolve, reject) => {
    const child = spawn(process.execPath, [latheBin, ...args], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => ctx.silent || ctx.stream("stdout", b.toString()));
    child.stderr.on("data", (b: Buffer) => ctx.silent || ctx.stream("stderr", b.toString()));
    const stop = () => child.kill("SIGINT");
    ctx.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", reject);
    child.on("close", (c, sig) => {
      ctx.signal?.removeEventListener("abort", stop);
      resolve(c ?? sig ?? "unknown");
    });
  });
}

/** Shows a Vega-Lite spec the command wrote as the kernel shows any chart: one bundle of Vega-Lite, SVG, PNG and text. */
async function displayChart(file: string, ctx: ExecuteContext): Promise<void> {
  const { renderBundle } = await import("../runtime/charts/render-bundle.js");
  if (!ctx.silent) ctx.display((await renderBundle(JSON.parse(readFileSync(file, "utf8")))) as unknown as MimeBundle);
}
