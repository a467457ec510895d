import { describe, expect, it } from "vitest";
import { progressBar, ProgressThrottle } from "../../cli/progress.js";

describe("progressBar", () => {
  it("draws the share done, the unit and the losses", () => {
    expect(progressBar("[4/6] train m", { step: 30, total: 120, unit: "epoch", loss: 0.5, valLoss: 0.625 }, 8)).toBe("[4/6] train m ██░░░░░░  25% epoch 30/120 loss 0.5000 val 0.6250");
    expect(progressBar("t", { step: 100, total: 100, unit: "tree" }, 4)).toBe("t ████ 100% tree 100/100");
  });
});

describe("ProgressThrottle", () => {
  it("on a terminal redraws at most every 100 ms, and always the last update", () => {
    const t = new ProgressThrottle(true);
    t.reset(0);
    expect(t.shouldDraw(1, 10, 1000)).toBe(true);
    expect(t.shouldDraw(2, 10, 1050)).toBe(false);
    expect(t.shouldDraw(3, 10, 1101)).toBe(true);
    expect(t.shouldDraw(10, 10, 1102)).toBe(true);
  });

  it("in a log prints once per tenth, only for steps running two seconds or more", () => {
    const t = new ProgressThrottle(false);
    t.reset(0);
    expect(t.shouldDraw(50, 100, 1000)).toBe(false);
    expect(t.shouldDraw(51, 100, 2500)).toBe(true);
    expect(t.shouldDraw(55, 100, 2600)).toBe(false);
    expect(t.shouldDraw(60, 100, 2700)).toBe(true);
    expect(t.shouldDraw(100, 100, 2800)).toBe(true);
  });
});
