import type { Span } from "../language/diagnostic.js";

/**
 * Errors a user can cause and fix: bad data, a bad option, a name that does not exist at run time.
 * They carry a kebab-case code (as checker diagnostics do) and are reported without a stack trace;
 * anything else that escapes a step is an internal error (exit 70).
 */
export class DataError extends Error {
  override name = "DataError";
  constructor(
    message: string,
    readonly file?: string,
    readonly code: string = "data-error",
  ) {
    super(message);
  }
}

/** A learner option outside what the learner accepts (the checker catches most of these first). */
export class OptionError extends DataError {
  override name = "OptionError";
  constructor(message: string) {
    super(message, undefined, "invalid-option");
  }
}

/**
 * A user error raised while a step ran, tied to the statement the step came from, so it prints like
 * a checker diagnostic (`file:line:col: error[code]` and a caret).
 */
export class StepError extends DataError {
  override name = "StepError";
  constructor(
    message: string,
    code: string,
    readonly span: Span | undefined,
    readonly stepId: string,
    file?: string,
  ) {
    super(message, file, code);
  }
}

/** An interrupted run (Ctrl-C, SIGTERM, a kernel interrupt). */
export function abortError(): Error {
  const e = new Error("run interrupted");
  e.name = "AbortError";
  return e;
}

/** A DuckDB query stopped by `interrupt()` (the message DuckDB gives it). */
export function isDuckDBInterrupt(e: unknown): boolean {
  return /^INTERRUPT Error/.test((e as Error)?.message ?? "");
}

/** DuckDB errors that come from the user's data or SQL rather than from Lathe. */
export function isDuckDBUserError(e: unknown): boolean {
  return /^(Binder|Conversion|Invalid Input|Parser|Catalog|IO|Out of Range|Constraint|Permission) Error/.test((e as Error)?.message ?? "");
}

/**
 * DuckDB running out of the memory it was given (LATHE_MEMORY_LIMIT) is a limit the user set or the
 * machine has, not a bug: a coded error saying what to change, without DuckDB's SQL tuning advice.
 */
export function duckDBMemoryError(e: unknown): DataError | undefined {
  const message = (e as Error)?.message ?? "";
  if (!/^Out of Memory Error/.test(message)) return undefined;
  const first = message.split("\n")[0].replace(/^Out of Memory Error: /, "");
  return new DataError(`DuckDB ran out of memory (${first}); raise LATHE_MEMORY_LIMIT or give LATHE_TEMP_DIR a disk with room to spill`, undefined, "out-of-memory");
}

/** DuckDB messages carry internal hints (LINE 1: with the whole generated SQL); keep what matters to a user. */
export function cleanDuckDBMessage(message: string): string {
  return message
    .split("\n")
    .filter((l) => !/^\s*(LINE \d+:|\^)/.test(l))
    .join("\n")
    .trim();
}
