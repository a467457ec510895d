import { Session } from "../api/session.js";
import { readTextFile } from "../runtime/data/file-access.js";
import { exitCodes, parseParams } from "./exit-codes.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** `lathe check`: checks a program against its sources' schemas without running it; returns the exit code. */
export async function checkCommand(file: string, opts: { json: boolean; param: string[] }): Promise<number> {
  const session = await Session.open({ record: false });
  try {
    const read = readTextFile(file);
    if ("error" in read) {
      process.stderr.write(`lathe: error[${read.code}]: ${read.error}\n`);
      return exitCodes.dataError;
    }
    const text = read.text;
    const { diagnostics } = await session.check(text, { file, params: parseParams(opts.param) });
    if (opts.json) process.stdout.write(JSON.stringify({ file, diagnostics }, null, 2) + "\n");
    else printDiagnostics(diagnostics, file, text);
    if (!opts.json && !diagnostics.length) process.stdout.write(`${file}: ok\n`);
    return diagnostics.some((d) => d.severity === "error") ? exitCodes.programErrors : exitCodes.ok;
  } finally {
    session.close();
  }
}
