// The cost of monitoring, in one run:
// (a) serving throughput with the prediction log on vs off: the same registered model served by two
//     child processes started alike (`startServer({ predictionLog })`), both up throughout, autocannon
//     in this process against each in interleaved rounds (on/off, off/on, ...; single-row POST /predict,
//     10 keep-alive connections); medians of the rounds' requests per second and of the servers' CPU
//     time per request, and the on/off ratios. The load average before and after is printed with them.
// (b) `lathe monitor` over 1M logged predictions: NDJSON segments generated here (penguins inputs,
//     a shifted half), then the CLI in a child process under /usr/bin/time: wall time, CPU time and peak RSS.
//
//   npx tsc -p tsconfig.json && node bench/monitor.mjs [--rounds 8] [--seconds 5] [--rows 1000000]
//     [--only a|b] [--store DIR] [--dist DIR]...
// --only runs one part. --store DIR keeps the registered models and the generated logs in DIR/.lathe
// (made by the first run, reused by later ones, so before/after runs read the same files). --dist DIR
// (repeatable) also times `lathe monitor` of another build (DIR is a copy of an earlier dist/, with
// its bin/ beside it), alternating with this one over the rounds, each in a fresh process.
import { fork, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");

if (process.argv[2] === "--child") {
  // A server process of (a): `--child STORE on|off`. Answers "cpu" with its CPU time so far (µs), "stop" by closing.
  const { startServer } = await import(path.join(repo, "dist/runtime/serve/server.js"));
  const handle = await startServer({ store: process.argv[3], ref: { name: "penguins" }, port: 0, pollMs: 0, predictionLog: process.argv[4] === "on" });
  process.on("message", async (m) => {
    if (m === "cpu") {
      const u = process.cpuUsage();
      process.send({ cpu: u.user + u.system });
    } else if (m === "stop") {
      await handle.close();
      process.send({ stopped: true });
      process.exit(0);
    }
  });
  process.send({ url: handle.url });
  await new Promise(() => undefined);
}

/** A server of (a) in a child process: its URL, its CPU time so far, and stop (which returns its log's counts). */
function spawnServer(store, setting) {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ["--child", store, setting], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const ask = (m, key) => new Promise((res) => { const on = (x) => { if (key in x) { p.off("message", on); res(x[key]); } }; p.on("message", on); p.send(m); });
    p.once("message", (m) => resolve({ url: m.url, cpu: () => ask("cpu", "cpu"), stop: () => ask("stop", "stopped") }));
    p.once("exit", (code) => reject(new Error(`the ${setting} server exited with ${code}`)));
  });
}
const value = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const arg = (name, dflt) => (value(name) === undefined ? dflt : Number(value(name)));
const rounds = arg("--rounds", 8);
const seconds = arg("--seconds", 5);
const total = arg("--rows", 1_000_000);
const only = value("--only");
const keep = value("--store");
const dists = process.argv.flatMap((a, i) => (a === "--dist" ? [path.resolve(process.argv[i + 1])] : []));

const { Session } = await import(path.join(repo, "dist/api/session.js"));
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
  // (a) one server process per setting, both started the same way (a fork of this script calling
  // startServer, as `lathe serve` does) and both up for the whole measurement; autocannon in this
  // process loads one at a time, in rounds alternating on/off/off/on..., so a change of the
  // machine's load hits both alike. Per round: requests per second, and the server's CPU time per
  // request (process.cpuUsage in the server, before and after), the steadier measure on a shared machine.
  const logLines = () => {
    const dir = predictionLogDir(root, "penguins");
    return existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean).length, 0) : 0;
  };
  const linesBefore = logLines();
  const servers = { on: await spawnServer(root, "on"), off: await spawnServer(root, "off") };
  let answered = 0;
  const load = (url, secs) =>
    new Promise((resolve, reject) =>
      autocannon({ url: `${url}/predict`, method: "POST", headers: { "content-type": "application/json" }, body, connections: 10, duration: secs }, (e, res) => (e ? reject(e) : resolve(res))),
    );
  const rate = { on: [], off: [] };
  const cpu = { on: [], off: [] };
  for (const k of ["on", "off"]) await load(servers[k].url, 2); // warm-up: JIT, connections
  for (let i = 0; i < rounds; i++) {
    for (const k of i % 2 ? ["off", "on"] : ["on", "off"]) {
      const before = await servers[k].cpu();
      const res = await load(servers[k].url, seconds);
      const after = await servers[k].cpu();
      if (res.non2xx || res.errors) throw new Error(`${k}: ${res.non2xx} non-2xx, ${res.errors} errors`);
      rate[k].push(res.requests.total / seconds);
      if (k === "on") answered += res.requests.total;
      cpu[k].push((after - before) / res.requests.total);
    }
  }
  // Warm-up requests were logged too: 2 s of them at most, counted below as "more than answered".
  await servers.on.stop();
  await servers.off.stop();
  const logged = logLines() - linesBefore;
  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const list = (a, d = 0) => a.map((x) => x.toFixed(d)).join(", ");
  const pairs = rate.on.map((x, i) => x / rate.off[i]);
  console.log(`(a) ${rounds} rounds × ${seconds} s, 10 connections, single-row POST /predict, node ${process.version}; load average before: ${loadBefore}, after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  console.log(`(a) log on:  median ${median(rate.on).toFixed(0)} req/s [${list(rate.on)}]; server CPU ${median(cpu.on).toFixed(0)} µs/request [${list(cpu.on)}]; ${logged} records logged (${answered} answered in the rounds, plus the warm-up)`);
  console.log(`(a) log off: median ${median(rate.off).toFixed(0)} req/s [${list(rate.off)}]; server CPU ${median(cpu.off).toFixed(0)} µs/request [${list(cpu.off)}]`);
  console.log(`(a) on/off: throughput ratio of medians ${(median(rate.on) / median(rate.off)).toFixed(3)} (median of the rounds' ratios ${median(pairs).toFixed(3)} [${list(pairs, 3)}]); CPU per request ratio ${(median(cpu.on) / median(cpu.off)).toFixed(3)}`);
  // The log's own CPU per record, in this process: records made as the server makes them (one per
  // single-row request), appended and written in batches of what 200 ms hold at ~3,000 req/s. Its
  // share of the log-off server's CPU per request is what the log should cost, load or not.
  const { SegmentLog } = await import(path.join(repo, "dist/runtime/serve/segment-log.js"));
  const scratch = mkdtempSync(path.join(tmpdir(), "lathe-bench-log-"));
  const schema = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Island"];
  const perRecord = [];
  for (let round = 0; round < 5; round++) {
    const log = new SegmentLog({ dir: scratch });
    const n = 60_000;
    const before = process.cpuUsage();
    for (let k = 0; k < n; k++) {
      const input = {};
      for (const c of schema) input[c] = rows[k % rows.length][c];
      log.append({ request_id: `bench-${round}-${k}-0f8e2c9a-1b2c-4d5e-8f90`, row: 0, time: new Date(Date.now()).toISOString(), model: "penguins", version: 1, input, prediction: "Adelie", probabilities: { Adelie: 0.97, Chinstrap: 0.02, Gentoo: 0.01 }, latency_ms: k / 1000 });
      if (k % 600 === 599) await log.flush();
    }
    await log.close();
    const used = process.cpuUsage(before);
    perRecord.push((used.user + used.system) / n);
  }
  rmSync(scratch, { recursive: true, force: true });
  console.log(`(a) the log's own CPU: median ${median(perRecord).toFixed(1)} µs per record [${list(perRecord, 1)}], ${((100 * median(perRecord)) / median(cpu.off)).toFixed(1)}% of the log-off server's CPU per request`);
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
// Every build must find the same evaluation (apart from when it ran and the file it wrote), in the
// fields they share: a later build may add fields (docs/monitoring.md: fields are only ever added).
const comparable = (o) => ({ ...o, at: null, file: null, window: { from: o.window.from }, signals: { ...o.signals, requests: null } });
const shared = (a, b) =>
  Array.isArray(a) && Array.isArray(b) ? a.map((x, i) => shared(x, b[i])) : a && b && typeof a === "object" && typeof b === "object" ? Object.fromEntries(Object.keys(a).filter((k) => k in b).map((k) => [k, shared(a[k], b[k])])) : a;
const [first, ...others] = results.map(comparable);
const differ = others.filter((o) => JSON.stringify(shared(first, o)) !== JSON.stringify(shared(o, first)));
console.log(differ.length ? `(b) the builds' results DIFFER in their shared fields (${differ.length} of ${others.length})` : `(b) ${results.length} evaluations, the same result in every shared field`);
