import { CommanderError } from "./commander.js";
import type { LiteralValue } from "../language/ast.js";
import { isIdentifier } from "../language/identifier.js";

/** Exit codes CI can trust. 74 (sysexits EX_IOERR): the run store could not be written or read (full disk, damaged store). 143: stopped by SIGTERM. */
export const exitCodes = { ok: 0, programErrors: 1, usage: 2, assertFailed: 3, dataError: 4, notReproduced: 5, internal: 70, storeError: 74, interrupted: 130, terminated: 143 } as const;

/** The exit code of a process stopped by a signal: 143 for SIGTERM, 130 for Ctrl-C (or no signal known). */
export function signalExitCode(signal: NodeJS.Signals | undefined): number {
  return signal === "SIGTERM" ? exitCodes.terminated : exitCodes.interrupted;
}

/**
 * A usage error, said on stderr as it is made: commander prints its own usage errors before
 * throwing, but `main` only sets the exit code for the ones Lathe throws, so without this the
 * user would get exit 2 and no word why.
 */
export function usageError(message: string): CommanderError {
  process.stderr.write(`lathe: ${message}\n`);
  return new CommanderError(exitCodes.usage, "lathe.usage", message);
}

/** `--param name=value` flags as param values: numbers and booleans where they parse, else text. */
export function parseParams(values: string[]): Record<string, LiteralValue> {
  const out: Record<string, LiteralValue> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq < 0) throw usageError(`--param takes name=value (for example --param seed=7), got ${JSON.stringify(v)}: give ${JSON.stringify(v)} a value`);
    const name = v.slice(0, eq).trim();
    if (!name) throw usageError(`--param takes name=value (for example --param seed=7), got ${JSON.stringify(v)}: the name before \`=\` is missing`);
    if (!isIdentifier(name)) throw usageError(`--param ${JSON.stringify(name)} is not a param name (letters, digits and _, not starting with a digit)`);
    const raw = v.slice(eq + 1);
    out[name] = raw === "true" ? true : raw === "false" ? false : raw.trim() !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** `lathe run --tag key=value` flags (repeatable) as the run's tags. */
export function parseTags(values: string[]): Record<string, string> {
  return Object.fromEntries(tagPairs(values, false).map((t) => [t.key, t.value ?? ""]));
}

/** `--tag key=value` flags; with `keyOnly`, `--tag key` too (`runs list`: runs that have the tag, whatever its value). */
export function tagPairs(values: string[], keyOnly: boolean): { key: string; value?: string }[] {
  return values.map((v) => {
    const eq = v.indexOf("=");
    if (eq < 0 && !keyOnly) throw usageError(`--tag takes key=value (for example --tag team=vision), got ${JSON.stringify(v)}`);
    const key = (eq < 0 ? v : v.slice(0, eq)).trim();
    if (!/^[A-Za-z0-9_.:/-]+$/.test(key)) throw usageError(`--tag ${JSON.stringify(v)}: a tag's key is letters, digits and _ . : / - (before the \`=\`)`);
    return eq < 0 ? { key } : { key, value: v.slice(eq + 1) };
  });
}
