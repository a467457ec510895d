// The native MLP engine's builds and dispatch variants against the machine-specific build it replaced.
//
//   npm run build && node bench/native-mlp.mjs [--epochs 10] [--reference path/to/lathe-native.node]
//
// Reference: native/mlp.cc compiled with `-march=native` (the flags of the build before run-time
// dispatch; FMA contraction on), timed in the same run. Candidates: the portable build in dist/
// (scripts/build-native.mjs: baseline ISA, -ffp-contract=off) with each variant this CPU runs
// selected in turn. Each is timed on the same problem: 140,000 rows × 20 features, a (64, 32) ReLU
// network, 2 classes, adam, batch 200, l2 1e-4 (the shape of bench/tf-models.mjs's synthetic_200k);
// the figure is the median epoch over `--epochs` epochs after one warm-up epoch, in µs per step;
// candidates take turns epoch by epoch, so load from other processes falls on all of them alike.
// `--reference FILE` adds any other build (e.g. the module of an older checkout).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nativeBuild, nativeSources } from "../scripts/build-native.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const epochs = Number(arg("--epochs", "10"));
const require = createRequire(import.meta.url);

const n = 140000, d = 20, sizes = [d, 64, 32, 2], batch = 200;
// A fixed pseudo-random problem (xorshift), the same for every build.
let s = 2463534242;
const rand = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
const rows = Float32Array.from({ length: n * d }, () => 2 * rand() - 1);
const targets = Float32Array.from({ length: n }, (_, i) => (rows[i * d] + rows[i * d + 1] * rows[i * d + 2] > 0 ? 1 : 0));
const order = Uint32Array.from({ length: n }, (_, i) => i);
const initial = sizes.slice(1).flatMap((out, l) => [Float32Array.from({ length: sizes[l] * out }, () => (2 * rand() - 1) * Math.sqrt(6 / (sizes[l] + out))), new Float32Array(out)]);
const config = Float64Array.of(0, 0, 0, 0, 0.001, 0.9, 1e-4, 0.9, 0.999, 1e-8, batch);

/**
 * Times every candidate epoch by epoch, in turns (candidate 1, 2, ..., 1, 2, ...), so load from
 * other processes falls on all of them alike. Returns the median µs per step of each, with its final
 * loss and a checksum of its weights.
 */
function timeAll(candidates) {
  const nets = candidates.map(({ mod, variant }) => {
    if (variant && !mod.select(variant)) throw new Error(`variant ${variant} not selectable`);
    const net = mod.create(Int32Array.from(sizes), config, initial.map((b) => b.slice()));
    mod.train(net, rows, targets, order, 0, n, 1);
    return net;
  });
  const perEpoch = candidates.map(() => []);
  for (let e = 0; e < epochs; e++) {
    candidates.forEach(({ mod, variant }, i) => {
      if (variant) mod.select(variant);
      const t = process.hrtime.bigint();
      mod.train(nets[i], rows, targets, order, 0, n, e + 2);
      perEpoch[i].push(Number(process.hrtime.bigint() - t) / 1e3 / Math.ceil(n / batch));
    });
  }
  return candidates.map(({ mod, variant }, i) => {
    if (variant) mod.select(variant);
    const out = initial.map((b) => new Float32Array(b.length));
    mod.params(nets[i], out);
    let sum = 0;
    for (const b of out) for (const v of b) sum += v;
    const sorted = perEpoch[i].sort((a, b) => a - b);
    return { us: sorted[Math.floor(sorted.length / 2)], checksum: sum, loss: mod.loss(nets[i], rows, targets) };
  });
}

const dir = mkdtempSync(join(tmpdir(), "lathe-bench-native-"));
try {
  const reference = join(dir, "march-native.node");
  const build = nativeBuild();
  // The old build: the same source for this CPU, contraction left at GCC's default.
  const flags = build.flags.filter((f) => f !== "-ffp-contract=off").concat("-march=native");
  execFileSync(build.compiler, [...flags, `-I${build.headers}`, ...nativeSources, "-o", reference], { stdio: "inherit" });
  const candidates = [{ label: "-march=native (reference)", mod: require(reference) }];
  const portable = join(root, "dist", "native", `${process.platform}-${process.arch}`, "lathe-native.node");
  const mod = require(portable);
  const info = mod.info();
  for (const variant of info.variants) candidates.push({ label: `portable, ${variant}`, mod, variant });
  const extra = arg("--reference");
  if (extra) candidates.push({ label: extra, mod: require(extra) });
  console.log(`${n} rows × ${d}, layers 64, 32, batch ${batch}, median of ${epochs} epochs; ${info.compiler}; cpu variants: ${info.variants.join(", ")}`);
  const results = timeAll(candidates).map((r, i) => [candidates[i].label, r]);
  const ref = results[0][1].us;
  console.log("| build | µs per step | ratio | final loss | weight checksum |");
  console.log("|---|---|---|---|---|");
  for (const [label, r] of results) console.log(`| ${label} | ${r.us.toFixed(1)} | ${(r.us / ref).toFixed(2)}× | ${r.loss.toFixed(6)} | ${r.checksum} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
