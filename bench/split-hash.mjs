// Benchmark: the cost of the portable row hash in DuckDB splits (issue 18): the same program with
// DuckDB's own hash (`hash native`) and with the portable hash (the default), alternating in one process.
//
//   npm run build && node bench/split-hash.mjs [rounds, default 3]      (SPLIT="stratify by origin" for a ranked split)
//
// Runs bench/flights.mjs's program (flights-3m: load, a prepare with fitted steps, an 80/20 split)
// through Session.run, each side in turn, and reports wall and process CPU time (DuckDB's threads
// included) per run, the medians and their ratios, with the 1-minute load average.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../dist/api/session.js";
import { flightsSteps } from "./flights-program.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 3);
const file = path.resolve(here, "../node_modules/vega-datasets/data/flights-3m.parquet");
const how = process.env.SPLIT ?? "";
const programs = {
  native: `source flights = read "${file}"` + flightsSteps(`${how} hash native`.trim()),
  portable: `source flights = read "${file}"` + flightsSteps(how),
};

async function once(program) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const session = await Session.open({ record: false });
  try {
    const out = await session.run(program);
    if (!out.ok) throw new Error(out.error?.message ?? out.diagnostics.map((d) => d.message).join("\n"));
    const split = out.output.results.find((r) => r.kind === "split");
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, parts: split.parts.map((p) => `${p.name} ${p.rows}`).join(", ") };
  } finally {
    session.close();
  }
}

const times = { native: [], portable: [] };
const cpu = { native: [], portable: [] };
await once(programs.native); // warm-up: the file in the page cache, modules compiled
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 ? ["portable", "native"] : ["native", "portable"]) {
    const got = await once(programs[name]);
    times[name].push(got.ms);
    cpu[name].push(got.cpu);
    console.log(`${name}: ${(got.ms / 1000).toFixed(2)} s wall, ${(got.cpu / 1000).toFixed(2)} s CPU (${got.parts}); load ${os.loadavg()[0].toFixed(2)}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => (ms / 1000).toFixed(2);
console.log(`split ${how || "plain"}: median native ${s(median(times.native))} s, portable ${s(median(times.portable))} s, ratio ${(median(times.portable) / median(times.native)).toFixed(2)}×; CPU ${s(median(cpu.native))} s → ${s(median(cpu.portable))} s, ${(median(cpu.portable) / median(cpu.native)).toFixed(2)}×`);
