import { describe, expect, it } from "vitest";
import { castType, castTypeNames, chartSpec, charts, inRange, metricNames, metricSpec, rangeText, scheduleUnitNames, scheduleUnits } from "../../language/catalog.js";

describe("catalog", () => {
  it("ranges: closed and open ends, in words", () => {
    const dropout = { min: 0, max: 1, maxOpen: true };
    expect([-0.1, 0, 0.5, 1].map((v) => inRange(v, dropout))).toEqual([false, true, true, false]);
    expect(inRange(Number.NaN, { min: 0 })).toBe(false);
    expect(rangeText(dropout)).toBe(">= 0 and < 1");
    expect(rangeText({ min: 0, minOpen: true })).toBe("> 0");
  });

  it("cast types: one list, aliases resolved, any case", () => {
    expect(castTypeNames).toEqual(["number", "integer", "string", "boolean", "date", "timestamp"]);
    expect(castType("INT")).toMatchObject({ type: "number", sql: "BIGINT" });
    expect(castType("constructor")).toBeUndefined();
  });

  it("schedule units: singular names, plural forms, no inherited ones", () => {
    expect(scheduleUnitNames).toEqual(["hour", "day", "week", "month"]);
    expect(scheduleUnits.days).toBe(86400);
    expect(Object.keys(scheduleUnits)).toHaveLength(8);
    expect(scheduleUnits.constructor).toBeUndefined();
  });

  it("charts and metrics: what each needs", () => {
    expect(Object.keys(charts).filter((c) => chartSpec(c)!.task === "classification")).toEqual(["confusion", "roc", "pr"]);
    expect(Object.keys(charts).filter((c) => charts[c].needs === "model" && !charts[c].needsData)).toEqual(["importance", "loss"]);
    expect(metricNames("classification").filter((m) => metricSpec(m)!.needsProba)).toEqual(["roc_auc", "log_loss"]);
    expect(metricSpec("toString")).toBeUndefined();
  });
});
