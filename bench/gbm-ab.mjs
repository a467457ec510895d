// Benchmark: gradient_boosting's in-memory fit, this build against another (--baseline), both loaded in
// one process (each with its own native module) and fitted alternately (this, baseline, baseline, this, …)
// on the 200k × 20 sets of bench/scale.mjs: 140k training rows, a 30k-row validation set for early
// stopping (as `lathe run` gives the model its split's validation part), one thread. Per build the
// least and the median CPU time (user + system of the process: one thread, so the fit's) and wall time
// of its fits, and the model's hash (the two builds must grow the same trees). On a shared machine the
// least CPU time is the steadiest figure: load only adds to it.
//
//   npm run build && node bench/gbm-ab.mjs --baseline OTHER_BUILD_ROOT [--sets reg,cls] [--rounds 6]
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
if (!arg("baseline")) throw new Error("--baseline OTHER_BUILD_ROOT is required");
const ROUNDS = Number(arg("rounds", 6));
const SETS = arg("sets", "reg,cls").split(",");
const roots = { "this build": fileURLToPath(new URL("..", import.meta.url)), baseline: resolve(arg("baseline")) };
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-gbm-ab-"));

// Each build's learner, its native module loaded now (while LATHE_NATIVE_MODULE names that build's).
const learners = {};
for (const [name, root] of Object.entries(roots)) {
  process.env.LATHE_NATIVE_MODULE = join(root, `dist/native/${process.platform}-${process.arch}/lathe-native.node`);
  const engine = await import(join(root, "dist/runtime/models/native-engine.js"));
  engine.nativeBoosting();
  engine.nativeBinning?.();
  learners[name] = (await import(join(root, "dist/runtime/models/trees/gradient-boosting.js"))).gradientBoosting;
}
delete process.env.LATHE_NATIVE_MODULE;

const median = (xs) => {
  const o = [...xs].sort((a, b) => a - b);
  return (o[Math.floor((o.length - 1) / 2)] + o[Math.ceil((o.length - 1) / 2)]) / 2;
};

try {
  execFileSync("/usr/bin/python3", ["-c", `
import numpy as np
from sklearn.datasets import make_classification, make_regression
X, y = make_classification(n_samples=200000, n_features=20, n_informative=10, n_redundant=5, random_state=42)
X.astype(np.float32).tofile("${dir}/cls.X.bin"); y.astype(np.float32).tofile("${dir}/cls.y.bin")
X, y = make_regression(n_samples=200000, n_features=20, n_informative=10, noise=10, random_state=42)
X.astype(np.float32).tofile("${dir}/reg.X.bin"); y.astype(np.float32).tofile("${dir}/reg.y.bin")
`]);
  const n = 200_000;
  const f = 20;
  // A seeded 70/15/15 assignment of the rows (train, validation, unused).
  const part = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    part[i] = s / 2 ** 32 < 0.7 ? 0 : s / 2 ** 32 < 0.85 ? 1 : 2;
  }
  const rowsOf = (p) => [...part.keys()].filter((i) => part[i] === p);
  const [trainRows, validationRows] = [rowsOf(0), rowsOf(1)];
  console.log("| set | build | fits | CPU least | CPU median | wall least | wall median | model hash | load range |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const set of SETS) {
    const xb = readFileSync(join(dir, `${set}.X.bin`));
    const flat = new Float32Array(xb.buffer, xb.byteOffset, n * f);
    const yb = readFileSync(join(dir, `${set}.y.bin`));
    const y = new Float32Array(yb.buffer, yb.byteOffset, n);
    const take = (rows) => ({
      x: { n: rows.length, names: Array.from({ length: f }, (_, j) => `f${j}`), columns: Array.from({ length: f }, (_, j) => Float32Array.from(rows, (i) => flat[i * f + j])) },
      y: Float32Array.from(rows, (i) => y[i]),
    });
    const task = set === "reg" ? "regression" : "classification";
    const results = { "this build": [], baseline: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of r % 2 ? ["baseline", "this build"] : ["this build", "baseline"]) {
        const train = take(trainRows);
        const validation = take(validationRows);
        const load = loadavg()[0];
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const model = await learners[name].train({ task, x: train.x, y: train.y, classes: task === "regression" ? [] : ["0", "1"], validation, params: { ...learners[name].defaults, workers: 1 }, seed: 42, releaseColumns: true });
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const hash = createHash("sha256").update(JSON.stringify(model.toJSON())).digest("hex").slice(0, 12);
        results[name].push({ cpu: (c.user + c.system) / 1000, wall, hash, load });
      }
    }
    for (const [name, rs] of Object.entries(results)) {
      const cpu = rs.map((x) => x.cpu);
      const wall = rs.map((x) => x.wall);
      const loads = rs.map((x) => x.load);
      console.log(
        `| ${set} | ${name} | ${rs.length} | ${Math.min(...cpu).toFixed(0)} ms | ${median(cpu).toFixed(0)} ms | ${Math.min(...wall).toFixed(0)} ms | ${median(wall).toFixed(0)} ms | ${[...new Set(rs.map((x) => x.hash))].join(", ")} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
