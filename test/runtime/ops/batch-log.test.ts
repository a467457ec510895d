import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { Database } from "../../../runtime/data/database.js";
import { evaluateMonitor } from "../../../runtime/monitor/evaluate.js";
import { defaultRules } from "../../../runtime/monitor/monitor-rules.js";
import { RowSample } from "../../../runtime/ops/batch-log.js";
import { batchLogDir } from "../../../runtime/serve/prediction-log.js";
import { tempDir } from "../../helpers.js";
import { rng } from "../../seeded-rng.js";

// `deploy ... batch` logs the rows it scored for the monitor: generated data whose `x1` moves in the
// batches, a labelled batch (it has the target `y`) and unlabelled ones, sampled past LATHE_BATCH_LOG_ROWS.

const dir = tempDir("lathe-batch-log-");
const root = path.join(dir, ".lathe");
let session: Session;

/** `n` rows: x1 normal around `shift`, x2 uniform, c one of three; y = "up" when x1 + noise > 0.5, only when `labelled`. */
function rows(n: number, seed: number, shift: number, labelled: boolean): string {
  const r = rng(seed);
  const lines = [labelled ? "x1,x2,c,y" : "x1,x2,c"];
  for (let i = 0; i < n; i++) {
    const x1 = shift + Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const x2 = r() * 10;
    const c = ["a", "b", "c"][Math.floor(r() * 3)];
    const y = x1 + (r() - 0.5) > 0.5 ? "up" : "down";
    lines.push([x1.toFixed(6), x2.toFixed(6), c, ...(labelled ? [y] : [])].join(","));
  }
  return lines.join("\n") + "\n";
}

async function run(code: string): Promise<void> {
  const r = await session.run(code);
  if (!r.ok) throw new Error(r.error?.message ?? JSON.stringify(r.diagnostics));
}

const segments = () => readdirSync(batchLogDir(root, "gen")).filter((f) => f.endsWith(".ndjson")).sort();
const records = (file: string) => readFileSync(path.join(batchLogDir(root, "gen"), file), "utf8").trim().split("\n").map((l) => JSON.parse(l));

beforeAll(async () => {
  writeFileSync(path.join(dir, "train.csv"), rows(600, 1, 0, true));
  writeFileSync(path.join(dir, "labelled.csv"), rows(400, 2, 1.5, true));
  writeFileSync(path.join(dir, "unlabelled.csv"), rows(400, 3, 1.5, false));
  session = await Session.open({ root, baseDir: dir });
  await run(`source train = read "train.csv"
prepare encoded = train { onehot c }
split encoded into fit 80%, test 20% seed 3
model m = decision_tree predicting y from fit { features: x1, x2, c; max_depth: 4 }
assert m on test: accuracy >= 0.6
register m as "gen"
promote "gen"`);
}, 120_000);
afterAll(() => session?.close());

describe("RowSample", () => {
  it("takes exactly k of n rows, the same ones for the same seed; every row when k >= n", () => {
    const pick = (n: number, k: number, seed: number) => Array.from({ length: n }, (_, i) => i).filter(((s) => () => s.next())(new RowSample(n, k, seed)));
    expect(pick(1000, 37, 5)).toHaveLength(37);
    expect(pick(1000, 37, 5)).toEqual(pick(1000, 37, 5));
    expect(pick(1000, 37, 6)).not.toEqual(pick(1000, 37, 5));
    expect(pick(10, 10, 5)).toEqual([...Array(10).keys()]);
    expect(pick(10, 0, 5)).toEqual([]);
  });
});

describe("deploy ... batch, logged for the monitor", () => {
  it("a labelled batch: its raw inputs, predictions and labels logged in row order; drift on the moved column, live metrics exactly those of the scores", async () => {
    await run(`source labelled = read "labelled.csv"\ndeploy "gen" batch from labelled to "out/labelled.csv"`);
    const [segment] = segments();
    const logged = records(segment);
    const csv = readFileSync(path.join(dir, "labelled.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    expect(logged).toHaveLength(400);
    expect(logged.map((r) => r.row)).toEqual([...Array(400).keys()]);
    // Positions line up: each record holds its own row's raw values and label.
    for (const i of [0, 123, 399]) expect(logged[i]).toMatchObject({ input: { x1: Number(csv[i][0]), x2: Number(csv[i][1]), c: csv[i][2] }, label: csv[i][3], batch_rows: 400, model: "gen", version: 1 });
    expect(Object.keys(logged[0].probabilities).sort()).toEqual(["down", "up"]);

    const db = await Database.open();
    let right: number;
    try {
      [{ right }] = (await db.rows(`SELECT avg(CASE WHEN predicted_y = y THEN 1 ELSE 0 END)::DOUBLE AS right FROM read_csv('${path.join(dir, "out/labelled.csv")}')`)) as { right: number }[];
    } finally {
      db.close();
    }
    const result = await evaluateMonitor({ root, ref: { name: "gen" }, rules: { drift: defaultRules.drift, thresholds: [{ key: "accuracy", op: ">=", bound: 0, text: "accuracy >= 0" }] }, source: "batch" });
    expect(result.source).toBe("batch");
    expect(result.counts.batch).toEqual({ batches: 1, scored: 400, logged: 400, labelled: 400 });
    expect(result.counts.labelled).toBe(400);
    expect(result.signals.accuracy).toBeCloseTo(right, 12);
    const byFeature = Object.fromEntries(result.drift.map((d) => [d.feature, d.drifted]));
    expect(byFeature).toEqual({ x1: true, x2: false, c: false });
    // No server: no requests, latency, RSS or CPU; the live accuracy series comes from the batch.
    expect(Object.keys(result.signals).filter((k) => /^(requests|latency|error_rate|rss|cpu)/.test(k))).toEqual([]);
    expect(result.series.points.some((p) => p.accuracy !== null)).toBe(true);

    // Served rows only: nothing was served.
    const served = await evaluateMonitor({ root, ref: { name: "gen" }, rules: defaultRules, source: "serve" });
    expect(served.drift).toEqual([]);
    expect(served.counts.batch).toEqual({ batches: 0, scored: 0, logged: 0, labelled: 0 });
  }, 60_000);

  it("past LATHE_BATCH_LOG_ROWS a seeded sample is logged, the same rows each time, with the count scored; no label without the target column", async () => {
    process.env.LATHE_BATCH_LOG_ROWS = "50";
    try {
      await run(`source unlabelled = read "unlabelled.csv"\ndeploy "gen" batch from unlabelled to "out/a.csv"\ndeploy "gen" batch from unlabelled to "out/b.csv"`);
    } finally {
      delete process.env.LATHE_BATCH_LOG_ROWS;
    }
    const samples = segments().map(records).filter((r) => r[0].label === undefined);
    expect(samples).toHaveLength(2);
    expect(samples[0]).toHaveLength(50);
    expect(samples[0].map((r) => r.row)).toEqual(samples[1].map((r) => r.row));
    expect(samples[0].map((r) => r.input)).toEqual(samples[1].map((r) => r.input));
    expect(samples[0][0].batch_rows).toBe(400);
    expect(new Set(samples[0].map((r) => r.request_id)).size).toBe(1);
    expect(samples[0][0].request_id).not.toBe(samples[1][0].request_id);

    const all = await evaluateMonitor({ root, ref: { name: "gen" }, rules: defaultRules });
    expect(all.source).toBe("all");
    expect(all.counts.batch).toEqual({ batches: 3, scored: 1200, logged: 500, labelled: 400 });
    expect(all.notes.some((n) => /500 of the 1200 rows scored in 3 batch\(es\) were logged/.test(n))).toBe(true);
  }, 60_000);
});
