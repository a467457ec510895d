import { exitCodes, parseParams } from "./exit-codes.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { readProgram } from "./program-source.js";

/** `lathe check FILE|-`: checks a program against its sources' schemas without running it; returns the exit code. */
export async function checkCommand(path: string, opts: { json: boolean; param: string[] }): Promise<number> {
  const params = parseParams(opts.param);
  const source = await readProgram(path);
  if ("error" in source) {
    process.stderr.write(`lathe: ${source.error}\n`);
    return exitCodes.usage;
  }
  const { file, text } = source;
  // Loaded once the program is read: a wrong path answers at once, without DuckDB.
  const { Session } = await import("../api/session.js");
  const session = await Session.open({ record: false });
  try {
    const { diagnostics } = await session.check(text, { file, params });
    if (opts.json) process.stdout.write(JSON.stringify({ file, diagnostics }, null, 2) + "\n");
    else printDiagnostics(diagnostics, file, text);
    if (!opts.json && !diagnostics.length) process.stdout.write(`${file}: ok\n`);
    return diagnostics.some((d) => d.severity === "error") ? exitCodes.programErrors : exitCodes.ok;
  } finally {
    session.close();
  }
}
