import { readFileSync, writeFileSync } from "node:fs";
import { formatDiagnostic } from "../language/diagnostic.js";
import { format } from "../language/format.js";

export interface FmtOptions {
  /** Rewrite the file in place instead of printing the formatted text. */
  write?: boolean;
  /** Print nothing; exit 1 when the file is not already formatted (for CI). */
  check?: boolean;
}

/**
 * `lathe fmt file [--write | --check]`: prints the canonical formatting of a program. A file with
 * syntax errors is refused (its diagnostics are printed, exit 1), since the formatter prints from
 * the AST and recovery may have dropped parts of it. Returns the exit code.
 */
export function fmtCommand(file: string, opts: FmtOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    err.write(`lathe: cannot read ${file}: no such file\n`);
    return 4;
  }
  const result = format(text);
  if (result.text === undefined) {
    for (const d of result.diagnostics) err.write(formatDiagnostic(d, file, text) + "\n\n");
    err.write(`lathe fmt: ${file} has syntax errors; not formatted\n`);
    return 1;
  }
  if (opts.check) {
    if (result.text === text) return 0;
    err.write(`${file}: not formatted (run \`lathe fmt --write ${file}\`)\n`);
    return 1;
  }
  if (opts.write) {
    if (result.text !== text) writeFileSync(file, result.text);
    return 0;
  }
  out.write(result.text);
  return 0;
}
