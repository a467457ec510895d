import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { outputFormatOf } from "../language/catalog.js";
import { exitCodes, usageError } from "./exit-codes.js";

/** A Lathe string literal holding `s` exactly. */
function text(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * `lathe predict NAME[@alias] --input FILE [--output FILE] [--version N]`: scores a file's rows with a
 * registered model (its own preparation applied) — the batch scoring of `deploy ... batch`, as a
 * command. Without --output the rows come out on stdout as JSON lines.
 */
export async function predictCommand(ref: string, opts: { input: string; output?: string; version?: string; store: string }): Promise<number> {
  const version = opts.version === undefined ? undefined : Number(opts.version);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) throw usageError(`--version takes a whole number from 1, got ${JSON.stringify(opts.version)}`);
  if (opts.output && !outputFormatOf(opts.output)) throw usageError(`cannot tell the format to write from ${JSON.stringify(opts.output)}: end it in .parquet, .csv, .tsv, .json, .ndjson or .jsonl`);
  const scratch = opts.output ? undefined : mkdtempSync(path.join(tmpdir(), "lathe-predict-"));
  const output = opts.output ? path.resolve(opts.output) : path.join(scratch!, "predictions.ndjson");
  const program = `source input = read ${text(path.resolve(opts.input))}\ndeploy ${text(ref)}${version !== undefined ? ` version ${version}` : ""} batch from input to ${text(output)}\n`;
  const { Session } = await import("../api/session.js");
  const session = await Session.open({ root: opts.store, record: false, baseDir: process.cwd() });
  try {
    const outcome = await session.run(program);
    const errors = outcome.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) {
      // The program is ours; what went wrong is the user's input or name: say it without the program.
      for (const d of errors) process.stderr.write(`lathe: error[${d.code}]: ${d.message}\n`);
      return exitCodes.dataError;
    }
    if (outcome.error) {
      process.stderr.write(`lathe: ${outcome.error.kind === "internal" ? "internal error: " : outcome.error.code ? `error[${outcome.error.code}]: ` : ""}${outcome.error.message}\n`);
      return outcome.error.kind === "internal" ? exitCodes.internal : outcome.error.kind === "store" ? exitCodes.storeError : exitCodes.dataError;
    }
    const written = outcome.output?.results.find((r) => r.kind === "written");
    if (scratch) process.stdout.write(readFileSync(output, "utf8"));
    else if (written?.kind === "written") process.stdout.write(`${written.rows} rows scored by ${written.model} to ${path.relative(process.cwd(), output) || output}\n`);
    return exitCodes.ok;
  } finally {
    session.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
