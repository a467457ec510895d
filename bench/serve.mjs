// Real-time serving: single-row `POST /predict` against `lathe serve`'s server, for a logistic
// regression and a 100-tree random forest trained on penguins, with a bare `node:http` server that
// reads the same request and answers the same JSON as the reference, in the same run.
//
//   npm run build && node bench/serve.mjs [--seconds 10] [--connections 10]
//
// Each server runs in its own child process (one Node process per server, as in production), and
// autocannon (npm) drives it from this process over loopback with keep-alive, one request in flight
// per connection. The Lathe servers log every prediction (the default), so the numbers include the
// prediction log. Reported: requests per second, the ratio to the bare server, latency p50/p99.
import autocannon from "autocannon";
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const penguinsFile = path.resolve(here, "../node_modules/vega-datasets/data/penguins.json");

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();

/** A server process: `bare BODYFILE` or `lathe STORE NAME`; prints its URL on the IPC channel. */
async function child(kind, a, b) {
  if (kind === "bare") {
    const answer = readFileSync(a, "utf8");
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        // Like any JSON endpoint: read and parse the request, answer with a JSON body.
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(answer) });
        res.end(answer);
      });
    });
    server.listen(0, "127.0.0.1", () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  } else {
    const { startServer } = await import("../dist/runtime/serve/server.js");
    const handle = await startServer({ store: a, ref: { name: b }, port: 0 });
    process.send({ url: handle.url });
  }
  // The server's own CPU time over the measured run (all its threads): on a shared machine,
  // throughput depends on what runs beside it; CPU per request much less.
  let cpu0;
  process.on("message", async (m) => {
    if (m === "cpu-start") {
      cpu0 = process.cpuUsage();
      process.send({ cpu: "started" });
    } else if (m === "cpu-end") {
      const c = process.cpuUsage(cpu0);
      process.send({ cpu: c.user + c.system });
    } else if (m === "stop") process.exit(0);
  });
}

function spawnServer(args) {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ["--child", ...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const ask = (m) =>
      new Promise((done) => {
        p.once("message", (answer) => done(answer.cpu));
        p.send(m);
      });
    p.once("message", (m) => resolve({ url: m.url, stop: () => p.send("stop"), cpuStart: () => ask("cpu-start"), cpuEnd: () => ask("cpu-end") }));
    p.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function post(url, body) {
  const res = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: res.status, text: await res.text() };
}

function load(url, body, seconds, connections) {
  return autocannon({ url: `${url}/predict`, method: "POST", headers: { "content-type": "application/json" }, body, duration: seconds, connections, pipelining: 1 });
}

async function main() {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const seconds = arg("--seconds", 10);
  const connections = arg("--connections", 10);
  const dir = mkdtempSync(path.join(tmpdir(), "lathe-bench-serve-"));
  const root = path.join(dir, ".lathe");
  try {
    const { Session } = await import("../dist/api/session.js");
    const session = await Session.open({ root });
    const features = `"Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island`;
    const r = await session.run(`source penguins = read "${penguinsFile}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  onehot Island
}
split clean into train 80%, test 20% stratify by Species seed 1
model lr = logistic_regression predicting Species from train { features: ${features} }
model forest = random_forest predicting Species from train { features: ${features}; trees: 100 }
register lr as "lr"
promote "lr"
register forest as "forest"
promote "forest"`);
    session.close();
    if (!r.ok) throw new Error(r.error?.message ?? JSON.stringify(r.diagnostics));

    const row = JSON.parse(readFileSync(penguinsFile, "utf8")).find((p) => p.Species !== null);
    const body = JSON.stringify(row);
    const results = [];
    const servers = [
      ["bare node:http", ["bare"]],
      ["lathe serve: logistic_regression", ["lathe", root, "lr"]],
      ["lathe serve: random_forest (100 trees)", ["lathe", root, "forest"]],
    ];
    for (const [label, args] of servers) {
      if (args[0] === "bare") {
        // The bare server answers exactly what Lathe answers for this row (same bytes on the wire).
        const lathe = await spawnServer(["lathe", root, "lr"]);
        const answer = await post(lathe.url, body);
        lathe.stop();
        const file = path.join(dir, "answer.json");
        (await import("node:fs")).writeFileSync(file, answer.text);
        args.push(file);
      }
      const server = await spawnServer(args);
      const check = await post(server.url, body);
      if (check.status !== 200) throw new Error(`${label}: ${check.status} ${check.text}`);
      await load(server.url, body, 2, connections); // warm-up: JIT, connections
      await server.cpuStart();
      const out = await load(server.url, body, seconds, connections);
      const cpuUs = await server.cpuEnd();
      server.stop();
      if (out.non2xx || out.errors) throw new Error(`${label}: ${out.non2xx} non-2xx answers, ${out.errors} errors`);
      results.push({ label, rps: out.requests.average, p50: out.latency.p50, p99: out.latency.p99, requests: out.requests.total, cpu: cpuUs / out.requests.total });
    }
    const bare = results[0].rps;
    console.log(`serve: ${connections} connections, ${seconds} s each, single-row POST /predict on 127.0.0.1 (node ${process.version})`);
    console.log("| server | req/s | × bare | p50 ms | p99 ms | requests | server CPU µs/request | × bare |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const x of results) console.log(`| ${x.label} | ${x.rps.toFixed(0)} | ${(x.rps / bare).toFixed(2)} | ${x.p50} | ${x.p99} | ${x.requests} | ${x.cpu.toFixed(1)} | ${(x.cpu / results[0].cpu).toFixed(2)} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
