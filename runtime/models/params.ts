import type { ParamValue } from "./types.js";
import { OptionError } from "../errors.js";

/** A numeric option, falling back to the default when absent; rejects anything non-finite. */
export function numberParam(params: Record<string, ParamValue>, key: string, fallback: number): number {
  const v = params[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new OptionError(`option ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** A string option restricted to the allowed values. */
export function choiceParam<T extends string>(
  params: Record<string, ParamValue>,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = params[key] ?? fallback;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new OptionError(`option ${key} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** A boolean option. */
export function booleanParam(params: Record<string, ParamValue>, key: string, fallback: boolean): boolean {
  const v = params[key] ?? fallback;
  if (typeof v !== "boolean") throw new OptionError(`option ${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A list of positive integers (layer sizes). */
export function sizesParam(params: Record<string, ParamValue>, key: string, fallback: number[]): number[] {
  const v = params[key] ?? fallback;
  if (typeof v === "number") return sizesParam({ [key]: [v] }, key, fallback);
  if (!Array.isArray(v) || v.some((s) => typeof s !== "number" || !Number.isInteger(s) || s < 1)) {
    throw new OptionError(`option ${key} must be a list of positive integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}
