import { describe, expect, it } from "vitest";
import { chartThreadWanted, mayDraw } from "../../cli/run-command.js";

describe("mayDraw", () => {
  it("starts the chart thread ahead for a program that plots for the record or to an image, or monitors", () => {
    expect(mayDraw("plot confusion of m on test\n", true)).toBe(true);
    expect(mayDraw("plot confusion of m on test\n", false)).toBe(false);
    expect(mayDraw('plot confusion of m on test to "out/m.png"\n', false)).toBe(true);
    expect(mayDraw('plot confusion of m on test to "out/m.vl.json"\n', false)).toBe(false);
    expect(mayDraw('monitor "species" { drift on x }\n', false)).toBe(true);
    // A name that only contains the word is no plot.
    expect(mayDraw("source plots = read \"p.csv\"\nshow plots\n", true)).toBe(false);
  });
});

describe("chartThreadWanted", () => {
  it("starts a chart thread when a core is likely spare, or as LATHE_CHART_THREAD says", () => {
    expect(chartThreadWanted({}, 0.3, 2)).toBe(true);
    expect(chartThreadWanted({}, 1.0, 2)).toBe(true);
    expect(chartThreadWanted({}, 1.6, 2)).toBe(false);
    expect(chartThreadWanted({}, 0, 1)).toBe(false);
    expect(chartThreadWanted({}, 6.5, 8)).toBe(true);
    expect(chartThreadWanted({ LATHE_CHART_THREAD: "on" }, 12, 2)).toBe(true);
    expect(chartThreadWanted({ LATHE_CHART_THREAD: "off" }, 0, 8)).toBe(false);
  });
});
