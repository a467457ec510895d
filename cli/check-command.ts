import { readFileSync } from "node:fs";
import { Session } from "../api/session.js";
import { exitCodes, parseParams } from "./exit-codes.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** `lathe check`: checks a program against its sources' schemas without running it; returns the exit code. */
export async function checkCommand(file: string, opts: { json: boolean; param: string[] }): Promise<number> {
  const session = await Session.open({ record: false });
  try {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      process.stderr.write(`lathe: cannot read ${file}: no such file\n`);
      return exitCodes.dataError;
    }
    const { diagnostics } = await session.check(text, { file, params: parseParams(opts.param) });
    if (opts.json) process.stdout.write(JSON.stringify({ file, diagnostics }, null, 2) + "\n");
    else printDiagnostics(diagnostics, file, text);
    if (!opts.json && !diagnostics.length) process.stdout.write(`${file}: ok\n`);
    return diagnostics.some((d) => d.severity === "error") ? exitCodes.programErrors : exitCodes.ok;
  } finally {
    session.close();
  }
}
