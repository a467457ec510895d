// Where a run's memory goes, step by step (Linux): runs a program as `lathe run --no-record` does
// (`Session.run` with `oneShot`, no charts displayed) and prints, after each step, the process's RSS
// and its peak during that step (VmHWM, reset before each step through /proc/self/clear_refs), the
// V8 heap, the memory outside it (external, array buffers) and DuckDB's own count (duckdb_memory()).
//
//   npm run build && node bench/memory-steps.mjs PROGRAM.lathe [--root BUILD_ROOT]
//
// BUILD_ROOT: another build to measure (a folder with its dist/, as for bench/startup.mjs).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const file = path.resolve(process.argv[2] ?? "");
const i = process.argv.indexOf("--root");
const root = i >= 0 ? path.resolve(process.argv[i + 1]) : fileURLToPath(new URL("..", import.meta.url));

const mb = (bytes) => Math.round(bytes / 1048576);
const status = () => {
  const s = readFileSync("/proc/self/status", "utf8");
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
};
let duck = "—";
const line = (what) => {
  const s = status();
  const m = process.memoryUsage();
  console.log(`| ${what} | ${s.rss} MB | ${s.peak} MB | ${mb(m.heapUsed)} / ${mb(m.heapTotal)} MB | ${mb(m.external)} / ${mb(m.arrayBuffers)} MB | ${duck} |`);
  writeFileSync("/proc/self/clear_refs", "5");
};

console.log("| after | RSS | peak during | V8 heap used / total | external / array buffers | DuckDB |");
console.log("|---|---|---|---|---|---|");
line("node started");
const { Session } = await import(path.join(root, "dist/api/session.js"));
line("library imported");
const session = await Session.open({ root: path.join(path.dirname(file), ".lathe-memory-steps"), record: false });
line("session open");
// DuckDB's count, polled on a connection of its own: a query on the executor's connection would
// close the streaming result a step is reading.
const own = await session.executor.db.instance.connect();
// One poll at a time, awaited before the connection closes: closing it under a running query left a
// thread-pool task that never ended, and the process hung in exit.
let polling = Promise.resolve();
const poll = setInterval(() => {
  polling = polling.then(async () => {
    try {
      const reader = await own.runAndReadAll("SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()");
      duck = `${mb(Number(reader.getRowObjects()[0].b))} MB`;
    } catch {
      // the database is busy or closed: keep the last figure
    }
  });
}, 100);
const outcome = await session.run(readFileSync(file, "utf8"), {
  file,
  oneShot: true,
  displayCharts: false,
  onEvent: (e) => {
    if (e.type === "step-end") line(e.label ?? e.id);
  },
});
clearInterval(poll);
await polling;
own.closeSync();
if (outcome.error) console.error(outcome.error.message);
line("run done");
session.close();
line("session closed");
// An older build (--root) may leave a handle open after close; the figures are out, so end here.
process.exit(0);
