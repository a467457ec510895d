import { writeFileSync } from "node:fs";
import { formatDiagnostic } from "../language/diagnostic.js";
import { format } from "../language/format.js";
import { exitCodes } from "./exit-codes.js";
import { readProgramFile, type ProgramSource } from "./program-source.js";

export interface FmtOptions {
  /** Rewrite the file in place instead of printing the formatted text. */
  write?: boolean;
  /** Print nothing; exit 1 when the file is not already formatted (for CI). */
  check?: boolean;
}

/**
 * `lathe fmt FILE|- [--write | --check]`: prints the canonical formatting of a program. A file with
 * syntax errors is refused (its diagnostics are printed, exit 1), since the formatter prints from
 * the AST and recovery may have dropped parts of it. `source` is a path, or a program already read
 * (standard input, which `--write` cannot rewrite). Returns the exit code.
 */
export function fmtCommand(source: string | ProgramSource | { error: string }, opts: FmtOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  const read = typeof source === "string" ? readProgramFile(source) : source;
  if ("error" in read) {
    err.write(`lathe: ${read.error}\n`);
    return exitCodes.usage;
  }
  if (opts.write && read.stdin) {
    err.write("lathe: fmt --write rewrites a file; a program on standard input is printed formatted (drop --write)\n");
    return exitCodes.usage;
  }
  const { file, text } = read;
  const result = format(text);
  if (result.text === undefined) {
    for (const d of result.diagnostics) err.write(formatDiagnostic(d, file, text) + "\n\n");
    err.write(`lathe fmt: ${file} has syntax errors; not formatted\n`);
    return 1;
  }
  if (opts.check) {
    if (result.text === text) return 0;
    err.write(read.stdin ? `${file}: not formatted\n` : `${file}: not formatted (run \`lathe fmt --write ${file}\`)\n`);
    return 1;
  }
  if (opts.write) {
    if (result.text !== text) writeFileSync(file, result.text);
    return 0;
  }
  out.write(result.text);
  return 0;
}
