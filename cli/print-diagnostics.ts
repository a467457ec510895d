import { formatDiagnostic, type Diagnostic } from "../language/diagnostic.js";

/** Diagnostics to stderr, each with its source line and caret, then a count. */
export function printDiagnostics(ds: Diagnostic[], file: string, text: string): void {
  for (const d of ds) process.stderr.write(formatDiagnostic(d, file, text) + "\n\n");
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  if (ds.length) process.stderr.write(`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`);
}
