// Benchmark: start-up and idle memory of the CLI, this build against another, alternating.
//
//   npm run build && node bench/startup.mjs [--baseline ROOT] [--rounds 6]
//
// ROOT is a build to compare with: a folder holding its bin/lathe.js, dist/ and package.json, with a
// node_modules link (e.g. `mkdir /tmp/old && cp -r bin dist package.json /tmp/old && ln -s
// $PWD/node_modules /tmp/old/`, made before changing anything). Each round runs every measure once per
// build, the builds in alternating order, so both see the same machine state. Measures, each a fresh
// process under /usr/bin/time (wall, user + sys CPU, peak RSS):
// - `run --no-record`: `lathe run examples/penguins.lathe --no-record` (the whole process);
// - `run, recorded`: the same program recorded into a fresh store (journal, model file, the chart's files);
// - `--version`: Node and the CLI's entry, nothing else;
// - idle: a process that imported the library and opened a session (DuckDB, the parser), then reads
//   its own VmRSS from /proc/self/status.
// Prints the 1-minute load average before and after: on a loaded machine only the CPU columns mean much.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const here = fileURLToPath(new URL("..", import.meta.url));
const rounds = Number(arg("rounds", 6));
const builds = [{ name: "this build", root: here }, ...(arg("baseline") ? [{ name: "baseline", root: arg("baseline") }] : [])];
const program = join(here, "examples/penguins.lathe");
const scratch = mkdtempSync(join(tmpdir(), "lathe-bench-startup-"));

/** One process under /usr/bin/time: wall s, CPU s, peak RSS MB, and what it printed. */
function timed(args, env = {}) {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %e %U %S %M", ...args], { encoding: "utf8", cwd: scratch, env: { ...process.env, ...env } });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rss: Number(m[4]) / 1024, stdout: r.stdout };
}

const idleScript = (root) => `
const { Session } = await import(${JSON.stringify(join(root, "dist/api/session.js"))});
const s = await Session.open({ root: ${JSON.stringify(join(scratch, "idle-store"))}, record: false });
const status = require("node:fs").readFileSync("/proc/self/status", "utf8");
console.log(JSON.stringify({ rss: Number(/VmRSS:\\s+(\\d+)/.exec(status)[1]) / 1024, hwm: Number(/VmHWM:\\s+(\\d+)/.exec(status)[1]) / 1024 }));
s.close();`;

const measures = {
  "run --no-record": (root) => timed(["node", join(root, "bin/lathe.js"), "run", program, "--no-record"]),
  "run, recorded": (root) => {
    const store = mkdtempSync(join(scratch, "store-"));
    try {
      return timed(["node", join(root, "bin/lathe.js"), "run", program, "--store", store]);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  },
  "--version": (root) => timed(["node", join(root, "bin/lathe.js"), "--version"]),
  "idle (session open), VmRSS": (root) => {
    const out = execFileSync("node", ["--input-type=commonjs", "-e", `(async () => {${idleScript(root)}})()`], { encoding: "utf8", cwd: scratch });
    const { rss } = JSON.parse(out.trim().split("\n").pop());
    return { rss };
  },
};

const results = new Map();
const load = [loadavg()[0]];
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...builds].reverse() : builds;
    for (const [measure, run] of Object.entries(measures))
      for (const b of order) {
        const key = `${measure}\t${b.name}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(run(b.root));
      }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
load.push(loadavg()[0]);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cell = (xs, digits, unit) => (xs.some((x) => x === undefined) ? "—" : `${median(xs).toFixed(digits)} ${unit} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`);
console.log(`node ${process.version}, ${rounds} rounds, 1-minute load average ${load[0].toFixed(2)} at the start, ${load[1].toFixed(2)} at the end`);
console.log("| measure | build | wall, median (min–max) | CPU user+sys | peak RSS |");
console.log("|---|---|---|---|---|");
for (const [key, rs] of results) {
  const [measure, build] = key.split("\t");
  console.log(`| ${measure} | ${build} | ${cell(rs.map((r) => r.wall), 2, "s")} | ${cell(rs.map((r) => r.cpu), 2, "s")} | ${cell(rs.map((r) => r.rss), 0, "MB")} |`);
}
