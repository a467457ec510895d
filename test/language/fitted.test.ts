import { describe, expect, it } from "vitest";
import { isFitted } from "../../language/fitted.js";
import { parse } from "../../language/parse.js";
import { isFitted as runtimeIsFitted } from "../../runtime/data/steps.js";

/** The steps of `prepare p = d { ... }`, with whether each learns from data. */
const cases: [string, boolean][] = [
  ["fill a with median", true],
  ["fill a with mean", true],
  ["fill a with mode", true],
  ["fill a with 0", false],
  ["fill a with 'none'", false],
  ["onehot a", true],
  ["scale a", true],
  ["scale a minmax", true],
  ["bucket a into 4", true],
  ["drop rows where a > 1", false],
  ["keep rows where a > 1", false],
  ["drop duplicates", false],
  ["drop columns a", false],
  ["keep columns a", false],
  ["replace a 'x' -> 'y'", false],
  ["clip a between 0 and 1", false],
  ["derive b = a * 2", false],
  ["cast a as number", false],
  ["trim a", false],
  ["rename a to b", false],
];

describe("isFitted: the one learns-from-data rule", () => {
  it.each(cases)("%s → %s, for the checker and the runtime alike", (text, fitted) => {
    const s = parse(`prepare p = d { ${text} }`).program.statements[0];
    if (s?.kind !== "prepare") throw new Error("no prepare");
    expect(isFitted(s.steps[0])).toBe(fitted);
    expect(runtimeIsFitted(s.steps[0])).toBe(fitted);
  });
});
