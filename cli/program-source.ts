import { readTextFile } from "../runtime/data/file-access.js";

/** A program a command was given: its text and the name its diagnostics use. */
export interface ProgramSource {
  /** The path as given, or `<stdin>`. */
  file: string;
  text: string;
  /** Read from standard input (`-`): relative paths in it resolve from the working directory. */
  stdin: boolean;
}

/** The name diagnostics give a program read from standard input. */
export const stdinName = "<stdin>";

/**
 * Reads the program of `run`, `check`, `fmt` or `explain`: `-` is standard input (grammar.md,
 * "Paths"), anything else a file. A file that cannot be read is the command line's mistake, said
 * with its cause (`no such file`, `permission denied`, `is a directory`) as a coded message.
 */
export async function readProgram(file: string, stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<ProgramSource | { error: string }> {
  if (file !== "-") return readProgramFile(file);
  // A terminal would otherwise wait without a word.
  if (stdin.isTTY) process.stderr.write("lathe: reading the program from standard input (end it with Ctrl-D)\n");
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return { file: stdinName, text: Buffer.concat(chunks).toString("utf8"), stdin: true };
}

/** A program file, read at once (for the synchronous `fmt`). */
export function readProgramFile(file: string): ProgramSource | { error: string } {
  const read = readTextFile(file);
  return "error" in read ? { error: `error[${read.code}]: ${read.error}` } : { file, text: read.text, stdin: false };
}
