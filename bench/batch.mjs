// Batch scoring: a 100-tree random forest scores all of flights-3m.parquet (3M rows), Lathe's
// `deploy ... batch` against scikit-learn's `predict` on the same rows, in one run.
//
//   npm run build && node bench/batch.mjs [--trees 100] [--train-rows 100000] [--rows N]
//
// `--rows N` scores only the first N rows of the file (both sides, predict and end to end) for a
// shorter run; the training sample is the same.
//
// Both sides train the same kind of forest on the same 100,000-row sample (features distance, hour,
// weekday, month; target: delay > 15), then score the whole file. Reported, like for like:
// - predict: the model's predict on the 3M × 4 float32 feature matrix already in memory (sklearn's
//   `predict`, Lathe's `TrainedModel.predict`);
// - end to end: read the 3M rows, compute the features, predict, write rows + predictions (Lathe:
//   the `deploy ... batch` step of a program; sklearn: pandas read_csv, the same features, predict,
//   to_csv). Both read and write CSV — the parquet file is written as CSV once — because Debian's
//   pandas has no parquet engine (no pyarrow/fastparquet package).
import { spawnSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../dist/api/session.js";
import { readMatrix } from "../dist/runtime/train-data.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const trees = arg("--trees", 100);
const trainRows = arg("--train-rows", 100_000);
const scoreRows = arg("--rows", 0); // 0: all
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../node_modules/vega-datasets/data/flights-3m.parquet");
const dir = mkdtempSync(path.join(tmpdir(), "lathe-bench-batch-"));
const features = "distance, hour, weekday, month";

try {
  // The training sample, as a file both sides read.
  const session = await Session.open({ root: path.join(dir, ".lathe"), baseDir: dir });
  const prep = `source flights = read "${file}"
prepare trips = flights {
  derive hour = hour(date)
  derive weekday = dayofweek(date)
  derive month = month(date)
  derive late = delay > 15
}`;
  const share = ((100 * trainRows) / 3_000_000).toFixed(2);
  let r = await session.run(`${prep}\nsplit trips into sample ${share}%, rest ${(100 - Number(share)).toFixed(2)}% seed 1\nsave sample to "sample.csv"
save flights to "flights.csv"`);
  if (!r.ok) throw new Error(r.error?.message ?? JSON.stringify(r.diagnostics));
  if (scoreRows > 0) {
    const csv = path.join(dir, "flights.csv");
    await session.executor.db.exec(`COPY (SELECT * FROM read_csv('${csv}') LIMIT ${scoreRows}) TO '${csv}.part' (HEADER)`);
    renameSync(`${csv}.part`, csv);
  }
  const n = Number((await session.executor.db.rows(`SELECT count(*) AS n FROM read_csv('${path.join(dir, "sample.csv")}')`))[0].n);

  // Lathe trains on the same sample (same split, same seed) with the features derived in the
  // program, so the registered model carries them: batch scoring takes the raw rows.
  const t0 = performance.now();
  r = await session.run(`${prep}
split trips into sample ${share}%, rest ${(100 - Number(share)).toFixed(2)}% seed 1
model forest = random_forest predicting late from sample { features: ${features}; trees: ${trees}; task: classification }
register forest as "flights-forest"
promote "flights-forest"`);
  if (!r.ok) throw new Error(r.error?.message ?? JSON.stringify(r.diagnostics));
  const fitMs = performance.now() - t0;

  // Predict only: the 3M feature matrix in memory, then the model's predict.
  const ds = session.executor.dataset("trips");
  const all = await readMatrix(session.executor.db, ds, "trips", ["distance", "hour", "weekday", "month"]);
  const x = scoreRows > 0 ? { ...all, n: Math.min(scoreRows, all.n), columns: all.columns.map((c) => c.slice(0, scoreRows)) } : all;
  const model = session.executor.modelState("forest").model;
  const p0 = performance.now();
  const c0 = process.cpuUsage();
  const yPred = model.predict(x);
  const cpu = process.cpuUsage(c0);
  const predictMs = performance.now() - p0;
  // CPU time too: on a shared machine the wall time of each side depends on what ran beside it.
  const predictCpuMs = (cpu.user + cpu.system) / 1000;

  // End to end: the deploy step of a program.
  const e0 = performance.now();
  r = await session.run(`source raw = read "flights.csv"
deploy "flights-forest" batch from raw to "lathe-scores.csv"`);
  if (!r.ok) throw new Error(r.error?.message ?? JSON.stringify(r.diagnostics));
  const endMs = performance.now() - e0;
  session.close();

  const py = String.raw`
import json, sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import RandomForestClassifier
sample, full, out, trees = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = pd.read_csv(sample)
X = s[["distance", "hour", "weekday", "month"]].to_numpy(np.float32); y = s["late"].astype(int).to_numpy()
t = time.perf_counter(); rf = RandomForestClassifier(n_estimators=trees, random_state=0).fit(X, y); fit = time.perf_counter() - t
def feats(f):
    d = pd.to_datetime(f["date"])
    return pd.DataFrame({"distance": f["distance"], "hour": d.dt.hour, "weekday": (d.dt.dayofweek + 1) % 7, "month": d.dt.month}).to_numpy(np.float32)
f = pd.read_csv(full)
Xf = feats(f)
t = time.perf_counter(); c = time.process_time(); p = rf.predict(Xf); pred = time.perf_counter() - t; pred_cpu = time.process_time() - c
t = time.perf_counter()
f = pd.read_csv(full); Xf = feats(f); f["predicted_late"] = rf.predict(Xf); f.to_csv(out, index=False)
end = time.perf_counter() - t
print(json.dumps({"fit": fit, "predict": pred, "predict_cpu": pred_cpu, "end": end, "rows": len(Xf), "late_share": float(p.mean())}))
`;
  const sk = spawnSync("/usr/bin/python3", ["-c", py, path.join(dir, "sample.csv"), path.join(dir, "flights.csv"), path.join(dir, "sk-scores.csv"), String(trees)], { encoding: "utf8", timeout: 3_600_000 });
  if (sk.status !== 0) throw new Error(sk.stderr);
  const ref = JSON.parse(sk.stdout.trim().split("\n").at(-1));
  const s = (ms) => (ms / 1000).toFixed(2);
  const late = yPred.reduce((a, v, i) => a + (v === 1 ? 1 : 0), 0) / yPred.length;
  console.log(`training sample: ${n.toLocaleString()} rows; forest of ${trees} trees; fit Lathe ${s(fitMs)} s (incl. reading and deriving the 3M rows, the split and register), sklearn ${ref.fit.toFixed(2)} s`);
  console.log(`predict on ${x.n.toLocaleString()} rows in memory: Lathe ${s(predictMs)} s, sklearn ${ref.predict.toFixed(2)} s, ratio ${(predictMs / 1000 / ref.predict).toFixed(2)}×  [target ≤ 1.0×]`);
  console.log(`  CPU time of the same predict calls: Lathe ${s(predictCpuMs)} s, sklearn ${ref.predict_cpu.toFixed(2)} s, ratio ${(predictCpuMs / 1000 / ref.predict_cpu).toFixed(2)}×`);
  console.log(`end to end (read the ${x.n.toLocaleString()} rows from CSV, features, predict, write CSV): Lathe deploy ${s(endMs)} s, sklearn + pandas ${ref.end.toFixed(2)} s, ratio ${(endMs / 1000 / ref.end).toFixed(2)}×`);
  console.log(`share predicted late: Lathe ${late.toFixed(4)}, sklearn ${ref.late_share.toFixed(4)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
