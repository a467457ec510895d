// Quality with missing feature values: Lathe's gradient_boosting, run as a user runs it (a program
// through the Session API, NULLs left in the features), against scikit-learn's
// HistGradientBoostingRegressor on the same rows with NaN kept; both with their defaults.
//
//   npm run build && node bench/missing-values.mjs [--seeds 5]
//
// Data: vega-datasets' movies.json (3,201 films; 2,988 with an IMDB rating). Target: the IMDB rating;
// features: production budget, running time (missing in 62% of the rows), Rotten Tomatoes rating
// (missing in a quarter), IMDB votes, US gross — none filled. Node writes one CSV with a column
// `part_s` per seed s (a seeded 75/25 split, drawn in the bench so both sides read the same parts).
// Lathe's decision_tree and random_forest are scored too (scikit-learn 1.2.1's trees take no NaN).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../dist/api/session.js";
import { Rng } from "../dist/runtime/models/trees/prng.js";

const PYTHON = "/usr/bin/python3";
const seedsAt = process.argv.indexOf("--seeds");
const SEEDS = seedsAt > 0 ? Number(process.argv[seedsAt + 1]) : 5;
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-missing-"));

const FEATURES = { budget: "Production Budget", runtime: "Running Time min", rt: "Rotten Tomatoes Rating", votes: "IMDB Votes", gross: "US Gross" };
const ALGORITHMS = ["gradient_boosting", "random_forest", "decision_tree"];

const movies = JSON.parse(readFileSync(new URL("../node_modules/vega-datasets/data/movies.json", import.meta.url), "utf8")).filter((m) => m["IMDB Rating"] !== null);
const cell = (v) => (v === null || v === undefined ? "" : String(v));
const parts = Array.from({ length: SEEDS }, (_, s) => {
  const rng = new Rng(1000 + s);
  return movies.map(() => (rng.nextInt(4) < 3 ? "train" : "test"));
});
const header = [...Object.keys(FEATURES), "target", ...parts.map((_, s) => `part_${s}`)];
const lines = movies.map((m, i) => [...Object.values(FEATURES).map((c) => cell(m[c])), cell(m["IMDB Rating"]), ...parts.map((p) => p[i])].join(","));
writeFileSync(join(dir, "movies.csv"), [header.join(","), ...lines].join("\n") + "\n");
const missing = Object.fromEntries(Object.entries(FEATURES).map(([k, c]) => [k, movies.filter((m) => m[c] === null).length]));

const sklearn = `
import json, sys, numpy as np, pandas as pd, sklearn
from sklearn.ensemble import HistGradientBoostingRegressor
df = pd.read_csv(sys.argv[1]); seeds = int(sys.argv[2]); f = ${JSON.stringify(Object.keys(FEATURES))}
X = df[f].to_numpy(dtype=np.float32); y = df["target"].to_numpy()
out = []
for s in range(seeds):
    tr = (df[f"part_{s}"] == "train").to_numpy(); te = ~tr
    out.append(float(HistGradientBoostingRegressor().fit(X[tr], y[tr]).score(X[te], y[te])))
print(json.dumps({"version": sklearn.__version__, "r2": out}))
`;

const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
try {
  const session = await Session.open({ record: false, baseDir: dir });
  const ours = Object.fromEntries(ALGORITHMS.map((a) => [a, []]));
  try {
    for (let s = 0; s < SEEDS; s++) {
      const program = [
        `source d = read "movies.csv"`,
        `prepare tr = d { keep rows where part_${s} = 'train' }`,
        `prepare te = d { keep rows where part_${s} = 'test' }`,
        ...ALGORITHMS.flatMap((a) => [`model ${a} = ${a} predicting target from tr { features: ${Object.keys(FEATURES).join(", ")}; seed: ${s} }`, `evaluate ${a} on te metrics r2`]),
      ].join("\n");
      const outcome = await session.run(program, { record: false });
      if (!outcome.ok) throw new Error(`seed ${s}: ${JSON.stringify(outcome.diagnostics.map((d) => d.message))} ${outcome.error?.message ?? ""}`);
      for (const m of outcome.output.metrics) ours[m.model].push(m.value);
    }
  } finally {
    session.close();
  }
  const sk = JSON.parse(execFileSync(PYTHON, ["-c", sklearn, join(dir, "movies.csv"), String(SEEDS)], { encoding: "utf8" }));
  console.log(`node ${process.version}, ${availableParallelism()} cores, scikit-learn ${sk.version}; movies.json, ${movies.length} rows, missing per feature ${JSON.stringify(missing)}; ${SEEDS} seeded 75/25 splits`);
  console.log("| model | R² per split | mean |");
  console.log("|---|---|---|");
  const row = (name, r2) => console.log(`| ${name} | ${r2.map((v) => v.toFixed(4)).join(", ")} | **${mean(r2).toFixed(4)}** |`);
  row("scikit-learn HistGradientBoostingRegressor", sk.r2);
  for (const a of ALGORITHMS) row(`Lathe ${a}`, ours[a]);
  console.log(`Lathe gradient_boosting − scikit-learn: ${(mean(ours.gradient_boosting) - mean(sk.r2)).toFixed(4)} R² (mean of the splits)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
