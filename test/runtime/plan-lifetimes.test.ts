import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session, type RunOptions } from "../../api/session.js";
import { Database } from "../../runtime/data/database.js";
import { planLifetimes } from "../../runtime/plan-lifetimes.js";
import { planProgram } from "../../runtime/plan.js";
import { tempDir } from "../helpers.js";

// One-shot runs (`lathe run`): what the plan says about each dataset's readers decides how long
// DuckDB holds it, and whether a source is ever a table. Outputs must not change.
const prepareAndSave = `source raw = read "items.csv" with { types: ["day varchar"] }
prepare clean = raw {
  drop duplicates
  fill amount with median
  trim category
  lower category
  cast day as date
  onehot category
  scale amount standard
}
save clean to "OUT"
`;
const splitAndTrain = `source raw = read "items.csv" with { types: ["day varchar"] }
prepare clean = raw { fill amount with median }
split clean into train 70%, test 30% seed 7
model m = logistic_regression predicting label from train { features: amount, qty }
evaluate m on test metrics accuracy, log_loss
`;

/** `n` rows: 5% repeated, 5% missing amounts, messy categories; row `bad` (1-based, if any) has a word where qty is numeric. */
function itemsCsv(n: number, bad?: number): string {
  const cats = ["  Red", "RED ", "red", "Blue", " blue ", "Green"];
  const lines = ["id,amount,qty,category,day,label"];
  for (let i = 0; i < n; i++) {
    const j = i % 20 === 19 ? i - 1 : i; // every 20th row repeats the one before it
    const amount = j % 20 === 3 ? "" : ((j * 37) % 1000) / 10;
    lines.push(`${j},${amount},${i + 1 === bad ? "many" : 1 + (j % 7)},${cats[j % cats.length]},2024-0${1 + (j % 9)}-1${j % 10},${(j * 13) % 5 < 2 ? "yes" : "no"}`);
  }
  return lines.join("\n") + "\n";
}

describe("one-shot runs (planLifetimes)", () => {
  let dir: string;
  const sessions: Session[] = [];
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(path.join(dir, "items.csv"), itemsCsv(400));
  });
  afterAll(() => sessions.forEach((s) => s.close()));

  /** Runs a program in a fresh session, keeping every statement DuckDB was given and when each step began and ended. */
  async function run(text: string, options: RunOptions = {}, sessionDir = dir) {
    const session = await Session.open({ record: false, baseDir: sessionDir });
    sessions.push(session);
    const log: string[] = [];
    const db = session.executor.db;
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      log.push(sql);
      return exec(sql);
    };
    const describe = db.describe.bind(db);
    db.describe = (sql: string) => {
      log.push(`DESCRIBE ${sql}`);
      return describe(sql);
    };
    const outcome = await session.run(text, { ...options, onEvent: (e) => (e.type === "step-start" || e.type === "step-end") && log.push(`${e.type} ${e.label}`) });
    return { outcome, log, session };
  }

  it("marks a plan from its readers, on copies: lazy sources, streamed prepares, releases after the last reader", async () => {
    const session = await Session.open({ record: false, baseDir: dir });
    sessions.push(session);
    const plan = await planProgram((await session.check(prepareAndSave.replace("OUT", "a.parquet"))).checked!, dir);
    const alone = planLifetimes(plan);
    expect(plan.steps.every((s) => !("release" in s) && !("lazy" in s) && !("stream" in s))).toBe(true);
    expect(alone.steps.map((s) => [s.label, "lazy" in s && s.lazy, "stream" in s && s.stream, s.release])).toEqual([
      ["collect raw", true, false, undefined],
      // A streamed prepare's view may read its input (when it staged nothing): both go after the save.
      ["prepare clean", false, true, undefined],
      ["save clean", false, false, ["raw", "clean"]],
    ]);
    const trained = planLifetimes(await planProgram((await session.check(splitAndTrain)).checked!, dir));
    // raw is read by a split (once a part and a fit), so it is a table; clean, a view nothing reads, learns in its own queries.
    // The split's parts are views over raw (`viewParts`): raw stays until the last part is read.
    expect(trained.steps.map((s) => [s.label, "lazy" in s && s.lazy, "fitOnce" in s && s.fitOnce, "viewParts" in s && s.viewParts, s.release])).toEqual([
      ["collect raw", false, false, false, undefined],
      ["prepare clean", false, true, false, ["clean"]],
      ["split clean into train, test", false, false, true, undefined],
      ["train m (logistic_regression)", false, false, false, ["train"]],
      ["evaluate m on test", false, false, false, ["raw", "test"]],
    ]);
    // A fitted step that learns in order (a mode: its ties) keeps the parts tables, and so does a root defined again later.
    const moded = planLifetimes(await planProgram((await session.check(splitAndTrain.replace("fill amount with median", "fill amount with mode"))).checked!, dir));
    expect(moded.steps.map((s) => [s.label, "viewParts" in s && s.viewParts, s.release])[2]).toEqual(["split clean into train, test", false, ["raw"]]);
    // A scale's mean and spread are exact sums, the same in any order: the parts stay views.
    const scaled = planLifetimes(await planProgram((await session.check(splitAndTrain.replace("fill amount with median", "scale amount standard"))).checked!, dir));
    expect(scaled.steps.map((s) => [s.label, "viewParts" in s && s.viewParts])[2]).toEqual(["split clean into train, test", true]);
    const redefined = planLifetimes(await planProgram((await session.check(`${splitAndTrain}source raw = read "items.csv"\nshow raw\n`)).checked!, dir));
    expect(redefined.steps.map((s) => [s.label, "viewParts" in s && s.viewParts])[2]).toEqual(["split clean into train, test", false]);
    // `register` profiles the model's training rows from the split's root: the root stays until then.
    const registered = planLifetimes(await planProgram((await session.check(`${splitAndTrain}register m as \"items\"\n`)).checked!, dir));
    expect(registered.steps.map((s) => [s.label, s.release])).toEqual([
      ["collect raw", undefined],
      ["prepare clean", ["clean"]],
      ["split clean into train, test", undefined],
      ["train m (logistic_regression)", undefined],
      ["evaluate m on test", ["test"]],
      ["register m as \"items\"", ["raw", "train"]],
    ]);
  });

  it("with the step cache: a streamed prepare is kept as a table, and the next run puts it back and writes the same file", async () => {
    const store = path.join(tempDir(), ".lathe");
    const outputs: Record<string, unknown>[][] = [];
    for (const file of ["first.parquet", "second.parquet"]) {
      const session = await Session.open({ root: store, baseDir: dir });
      sessions.push(session);
      const outcome = await session.run(prepareAndSave.replace("OUT", file), { oneShot: true });
      expect(outcome.error).toBeUndefined();
      expect(outcome.output!.results[1]).toMatchObject(file === "first.parquet" ? { kind: "dataset", rows: 380 } : { kind: "dataset", rows: 380, reused: true });
      outputs.push(await session.executor.db.rows(`SELECT * FROM read_parquet('${path.join(dir, file)}')`));
    }
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it("a prepare only `save` reads: the source is never a table, its rows are read and de-duplicated once, and the file is what a kept table gives", async () => {
    const lazy = await run(prepareAndSave.replace("OUT", "lazy.parquet"), { oneShot: true });
    expect(lazy.outcome.error).toBeUndefined();
    const kept = await run(prepareAndSave.replace("OUT", "kept.parquet"));
    expect(kept.outcome.error).toBeUndefined();

    expect(kept.log.some((s) => /CREATE OR REPLACE TABLE "raw"/.test(s))).toBe(true);
    expect(lazy.log.some((s) => /CREATE OR REPLACE TABLE "raw"/.test(s))).toBe(false);
    expect(lazy.log.some((s) => /CREATE OR REPLACE VIEW "raw"/.test(s))).toBe(true);
    // One statement reads the file's rows (staging them de-duplicated); the save is one COPY of the view over them.
    expect(lazy.log.filter((s) => s.includes(`FROM "raw"`))).toEqual([expect.stringMatching(/^CREATE OR REPLACE TEMP TABLE "__lathe_stage_\d+" AS /)]);
    // DuckDB sniffs the csv wherever a statement binds it: the check's DESCRIBE, the view's creation and that
    // read. The view takes the columns the check found rather than being described (bound) once more.
    expect(lazy.log.filter((s) => s.includes("read_csv(") || s.includes(`FROM "raw"`))).toEqual([
      expect.stringMatching(/^DESCRIBE SELECT \* FROM read_csv\(/),
      expect.stringMatching(/^CREATE OR REPLACE VIEW "raw" AS SELECT \* FROM read_csv\(/),
      expect.stringMatching(/^CREATE OR REPLACE TEMP TABLE "__lathe_stage_\d+" AS /),
    ]);
    expect(lazy.log.filter((s) => /^COPY/.test(s))).toEqual([expect.stringMatching(/^COPY \(SELECT \* FROM "clean"\)/)]);
    // Nothing is left once the run is over: the kernel's session would keep both.
    expect(lazy.session.executor.datasetNames()).toEqual([]);
    expect(kept.session.executor.datasetNames()).toEqual(["raw", "clean"]);
    const tables = await lazy.session.executor.db.rows(`SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`);
    expect(tables).toEqual([]);

    expect(lazy.outcome.output!.results.map((r) => r.kind === "dataset" || r.kind === "written" ? r.rows : undefined)).toEqual([undefined, 380, 380]);
    expect(kept.outcome.output!.results.map((r) => r.kind === "dataset" || r.kind === "written" ? r.rows : undefined)).toEqual([400, 380, 380]);
    const db = await Database.open();
    try {
      const read = async (f: string) => db.rows(`SELECT * FROM read_parquet('${path.join(dir, f)}')`);
      expect(await read("lazy.parquet")).toEqual(await read("kept.parquet"));
    } finally {
      db.close();
    }
  });

  it("keeps a split's parts as views over its root, drops each part after its last reader and the root with the last; the model and metrics are the same bits", async () => {
    const once = await run(splitAndTrain, { oneShot: true });
    expect(once.outcome.error).toBeUndefined();
    expect(once.log.some((s) => s.startsWith(`CREATE OR REPLACE TABLE "train"`))).toBe(false);
    expect(once.log.some((s) => s.startsWith(`CREATE OR REPLACE VIEW "train"`))).toBe(true);
    // Dropped as its step ends (before the step-end event), never by the next step.
    const dropTrain = once.log.indexOf(`DROP VIEW IF EXISTS "train"`);
    expect(dropTrain).toBeGreaterThan(once.log.indexOf("step-start train m (logistic_regression)"));
    expect(dropTrain).toBeLessThan(once.log.indexOf("step-start evaluate m on test"));
    // The root and the keys go with the last part read.
    const dropRaw = once.log.indexOf(`DROP TABLE IF EXISTS "raw"`);
    expect(dropRaw).toBeGreaterThan(once.log.indexOf("step-start evaluate m on test"));
    expect(once.log.indexOf(`DROP VIEW IF EXISTS "test"`)).toBeGreaterThan(once.log.indexOf("step-start evaluate m on test"));
    expect(once.log.findIndex((s) => /^DROP TABLE IF EXISTS "__lathe_split_\d+"$/.test(s))).toBeGreaterThan(once.log.indexOf("step-start evaluate m on test"));
    expect(once.session.executor.datasetNames()).toEqual([]);
    expect(await once.session.executor.db.rows(`SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`)).toEqual([]);

    const kept = await run(splitAndTrain);
    expect(kept.session.executor.datasetNames()).toEqual(["raw", "clean", "train", "test"]);
    expect(once.outcome.output!.metrics).toEqual(kept.outcome.output!.metrics);
    const weights = (s: Session) => JSON.stringify(s.executor.modelState("m")!.model.toJSON());
    expect(weights(once.session)).toBe(weights(kept.session));
  });

  it("a lazy source's bad row is the source's error: file, line and the source statement, as when it was read into a table", async () => {
    const bad = tempDir();
    // Past the rows DuckDB's sniffer samples, so only reading every row finds it.
    writeFileSync(path.join(bad, "items.csv"), itemsCsv(30_000, 25_000));
    const once = await run(prepareAndSave.replace("OUT", "x.parquet"), { oneShot: true }, bad);
    const kept = await run(prepareAndSave.replace("OUT", "x.parquet"), {}, bad);
    expect(kept.outcome.error?.code).toBeDefined();
    expect(once.outcome.error?.message).toContain(path.join(bad, "items.csv"));
    expect(once.outcome.error?.message).toContain("line 25001");
    expect(once.outcome.error).toEqual(kept.outcome.error);
    // Nothing learned, nothing staged: the streamed view reads the file itself.
    const stateless = `source raw = read "items.csv"\nprepare clean = raw { trim category }\nsave clean to "y.parquet"\n`;
    expect((await run(stateless, { oneShot: true }, bad)).outcome.error).toEqual((await run(stateless, {}, bad)).outcome.error);
  });
});
