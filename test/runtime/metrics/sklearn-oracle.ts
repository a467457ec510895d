/**
 * Test helper: runs Python snippets against Debian's scikit-learn. Each snippet
 * reads `data` and prints one JSON value; all snippets share one interpreter
 * because importing sklearn costs about two seconds.
 */
import { execFileSync, spawnSync } from "node:child_process";

const PYTHON = "/usr/bin/python3";

export interface SklearnJob {
  script: string;
  data: unknown;
}

/** Whether /usr/bin/python3 can import sklearn. */
export function sklearnAvailable(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import sklearn"], { encoding: "utf8" });
  return r.status === 0;
}

const DRIVER = `
import contextlib, io, json, sys
import numpy as np
jobs = json.load(sys.stdin)
results = []
for job in jobs:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(job["script"], {"data": job["data"], "np": np, "json": json})
    results.append(json.loads(buf.getvalue()))
print(json.dumps(results))
`;

/** Runs every job in one interpreter and returns each job's printed JSON, in order. */
export function runSklearn(jobs: SklearnJob[]): unknown[] {
  const out = execFileSync(PYTHON, ["-c", DRIVER], { input: JSON.stringify(jobs), encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out) as unknown[];
}
