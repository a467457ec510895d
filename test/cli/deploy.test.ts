import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../runtime/data/database.js";
import { dataset, repo, tempDir } from "../helpers.js";

// Batch scoring end to end, each step a fresh process: train and register, then score with the
// model loaded from the registry (`deploy ... batch`, `lathe predict`).
function lathe(args: string[], cwd: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 240_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = tempDir();
let db: Database;
beforeAll(async () => {
  db = await Database.open();
  writeFileSync(
    path.join(dir, "train.lathe"),
    `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  onehot Island
}
split clean into train 70%, validation 15%, test 15% stratify by Species
model species = logistic_regression predicting Species from train {
  features: "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island
}
assert species on test: accuracy >= 0.9
register species as "penguin-species"
promote "penguin-species"
`,
  );
  const r = lathe(["run", "train.lathe"], dir);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
}, 240_000);
afterAll(() => db.close());

describe("deploy ... batch and lathe predict", () => {
  it("scores raw rows with the champion in a new process: every row, its prediction and probabilities, who predicted", async () => {
    writeFileSync(
      path.join(dir, "score.lathe"),
      `source penguins = read "${dataset("penguins.json")}"
deploy "penguin-species" batch from penguins to "out/scores.parquet"
deploy "penguin-species@latest" batch from penguins to table "scores" in "out/warehouse.duckdb"
`,
    );
    const r = lathe(["run", "score.lathe"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/344 rows to .*scores\.parquet \("penguin-species" version 1\)/);
    const [s] = await db.rows(`SELECT count(*) AS n, count(*) FILTER (WHERE Species = predicted_Species) AS right, min(probability_Adelie + probability_Chinstrap + probability_Gentoo) AS lo, max(probability_Adelie + probability_Chinstrap + probability_Gentoo) AS hi, any_value(model_name) AS name, max(model_version) AS v, count(DISTINCT run_id) AS runs FROM read_parquet('${path.join(dir, "out/scores.parquet")}')`);
    expect(s).toMatchObject({ n: 344, name: "penguin-species", v: 1, runs: 1 });
    expect(Number(s.right)).toBeGreaterThan(320);
    expect(Math.abs(Number(s.lo) - 1)).toBeLessThan(1e-5);
    expect(Math.abs(Number(s.hi) - 1)).toBeLessThan(1e-5);
    await db.exec(`ATTACH '${path.join(dir, "out/warehouse.duckdb")}' AS w (READ_ONLY)`);
    const [t] = await db.rows(`SELECT count(*) AS n FROM w.scores JOIN read_parquet('${path.join(dir, "out/scores.parquet")}') p USING ("Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island, Sex, Species) WHERE w.scores.predicted_Species <> p.predicted_Species`);
    expect(t.n).toBe(0);
    await db.exec("DETACH w");
  });

  it("lathe predict: JSON lines on stdout, or a file; equal to the batch's predictions", async () => {
    const rows = (await db.rows(`SELECT * EXCLUDE (Species) FROM read_json_auto('${dataset("penguins.json")}') LIMIT 5`)) as Record<string, unknown>[];
    writeFileSync(path.join(dir, "new.json"), JSON.stringify(rows));
    const r = lathe(["predict", "penguin-species", "--input", "new.json"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    const batch = await db.rows(`SELECT predicted_Species FROM read_parquet('${path.join(dir, "out/scores.parquet")}') LIMIT 5`);
    expect(lines.map((l) => l.predicted_Species)).toEqual(batch.map((b) => b.predicted_Species));
    const f = lathe(["predict", "penguin-species", "--version", "1", "-i", "new.json", "-o", "out/p.csv"], dir);
    expect(f.code).toBe(0);
    expect(f.out).toMatch(/5 rows scored by "penguin-species" version 1 to out\/p\.csv/);
  });

  it("names what is wrong: an unknown model, an alias, a missing column", () => {
    writeFileSync(path.join(dir, "thin.json"), JSON.stringify([{ "Beak Length (mm)": 40, Island: "Dream" }]));
    writeFileSync(path.join(dir, "new.json"), JSON.stringify([{ "Beak Length (mm)": 40, "Beak Depth (mm)": 18, "Flipper Length (mm)": 190, "Body Mass (g)": 3900, Island: "Dream" }]));
    expect(lathe(["predict", "nope", "-i", "new.json"], dir)).toMatchObject({ code: 4, err: 'lathe: error[unknown-model-name]: no model is registered as "nope"; the registry has "penguin-species"\n' });
    expect(lathe(["predict", "penguin-species@staging", "-i", "new.json"], dir).err).toMatch(/error\[unknown-alias\]: "penguin-species" has no alias "staging"/);
    const thin = lathe(["predict", "penguin-species", "-i", "thin.json"], dir);
    expect(thin.code).toBe(4);
    expect(thin.err).toBe("lathe: error[missing-columns]: `input` lacks columns \"penguin-species\" reads: `Beak Depth (mm)`, `Flipper Length (mm)`, `Body Mass (g)`\n");
  });

  it("a target derived in the preparation is not an input: rows without its source columns score (batch, predict, the predictor)", async () => {
    writeFileSync(
      path.join(dir, "heavy.lathe"),
      `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where "Body Mass (g)" is missing
  fill "Beak Length (mm)", "Flipper Length (mm)" with median
  derive heavy = "Body Mass (g)" > 4200
}
split clean into train 80%, test 20% seed 3
model heavy = decision_tree predicting heavy from train { features: "Beak Length (mm)", "Flipper Length (mm)"; task: classification }
assert heavy on test: accuracy >= 0.6
register heavy as "heavy"
promote "heavy"
`,
    );
    expect(lathe(["run", "heavy.lathe"], dir)).toMatchObject({ code: 0, err: "" });
    const rows = [{ "Beak Length (mm)": 50, "Flipper Length (mm)": 225 }, { "Beak Length (mm)": 36, "Flipper Length (mm)": null }];
    writeFileSync(path.join(dir, "no-mass.json"), JSON.stringify(rows));
    writeFileSync(path.join(dir, "with-mass.json"), JSON.stringify(rows.map((r) => ({ ...r, "Body Mass (g)": 1 }))));
    const without = lathe(["predict", "heavy", "-i", "no-mass.json"], dir);
    expect(without.err).toBe("");
    expect(without.code).toBe(0);
    const withMass = lathe(["predict", "heavy", "-i", "with-mass.json"], dir);
    const predicted = (out: string) => out.trim().split("\n").map((l) => JSON.parse(l).predicted_heavy);
    expect(predicted(without.out)).toEqual(predicted(withMass.out));
    const { RunStore } = await import("../../runtime/run-store.js");
    const { loadModel } = await import("../../runtime/predict/load.js");
    const loaded = await loadModel(new RunStore(path.join(dir, ".lathe")), { name: "heavy" });
    expect(loaded.predictor.inputSchema.map((c) => c.name).sort()).toEqual(["Beak Length (mm)", "Flipper Length (mm)"]);
    expect(loaded.predictor.predict(rows).map((p) => String(p.prediction))).toEqual(predicted(without.out).map(String));
  });

  it("streams: scores a file far larger than the memory DuckDB and the JS heap are given", async () => {
    await db.exec(`COPY (SELECT (i * 37 % 300) / 10.0 + 30 AS "Beak Length (mm)", 15.0 + (i % 7) AS "Beak Depth (mm)", 175.0 + (i % 50) AS "Flipper Length (mm)", 3000.0 + (i % 3000) AS "Body Mass (g)", ['Biscoe', 'Dream', 'Torgersen'][i % 3 + 1] AS Island, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS note FROM range(600000) t(i)) TO '${path.join(dir, "big.parquet")}' (FORMAT parquet)`);
    writeFileSync(path.join(dir, "big.lathe"), `source big = read "big.parquet"\ndeploy "penguin-species" batch from big to "out/big.parquet"\n`);
    // 600,000 rows hold ~100 MB in DuckDB; it gets 48 MB (the rest spills) and V8 a 64 MB heap; blocks of 5,000 rows.
    const r = lathe(["run", "big.lathe", "--no-record"], dir, { LATHE_MEMORY_LIMIT: "48MB", LATHE_BATCH_ROWS: "5000", LATHE_TEMP_DIR: path.join(dir, "spill") }, ["--max-old-space-size=64"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const [s] = await db.rows(`SELECT count(*) AS n, count(DISTINCT note) AS notes, count(predicted_Species) AS predicted FROM read_parquet('${path.join(dir, "out/big.parquet")}')`);
    expect(s).toEqual({ n: 600000, notes: 600000, predicted: 600000 });
  });
});
