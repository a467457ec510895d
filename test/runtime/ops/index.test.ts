import { describe, expect, it } from "vitest";
import { duckdbAlone } from "../../../runtime/ops/index.js";
import type { PlanStep } from "../../../runtime/plan.js";

describe("duckdbAlone", () => {
  const steps = (...ops: string[]) => ops.map((op) => ({ op })) as unknown as PlanStep[];

  it("counts as DuckDB's work alone only plans that read, prepare, split, save and show", () => {
    expect(duckdbAlone(steps("load", "prepare", "split", "save", "show"))).toBe(true);
    for (const op of ["train", "evaluate", "describe", "plot", "deploy", "tune"]) expect(duckdbAlone(steps("load", op))).toBe(false);
  });
});
