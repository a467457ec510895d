// Parse + check time of a generated 10,000-line Lathe program (target: under 300 ms).
// Run: npm run build && node bench/language.mjs [lines] [--reference OTHER/dist]
// With --reference (another build's dist/, e.g. main's), the two builds also parse + check the same
// program in alternation in this process, and the ratio this/reference is printed: a comparison
// from one machine state, which a busy machine does not skew the way separate runs are skewed.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { check, parse } from "../dist/language/index.js";
import { format } from "../dist/language/format.js";

const args = process.argv.slice(2);
const refAt = args.indexOf("--reference");
const referenceDist = refAt >= 0 ? args.splice(refAt, 2)[1] : undefined;
const target = Number(args[0] ?? 10_000);
const columns = [
  { name: "id", type: "number" },
  { name: "label", type: "string" },
  { name: "Body Mass (g)", type: "number" },
  { name: "island", type: "string" },
  { name: "x", type: "number" },
  { name: "y", type: "number" },
];

/** One workflow of 20 lines, every name suffixed with `i` so the program has no duplicates. */
function block(i) {
  return `# workflow ${i}
source s${i} = read "data/part-${i}.csv"
prepare p${i} = s${i} {
  drop rows where label is missing or x < 0
  fill "Body Mass (g)", x with median
  derive ratio = x / (y + 1) * 2
  onehot island
  scale x, y standard
}
split p${i} into train${i} 70%, valid${i} 15%, test${i} 15% stratify by label seed 42
model m${i} = random_forest predicting label from train${i} {
  features: "Body Mass (g)", x, y, ratio, island
  trees: 100
}
tune m${i} over { max_depth: [4, 8] } by f1 on valid${i}
evaluate m${i} on test${i} metrics accuracy, f1
assert m${i} on test${i}: f1 >= 0.8
register m${i} as "model-${i}"
promote "model-${i}"
monitor "model-${i}" { drift on x, y; latency p99 < 20 ms }
`;
}

let text = "";
let lines = 0;
const schemas = {};
for (let i = 0; lines < target; i++) {
  const b = block(i);
  text += b;
  lines += b.split("\n").length - 1;
  schemas[`s${i}`] = { columns };
}

/** Median wall time of `runs` calls; also the median CPU time, which other processes on a busy machine disturb less. */
const cpu = {};
function time(fn, runs = 7, name = fn.toString()) {
  for (let i = 0; i < 3; i++) fn(); // warm-up: JIT tiers, Chevrotain's lazy caches, heap growth
  const ms = [];
  const cpuMs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    ms.push(performance.now() - t);
    cpuMs.push((d.user + d.system) / 1000);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  cpu[name] = median(cpuMs);
  return median(ms);
}

let parsed;
const parseMs = time(() => (parsed = parse(text)));
let checked;
const checkMs = time(() => (checked = check(parsed.program, schemas)));
const bothMs = time(() => check(parse(text).program, schemas), 7, "both");
const fmtMs = time(() => format(text), 3);
const errors = [...parsed.diagnostics, ...checked.diagnostics].filter((d) => d.severity === "error");
if (errors.length) throw new Error(`the generated program has errors: ${errors[0].message}`);
console.log(`${lines} lines, ${(text.length / 1024).toFixed(0)} KiB, ${parsed.program.statements.length} statements`);
console.log(`parse ${parseMs.toFixed(0)} ms, check ${checkMs.toFixed(0)} ms, parse+check ${bothMs.toFixed(0)} ms (median of 7; target < 300 ms) — ${bothMs < 300 ? "ok" : "OVER TARGET"}`);
console.log(`parse+check CPU time ${cpu.both.toFixed(0)} ms (includes GC threads)`);
console.log(`format ${fmtMs.toFixed(0)} ms`);

if (referenceDist) {
  const ref = await import(pathToFileURL(path.resolve(referenceDist, "language/index.js")).href);
  const builds = { this: { parse, check }, reference: ref };
  const once = (b) => {
    const c = process.cpuUsage();
    const t = performance.now();
    b.check(b.parse(text).program, schemas);
    const d = process.cpuUsage(c);
    return { wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
  };
  for (let i = 0; i < 3; i++) for (const b of Object.values(builds)) once(b);
  const runs = { this: [], reference: [] };
  // Alternate which goes first, so neither always runs after the other's garbage.
  for (let i = 0; i < 21; i++) for (const k of i % 2 ? ["this", "reference"] : ["reference", "this"]) runs[k].push(once(builds[k]));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const m = (k, f) => median(runs[k].map((r) => r[f]));
  console.log(`against ${referenceDist}: parse+check ${m("this", "wall").toFixed(0)} ms vs ${m("reference", "wall").toFixed(0)} ms (ratio ${(m("this", "wall") / m("reference", "wall")).toFixed(2)}), CPU ${m("this", "cpu").toFixed(0)} vs ${m("reference", "cpu").toFixed(0)} ms (ratio ${(m("this", "cpu") / m("reference", "cpu")).toFixed(2)}); median of 21 alternating`);
}
