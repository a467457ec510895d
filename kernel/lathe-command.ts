import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CellError, type ExecuteContext } from "./jupyter/backend.js";

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
  for (const args of commandLines(code)) {
    const exit = await new Promise<number | string>((resolve, reject) => {
      const child = spawn(process.execPath, [latheBin, ...args], { cwd: process.cwd(), env: { ...process.env, LATHE_STORE: storeRoot }, stdio: ["ignore", "pipe", "pipe"] });
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
    if (ctx.signal?.aborted) throw new CellError("KeyboardInterrupt", `\`lathe ${args.join(" ")}\` was interrupted`);
    if (exit !== 0) throw new CellError("LatheCommandFailed", `\`lathe ${args.join(" ")}\` exited with ${exit}`);
  }
}
