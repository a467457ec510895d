// The cost of monitoring, in one run:
// (a) serving throughput with the prediction log on vs off: the same registered model served twice
//     in this process (`startServer({ predictionLog })`), autocannon against each in alternating
//     rounds (single-row POST /predict, keep-alive); the ratio is log-on / log-off requests per second.
// (b) `lathe monitor` over 1M logged predictions: NDJSON segments generated here (penguins inputs,
//     a shifted half), then the CLI in a child process under /usr/bin/time: wall time, CPU time and peak RSS.
//
//   npx tsc -p tsconfig.json && node bench/monitor.mjs [--rounds 3] [--seconds 5] [--rows 1000000]
//     [--only a|b] [--store DIR] [--dist DIR]...
// --only runs one part. --store DIR keeps the registered models and the generated logs in DIR/.lathe
// (made by the first run, reused by later ones, so before/after runs read the same files). --dist DIR
// (repeatable) also times `lathe monitor` of another build (DIR is a copy of an earlier dist/, with
// its bin/ beside it), alternating with this one over the rounds, each in a fresh process.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const value = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const arg = (name, dflt) => (value(name) === undefined ? dflt : Number(value(name)));
const rounds = arg("--rounds", 3);
const seconds = arg("--seconds", 5);
const total = arg("--rows", 1_000_000);
const only = value("--only");
const keep = value("--store");
const dists = process.argv.flatMap((a, i) => (a === "--dist" ? [path.resolve(process.argv[i + 1])] : []));

const { Session } = await import(path.join(repo, "dist/api/session.js"));
const { startServer } = await import(path.join(repo, "dist/runtime/serve/server.js"));
const { predictionLogDir } = await import(path.join(repo, "dist/runtime/serve/prediction-log.js"));
const penguins = path.join(repo, "node_modules/vega-datasets/data/penguins.json");
const root = path.join(keep ? path.resolve(keep) : mkdtempSync(path.join(tmpdir(), "lathe-bench-monitor-")), ".lathe");
const reused = existsSync(path.join(root, "registry", "bulk"));
if (!reused) {
const s = await Session.open({ root });
const r = await s.run(`source penguins = read "${penguins}"
prepare clean = penguins { drop rows where Species is missing; fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median; onehot Island }
split clean into train 70%, test 30% stratify by Species seed 5
model lr = logistic_regression predicting Species from train { features: "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island }
evaluate lr on test metrics accuracy
register lr as "penguins"
promote "penguins"
register lr as "bulk"
promote "bulk"`);
s.close();
if (!r.ok) throw new Error(`the bench program failed: ${r.error?.message}`);
}
const rows = JSON.parse(readFileSync(penguins, "utf8")).filter((x) => x.Species !== null);
const body = JSON.stringify(rows[0]);

if (only !== "b") {
  // (a) one server per setting, both up for the whole measurement, rounds alternating.
  const on = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, predictionLog: true });
  const off = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, predictionLog: false });
  const load = (url) =>
    new Promise((resolve, reject) =>
      autocannon({ url: `${url}/predict`, method: "POST", headers: { "content-type": "application/json" }, body, connections: 10, duration: seconds }, (e, res) => (e ? reject(e) : resolve(res))),
    );
  const rate = { on: [], off: [] };
  await load(on.url); // warm-up
  await load(off.url);
  for (let i = 0; i < rounds; i++) {
    for (const [k, srv] of i % 2 ? [["off", off], ["on", on]] : [["on", on], ["off", off]]) {
      const res = await load(srv.url);
      if (res.non2xx || res.errors) throw new Error(`${k}: ${res.non2xx} non-2xx, ${res.errors} errors`);
      rate[k].push(res.requests.average);
    }
}
await on.close();
await off.close();
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(`(a) throughput, ${rounds} rounds × ${seconds} s, 10 connections: log on ${mean(rate.on).toFixed(0)} req/s [${rate.on.map((x) => x.toFixed(0)).join(", ")}], log off ${mean(rate.off).toFixed(0)} req/s [${rate.off.map((x) => x.toFixed(0)).join(", ")}], ratio ${(mean(rate.on) / mean(rate.off)).toFixed(3)}`);

}
if (only === "a") process.exit(0);

// (b) 1M logged predictions of a second name, from 2020-01-01 one every 60 ms, in 64 MB-ish segments; half with Body Mass shifted.
const dir = predictionLogDir(root, "bulk");
if (!reused) {
  mkdirSync(dir, { recursive: true });
  const start = Date.parse("2020-01-01T00:00:00Z");
  const fields = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Island"];
  const perSegment = 200_000;
  for (let seg = 0; seg * perSegment < total; seg++) {
    let text = "";
    for (let i = seg * perSegment; i < Math.min(total, (seg + 1) * perSegment); i++) {
      const x = rows[i % rows.length];
      const input = Object.fromEntries(fields.map((f) => [f, x[f]]));
      if (i >= total / 2 && input["Body Mass (g)"] !== null) input["Body Mass (g)"] += 800;
      text += JSON.stringify({ request_id: `r${i}`, row: 0, time: new Date(start + i * 60).toISOString(), model: "bulk", version: 1, input, prediction: x.Species, probabilities: { Adelie: 0.5, Chinstrap: 0.25, Gentoo: 0.25 }, latency_ms: 0.2 + (i % 97) / 100 }) + "\n";
    }
    writeFileSync(path.join(dir, `20200101T${String(seg).padStart(6, "0")}-1-${String(seg).padStart(8, "0")}.ndjson`), text);
}
}

/** One `lathe monitor` of a build (undefined: this one) in a child process: wall, CPU, peak RSS. */
function timed(dist) {
  const bin = dist ? path.join(path.dirname(dist), "bin/lathe.js") : path.join(repo, "bin/lathe.js");
  const cli = spawnSync("/usr/bin/time", ["-f", "%e %M %U %S", process.execPath, bin, "monitor", "bulk", "--store", root, "--json"], { encoding: "utf8", maxBuffer: 1 << 26 });
  const [wall, kb, user, sys] = cli.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  if (!cli.stdout.trim()) throw new Error(`lathe monitor failed (exit ${cli.status}): ${cli.stderr}`);
  const out = JSON.parse(cli.stdout);
  if (out.signals["latency p99"] === undefined) throw new Error(`no latency: ${JSON.stringify(out.counts)} ${JSON.stringify(out.notes)}`);
  console.log(`(b) ${dist ?? "this build"}: lathe monitor over ${out.counts.predictions.toLocaleString("en")} logged predictions (exit ${cli.status}): ${wall.toFixed(1)} s wall, ${(user + sys).toFixed(1)} s CPU (user ${user.toFixed(1)}, sys ${sys.toFixed(1)}), peak RSS ${(kb / 1024).toFixed(0)} MB; drift share ${out.signals.drift}, latency p99 ${out.signals["latency p99"].toFixed(3)} ms`);
  return out;
}
const results = [];
for (let i = 0; i < (dists.length ? rounds : 1); i++) for (const d of i % 2 ? [...dists, undefined] : [undefined, ...dists]) results.push(timed(d));
// Every build must find the same evaluation (apart from when it ran and the file it wrote).
const comparable = (o) => JSON.stringify({ ...o, at: null, file: null, window: { from: o.window.from }, signals: { ...o.signals, requests: null } });
if (new Set(results.map(comparable)).size > 1) console.log("(b) the builds' results DIFFER:\n" + [...new Set(results.map(comparable))].join("\n"));
