import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";

// A model carries its column transforms: every way of scoring it applies what the data has not had.
describe("evaluate applies the model's own preparation", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  // `a` decides the label; the split is a column the data already has.
  const data = `source all = sql "select i, (i * 37 % 1000)::double as a, ((i * 13) % 7)::double as b, case when (i * 37 % 1000) > 500 then 'hi' else 'lo' end as label, case when i % 4 = 0 then 'test' else 'train' end as part from range(400) t(i)"`;

  async function run(body: string) {
    const s = await Session.open({ record: false });
    sessions.push(s);
    return s.run(`${data}\n${body}`);
  }

  it("scales raw test rows with the constants learned on the training rows", async () => {
    const r = await run(`prepare tr = all { keep rows where part = 'train'
  scale a, b standard }
prepare te = all { keep rows where part = 'test' }
model dt = decision_tree predicting label from tr { features: a, b }
evaluate dt on te metrics accuracy
evaluate dt on tr metrics accuracy`);
    expect(r.error).toBeUndefined();
    const [te, tr] = r.output!.results.filter((x) => x.kind === "metrics");
    // Without the model's scaling every raw `a` is far above the tree's threshold: about half right.
    expect(te.kind === "metrics" && te.values.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(tr.kind === "metrics" && tr.values.accuracy).toBe(1);
  });

  it("splits by a column the data already has, fits on its training part and scores the others with those constants", async () => {
    const r = await run(`prepare scaled = all { scale a, b standard }
split scaled into train, test by column part
model dt = decision_tree predicting label from train { features: a, b }
evaluate dt on test metrics accuracy`);
    expect(r.error).toBeUndefined();
    const split = r.output!.results.find((x) => x.kind === "split");
    expect(split).toMatchObject({ parts: [{ name: "train", rows: 300 }, { name: "test", rows: 100 }], unassigned: 0 });
    const m = r.output!.results.find((x) => x.kind === "metrics");
    expect(m?.kind === "metrics" && m.values.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("derives, one-hots and fills the way training did, for rows from another source", async () => {
    const r = await run(`prepare tr = all { keep rows where part = 'train'
  derive tenth = a / 10
  derive c = part
  fill b with median
  onehot c }
model m = logistic_regression predicting label from tr { features: tenth, b, c }
source fresh = sql "select (i * 53 % 1000)::double as a, case when i % 5 = 0 then null else 3.0 end as b, 'new' as part, case when (i * 53 % 1000) > 500 then 'hi' else 'lo' end as label from range(100) t(i)"
evaluate m on fresh metrics accuracy`);
    expect(r.error).toBeUndefined();
    const m = r.output!.results.find((x) => x.kind === "metrics");
    expect(m?.kind === "metrics" && m.values.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("refuses data prepared with constants the model did not learn, naming the step, at the statement", async () => {
    const r = await run(`prepare tr = all { keep rows where part = 'train'
  scale a standard }
prepare te = all { keep rows where part = 'test'
  scale a standard }
model dt = decision_tree predicting label from tr { features: a, b }
evaluate dt on te`);
    expect(r.error?.code).toBe("preparation-mismatch");
    expect(r.error?.message).toMatch(/`te` was prepared with a step that `dt` did not learn \(`scale a standard/);
    expect(r.error?.diagnostic?.span.line).toBe(7);
  });

  it("names the columns a dataset lacks", async () => {
    const r = await run(`prepare tr = all { keep rows where part = 'train'
  scale a standard }
model dt = decision_tree predicting label from tr { features: a, b }
source other = sql "select 1.0 as a, 'hi' as label"
evaluate dt on other`);
    expect(r.error?.code).toBe("missing-columns");
    expect(r.error?.message).toBe("`other` lacks a column the model `dt` reads: `b`");
  });

  it("an empty part is named at the split and a coded error when scored, never a crash", async () => {
    const s = await Session.open({ record: false });
    sessions.push(s);
    const r = await s.run(`source same = sql "select i::double as x, (i % 2)::varchar as y, 'train' as part from range(12) t(i)"
split same into train, test by column part
model m = decision_tree predicting y from train { features: x }
evaluate m on test`);
    const split = r.output?.results.find((x) => x.kind === "split");
    expect(split?.kind === "split" && split.parts).toEqual([{ name: "train", rows: 12 }, { name: "test", rows: 0 }]);
    const { resultSummary } = await import("../../../api/summary.js");
    expect(resultSummary(split)).toBe("train 12, test 0 (empty: test)");
    expect(r.error).toMatchObject({ kind: "data", code: "empty-data", message: "`test` has no rows to evaluate `m` on" });
  });
});
