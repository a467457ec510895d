import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";

// Bad training input gets a clear error naming the column or the split, never a crash.
describe("Executor: bad training input", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  const data = `source d = sql "select i::double as x, case when i = 3 then 'nan'::double when i = 5 then 'infinity'::double else i * 2.0 end as y, case when i = 7 then null else i / 2.0 end as z, (i % 2)::varchar as label, 'same' as one, case when i = 9 then null else i end::integer as w, case when i = 11 then 1e300 else i end::double as big from range(40) t(i)"`;

  async function run(body: string) {
    const s = await Session.open({ record: false });
    sessions.push(s);
    return s.run(`${data}\n${body}`);
  }

  it("NaN and Infinity in a feature", async () => {
    const r = await run(`model m = logistic_regression predicting label from d { features: x, y }`);
    expect(r.error).toMatchObject({ kind: "data" });
    expect(r.error!.message).toBe("feature `y` has 2 NaN or infinite values in `d`");
  });

  it("missing values in a feature, with the fix", async () => {
    const r = await run(`model m = logistic_regression predicting label from d { features: x, z }`);
    expect(r.error?.message).toBe("feature `z` has 1 missing values in `d`; fill them in a prepare step (`fill z with median`) or drop those rows (decision_tree, random_forest and gradient_boosting take missing values as they are)");
  });

  // Numeric columns are checked in the values read: an integer's NULL reads as NaN.
  it("missing values in an integer feature, after a clean one", async () => {
    const r = await run(`model m = logistic_regression predicting label from d { features: x, w }`);
    expect(r.error?.message).toBe("feature `w` has 1 missing values in `d`; fill them in a prepare step (`fill w with median`) or drop those rows (decision_tree, random_forest and gradient_boosting take missing values as they are)");
  });

  it("a DOUBLE beyond a 32-bit float's range", async () => {
    const r = await run(`model m = logistic_regression predicting label from d { features: x, big }`);
    expect(r.error).toMatchObject({ kind: "data" });
    expect(r.error?.message).toBe("feature `big` has values beyond a 32-bit float's range (±3.4e38) in `d`; scale it in a prepare step");
  });

  it("a label with one class", async () => {
    const r = await run(`model m = logistic_regression predicting one from d { features: x }`);
    expect(r.error?.message).toMatch(/the target `one` has only one class \(same\) in `d`; a classifier needs at least two/);
  });

  it("an empty training split", async () => {
    const r = await run(`prepare none = d { keep rows where x < 0 }
split none into train 80%, test 20% seed 1
model m = random_forest predicting label from train { features: x }`);
    expect(r.error?.message).toBe("the training part `train` of the split is empty");
  });

  it("a text feature is refused before anything runs", async () => {
    const r = await run(`model m = random_forest predicting label from d { features: x, one }`);
    expect(r.output).toBeUndefined();
    expect(r.diagnostics).toMatchObject([{ code: "type-mismatch", message: expect.stringContaining("feature `one` is string") }]);
  });
});

// DuckDB running out of the memory LATHE_MEMORY_LIMIT gives it is the user's limit to raise, not a crash.
describe("Executor: out of memory", () => {
  it("is a coded error on the statement, with what to change", async () => {
    const before = process.env.LATHE_MEMORY_LIMIT;
    process.env.LATHE_MEMORY_LIMIT = "8MB";
    let s: Session | undefined;
    try {
      s = await Session.open({ record: false });
      // string_agg holds its whole result in memory: it cannot spill.
      const r = await s.run(`source d = sql "select string_agg(md5(i::varchar), ',') as x from range(1000000) t(i)"\nshow d`);
      expect(r.error).toMatchObject({ kind: "data", code: "out-of-memory" });
      expect(r.error!.message).toMatch(/^DuckDB ran out of memory \(.*\); raise LATHE_MEMORY_LIMIT/);
    } finally {
      if (before === undefined) delete process.env.LATHE_MEMORY_LIMIT;
      else process.env.LATHE_MEMORY_LIMIT = before;
      s?.close();
    }
  });
});
