import { totalmem } from "node:os";
import { describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { overBudget, parseBytes, trainMemoryBudget, trainingBytes } from "../../runtime/train-budget.js";

describe("the training memory budget", () => {
  it("is LATHE_TRAIN_MEMORY, else half of LATHE_MEMORY_LIMIT, else a quarter of physical memory", () => {
    expect(trainMemoryBudget({ LATHE_TRAIN_MEMORY: "512MB", LATHE_MEMORY_LIMIT: "8GB" })).toBe(512e6);
    expect(trainMemoryBudget({ LATHE_MEMORY_LIMIT: "2GiB" })).toBe(2 ** 30);
    expect(trainMemoryBudget({})).toBe(totalmem() / 4);
  });

  it("streams when the float32 columns and the target are over it", () => {
    expect(trainingBytes(1000, 9)).toBe(40_000);
    expect(overBudget(1000, 9, 40_000)).toBe(false);
    expect(overBudget(1001, 9, 40_000)).toBe(true);
  });

  it("reads sizes as DuckDB does, and refuses anything else with a coded error", () => {
    expect(parseBytes("64KB", "X")).toBe(64_000);
    expect(parseBytes(" 1.5 gb ", "X")).toBe(1.5e9);
    expect(parseBytes("3MiB", "X")).toBe(3 * 2 ** 20);
    expect(parseBytes("2G", "X")).toBe(2e9);
    expect(parseBytes("1000", "X")).toBe(1000);
    expect(parseBytes("50%", "X")).toBe(totalmem() / 2);
    for (const bad of ["", "lots", "-1GB", "0MB", "5 parsecs"]) expect(() => parseBytes(bad, "LATHE_TRAIN_MEMORY")).toThrow(expect.objectContaining({ code: "invalid-memory-setting", message: expect.stringContaining("LATHE_TRAIN_MEMORY") }));
  });
});

describe("a training budget that is not a size", () => {
  it("fails the train step with a coded error, not an internal one", async () => {
    const before = process.env.LATHE_TRAIN_MEMORY;
    process.env.LATHE_TRAIN_MEMORY = "plenty";
    const s = await Session.open({ record: false });
    try {
      const r = await s.run(`source d = sql "select i::double as x, (i % 2)::varchar as y from range(20) t(i)"\nmodel m = logistic_regression predicting y from d { features: x }`);
      expect(r.error).toMatchObject({ kind: "data", code: "invalid-memory-setting" });
    } finally {
      if (before === undefined) delete process.env.LATHE_TRAIN_MEMORY;
      else process.env.LATHE_TRAIN_MEMORY = before;
      s.close();
    }
  });
});
