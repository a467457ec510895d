import { describe, expect, it } from "vitest";
import { CURRENT_SESSION, globToRegExp, History } from "../../../kernel/jupyter/history.js";

function filled(): History {
  const h = new History();
  const inputs = ["print a", "42", "print b", "42", "show x"];
  inputs.forEach((input, i) => h.add(i + 1, input));
  h.setOutput(2, "42");
  h.setOutput(4, "42");
  return h;
}

describe("History", () => {
  it("tails the last n inputs, oldest first", () => {
    expect(filled().query({ hist_access_type: "tail", n: 2 })).toEqual([
      [CURRENT_SESSION, 4, "42"],
      [CURRENT_SESSION, 5, "show x"],
    ]);
    expect(filled().query({ hist_access_type: "tail", n: 0 })).toEqual([]);
  });

  it("includes outputs as [input, output] pairs when asked", () => {
    expect(filled().query({ hist_access_type: "tail", n: 2, output: true })).toEqual([
      [CURRENT_SESSION, 4, ["42", "42"]],
      [CURRENT_SESSION, 5, ["show x", null]],
    ]);
  });

  it("returns a range of lines [start, stop) of the current session only", () => {
    const h = filled();
    expect(h.query({ hist_access_type: "range", session: CURRENT_SESSION, start: 2, stop: 4 }).map((r) => r[1])).toEqual([2, 3]);
    expect(h.query({ hist_access_type: "range", session: 0, start: 4 }).map((r) => r[1])).toEqual([4, 5]);
    expect(h.query({ hist_access_type: "range", session: -1, start: 1, stop: 9 })).toEqual([]);
  });

  it("searches with glob patterns, optionally unique and limited to the last n", () => {
    const h = filled();
    expect(h.query({ hist_access_type: "search", pattern: "print*" }).map((r) => r[2])).toEqual(["print a", "print b"]);
    expect(h.query({ hist_access_type: "search", pattern: "4?" }).map((r) => r[1])).toEqual([2, 4]);
    expect(h.query({ hist_access_type: "search", pattern: "4?", unique: true }).map((r) => r[1])).toEqual([4]);
    expect(h.query({ hist_access_type: "search", pattern: "*", n: 2 }).map((r) => r[1])).toEqual([4, 5]);
  });

  it("answers unknown access types with nothing", () => {
    expect(filled().query({ hist_access_type: "everything" })).toEqual([]);
  });
});

describe("globToRegExp", () => {
  it.each([
    ["print*", "print a\nb", true],
    ["print*", "xprint", false],
    ["?2", "42", true],
    ["?2", "422", false],
    ["[ab]*", "b1", true],
    ["[^ab]*", "b1", false],
    ["a.b", "a.b", true],
    ["a.b", "axb", false],
    ["(x)+", "(x)+", true],
    ["[", "[", true],
  ])("%s matches %j: %s", (glob, input, expected) => {
    expect(globToRegExp(glob).test(input)).toBe(expected);
  });
});
