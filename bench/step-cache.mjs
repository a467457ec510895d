// The step cache: the wall and CPU time of `lathe run` on an example with an empty cache (every step
// computed, and kept), then again with the cache filled (the reference is the first run, in the same
// round), and with --no-cache (every step computed on a warm machine).
//
//   npm run build && node bench/step-cache.mjs [--rounds 3] [examples/penguins.lathe ...]
//
// Each round uses a fresh store in a temporary folder holding the example (node_modules linked for
// its data). CPU time is the child's user + system time (bash's `time`), which compares runs fairly
// on a loaded machine; wall time is what a user waits.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const at = process.argv.indexOf("--rounds");
const rounds = at > 0 ? Number(process.argv[at + 1]) : 3;
const files = process.argv.slice(2).filter((a, i, all) => a !== "--rounds" && all[i - 1] !== "--rounds");
const examples = files.length ? files : ["examples/penguins.lathe", "examples/cars-mpg.lathe"];

/** One `lathe run` in `dir`: wall and CPU seconds, and how many steps it reused. */
function run(dir, file, extra = []) {
  const cmd = `TIMEFORMAT='%R %U %S'; time ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(root, "bin/lathe.js"))} run ${file} ${extra.join(" ")} > out.txt`;
  const r = spawnSync("bash", ["-c", cmd], { cwd: dir, encoding: "utf8" });
  const [wall, user, sys] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  const out = spawnSync("cat", ["out.txt"], { cwd: dir, encoding: "utf8" }).stdout;
  if (r.status !== 0) throw new Error(`lathe run ${file} ${extra.join(" ")} exited ${r.status}:\n${r.stderr}\n${out}`);
  return { wall, cpu: user + sys, reused: Number(/\((\d+) steps? reused/.exec(out)?.[1] ?? 0) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}, ${rounds} rounds`);
console.log("| example | run | wall (median) | CPU (median) | wall ÷ first | CPU ÷ first | steps reused |");
console.log("|---|---|---|---|---|---|---|");
for (const example of examples) {
  const runs = { first: [], cached: [], "--no-cache": [] };
  for (let i = 0; i < rounds; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), "lathe-bench-cache-"));
    try {
      copyFileSync(path.join(root, example), path.join(dir, path.basename(example)));
      symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
      runs.first.push(run(dir, path.basename(example)));
      runs.cached.push(run(dir, path.basename(example)));
      runs["--no-cache"].push(run(dir, path.basename(example), ["--no-cache"]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const first = { wall: median(runs.first.map((r) => r.wall)), cpu: median(runs.first.map((r) => r.cpu)) };
  for (const [name, rs] of Object.entries(runs)) {
    const wall = median(rs.map((r) => r.wall));
    const cpu = median(rs.map((r) => r.cpu));
    console.log(`| ${path.basename(example)} | ${name} | ${wall.toFixed(2)} s | ${cpu.toFixed(2)} s | ${(wall / first.wall).toFixed(2)}× | ${(cpu / first.cpu).toFixed(2)}× | ${median(rs.map((r) => r.reused))} |`);
  }
}
