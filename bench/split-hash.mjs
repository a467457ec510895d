// Benchmark: the cost of the portable row hash in DuckDB splits (issue 18), before/after in one process.
//
//   npm run build && cp -r dist /tmp/x/dist-before (a build of the commit before) &&
//   node bench/split-hash.mjs PATH/TO/dist-before [PATH/TO/dist-after, default ./dist] [rounds, default 3]
//
// Runs bench/flights.mjs's program (flights-3m: load, a prepare with fitted steps, an 80/20 split)
// through Session.run on each build in turn, alternating, and reports each side's times and the
// median ratio. Both builds share one node_modules (one DuckDB), so only Lathe's SQL differs.
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { flightsSteps } from "./flights-program.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const [before, after = path.join(here, "../dist"), rounds = "3"] = process.argv.slice(2);
if (!before) throw new Error("usage: node bench/split-hash.mjs DIST_BEFORE [DIST_AFTER] [ROUNDS]");
const file = path.resolve(here, "../node_modules/vega-datasets/data/flights-3m.parquet");
const how = process.env.SPLIT ?? "";
const program = `
source flights = read "${file}"` + flightsSteps(how);

const sides = {};
for (const [name, dir] of [["before", before], ["after", after]]) sides[name] = (await import(pathToFileURL(path.resolve(dir, "api/session.js")).href)).Session;

async function once(Session) {
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

const times = { before: [], after: [] };
const cpu = { before: [], after: [] };
await once(sides.before); // warm-up: the file in the page cache, modules compiled
for (let r = 0; r < Number(rounds); r++) {
  for (const name of r % 2 ? ["after", "before"] : ["before", "after"]) {
    const got = await once(sides[name]);
    times[name].push(got.ms);
    cpu[name].push(got.cpu);
    console.log(`${name}: ${(got.ms / 1000).toFixed(2)} s wall, ${(got.cpu / 1000).toFixed(2)} s CPU (${got.parts}); load ${os.loadavg()[0].toFixed(2)}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`split ${how || "plain"}: median before ${(median(times.before) / 1000).toFixed(2)} s, after ${(median(times.after) / 1000).toFixed(2)} s, ratio ${(median(times.after) / median(times.before)).toFixed(2)}×; CPU ${(median(cpu.before) / 1000).toFixed(2)} s → ${(median(cpu.after) / 1000).toFixed(2)} s, ${(median(cpu.after) / median(cpu.before)).toFixed(2)}×`);
