// Parse + check time of a generated 10,000-line Lathe program (target: under 300 ms).
// Run: npm run build && node bench/language.mjs [lines]
import { check, parse } from "../dist/language/index.js";
import { format } from "../dist/language/format.js";

const target = Number(process.argv[2] ?? 10_000);
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
