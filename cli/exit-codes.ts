import { CommanderError } from "commander";
import type { LiteralValue } from "../language/ast.js";

/** Exit codes CI can trust. */
export const exitCodes = { ok: 0, programErrors: 1, usage: 2, assertFailed: 3, dataError: 4, notReproduced: 5, internal: 70, interrupted: 130 } as const;

/** `--param name=value` flags as param values: numbers and booleans where they parse, else text. */
export function parseParams(values: string[]): Record<string, LiteralValue> {
  const out: Record<string, LiteralValue> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq < 1) throw new CommanderError(exitCodes.usage, "lathe.param", `--param takes name=value, got ${JSON.stringify(v)}`);
    const raw = v.slice(eq + 1);
    out[v.slice(0, eq)] = raw === "true" ? true : raw === "false" ? false : raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}
