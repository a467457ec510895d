// Kernel start-up and cell round trip, measured the way a frontend sees them: through jupyter_client
// (Debian's /usr/bin/python3), against the Lathe kernel installed from dist/ in a temporary prefix,
// with Debian's ipykernel (python3) as the reference in the same run.
//
//   npm run build && node bench/kernel.mjs [--starts 5] [--cells 100] [--reference OTHER/dist]
//
// --reference: also install the kernel of another build (e.g. the main branch's dist/, built in a
// worktree) and measure it in the same run, printing this build's times as ratios of its times.
//
// start: KernelManager.start_kernel() until the kernel_info_reply (what Jupyter waits for);
// usable: until a first cell has run (the Lathe kernel loads DuckDB/TF.js/Vega after answering);
// cell: execute_request sent until its execute_reply *and* the idle status are in, per trivial cell.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const starts = arg("--starts", 5);
const cells = arg("--cells", 100);

const { installLatheKernel } = await import(path.join(root, "dist/kernel/main.js"));
const prefix = mkdtempSync(path.join(tmpdir(), "lathe-bench-kernel-"));
const store = mkdtempSync(path.join(tmpdir(), "lathe-bench-store-"));
await installLatheKernel({ prefix, name: "lathe-bench" });
const refAt = process.argv.indexOf("--reference");
const referenceDist = refAt > 0 ? path.resolve(process.argv[refAt + 1]) : undefined;
if (referenceDist) {
  const reference = await import(path.join(referenceDist, "kernel/main.js"));
  await reference.installLatheKernel({ prefix, name: "lathe-bench-ref" });
}

const python = String.raw`
import json, statistics, sys, time
from jupyter_client.manager import KernelManager

name, cwd, starts, cells = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
setup, trivial = json.loads(sys.argv[5]), json.loads(sys.argv[6])

def until_idle(kc, msg_id):
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return

def run(kc, code):
    msg_id = kc.execute(code)
    while True:
        r = kc.get_shell_msg(timeout=60)
        if r["parent_header"].get("msg_id") == msg_id:
            break
    assert r["content"]["status"] == "ok", r["content"]
    until_idle(kc, msg_id)

start_s, usable_s, per_cell = [], [], {c: [] for c in trivial}
for i in range(starts):
    t0 = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    start_s.append(time.perf_counter() - t0)
    run(kc, setup)
    usable_s.append(time.perf_counter() - t0)
    if i == 0:
        for c in trivial:
            run(kc, c)  # warm-up
            for _ in range(cells):
                t = time.perf_counter()
                run(kc, c)
                per_cell[c].append(time.perf_counter() - t)
    kc.stop_channels()
    km.shutdown_kernel(now=False)

def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]

print(json.dumps({
    "start_median_s": statistics.median(start_s), "start_max_s": max(start_s),
    "usable_median_s": statistics.median(usable_s),
    "cells": {c: {"median_ms": 1000 * statistics.median(v), "p95_ms": 1000 * q(v, 0.95)} for c, v in per_cell.items()},
}))
`;

function measure(kernel, setup, trivial) {
  const r = spawnSync("/usr/bin/python3", ["-c", python, kernel, root, String(starts), String(cells), JSON.stringify(setup), JSON.stringify(trivial)], {
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share/jupyter"), LATHE_STORE: store, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`${kernel}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

try {
  const lathe = measure("lathe-bench", 'source s = sql "select 1 as x"', ["param k = 1", "show s"]);
  const ipy = measure("python3", "s = 1", ["k = 1"]);
  const fmt = (x) => x.toFixed(3);
  console.log(`kernel start (until kernel_info_reply), median of ${starts}: Lathe ${fmt(lathe.start_median_s)} s (max ${fmt(lathe.start_max_s)}), ipykernel ${fmt(ipy.start_median_s)} s, ratio ${(lathe.start_median_s / ipy.start_median_s).toFixed(2)}×  [target < 2 s]`);
  console.log(`until a first cell has run, median: Lathe ${fmt(lathe.usable_median_s)} s, ipykernel ${fmt(ipy.usable_median_s)} s`);
  for (const [code, v] of Object.entries(lathe.cells)) {
    console.log(`cell round trip "${code}" (${cells} runs): median ${v.median_ms.toFixed(1)} ms, p95 ${v.p95_ms.toFixed(1)} ms  [target < 50 ms]`);
  }
  const ref = ipy.cells["k = 1"];
  console.log(`reference ipykernel "k = 1": median ${ref.median_ms.toFixed(1)} ms, p95 ${ref.p95_ms.toFixed(1)} ms; ratio (param) ${(lathe.cells["param k = 1"].median_ms / ref.median_ms).toFixed(2)}×`);
  if (referenceDist) {
    const other = measure("lathe-bench-ref", 'source s = sql "select 1 as x"', ["param k = 1", "show s"]);
    const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
    console.log(`against ${referenceDist} (same run): start ${fmt(lathe.start_median_s)} vs ${fmt(other.start_median_s)} s (${ratio(lathe.start_median_s, other.start_median_s)}), first cell ${fmt(lathe.usable_median_s)} vs ${fmt(other.usable_median_s)} s (${ratio(lathe.usable_median_s, other.usable_median_s)})`);
    for (const [code, v] of Object.entries(lathe.cells)) console.log(`  "${code}": median ${v.median_ms.toFixed(1)} vs ${other.cells[code].median_ms.toFixed(1)} ms (${ratio(v.median_ms, other.cells[code].median_ms)}), p95 ${v.p95_ms.toFixed(1)} vs ${other.cells[code].p95_ms.toFixed(1)} ms`);
  }
} finally {
  rmSync(prefix, { recursive: true, force: true });
  rmSync(store, { recursive: true, force: true });
}
