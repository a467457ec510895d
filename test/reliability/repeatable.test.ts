import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { parse } from "../../language/index.js";
import { encodeModelFile } from "../../runtime/model-file.js";
import { pendingStatementKinds } from "../../runtime/ops/index.js";
import { repo } from "../helpers.js";

// The same program on the same data gives the same metrics, model files and shown rows, bit for bit,
// run after run, on one DuckDB thread or many. LATHE_REPEAT sets the number of runs (the 20; CI runs 3).
const runs = Math.max(2, Number(process.env.LATHE_REPEAT ?? 3));

function notebookProgram(file: string): string {
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
}

const pending = new Set(pendingStatementKinds());
const programs = [
  ...readdirSync(path.join(repo, "examples"))
    .filter((f) => f.endsWith(".lathe"))
    .map((f) => ({ name: f, dir: path.join(repo, "examples"), text: readFileSync(path.join(repo, "examples", f), "utf8") })),
  // The flights notebook trains on 300,000 rows: it joins with LATHE_REPEAT_FLIGHTS=1, not on every test run.
  ...["lathe-penguins.ipynb", "cars.ipynb", ...(process.env.LATHE_REPEAT_FLIGHTS === "1" ? ["flights.ipynb"] : [])].map((f) => ({ name: f, dir: path.join(repo, "notebooks"), text: notebookProgram(path.join(repo, "notebooks", f)) })),
].filter((p) => !parse(p.text).program.statements.some((s) => pending.has(s.kind)));

/** What must not change between runs: every metric, and the bytes of every model file. */
async function fingerprint(text: string, dir: string, threads: number): Promise<{ metrics: string; tables: string; models: Record<string, string> }> {
  const s = await Session.open({ record: false, baseDir: dir });
  try {
    await s.executor.db.exec(`SET threads = ${threads}`);
    const r = await s.run(text, { sideEffects: false });
    expect(r.error?.kind === "internal" ? r.error.message : r.diagnostics.filter((d) => d.severity === "error")).toEqual(r.error?.kind === "internal" ? "" : []);
    const models: Record<string, string> = {};
    for (const res of r.output?.results ?? []) {
      const name = res.kind === "model" ? res.name : res.kind === "tune" ? res.model : undefined;
      const state = name && s.executor.modelState(name);
      if (state) models[name] = createHash("sha256").update(await encodeModelFile(state)).digest("hex");
    }
    const tables = (r.output?.results ?? []).flatMap((x) => (x.kind === "table" ? [x.rows] : x.kind === "dataset" || x.kind === "split" ? [x] : []));
    return { metrics: JSON.stringify(r.output?.metrics ?? []), tables: JSON.stringify(tables), models };
  } finally {
    s.close();
  }
}

describe(`every example and notebook program, ${runs} runs`, () => {
  it.each(programs.map((p) => [p.name, p] as const))("%s: identical metrics and model files on 1 and 4 DuckDB threads", async (_name, p) => {
    const first = await fingerprint(p.text, p.dir, 1);
    expect(Object.keys(first.models).length + first.metrics.length + first.tables.length).toBeGreaterThan(2);
    for (let i = 1; i < runs; i++) expect(await fingerprint(p.text, p.dir, i % 2 ? 4 : 1)).toEqual(first);
    // The time a run takes, times the runs asked for: 20 runs of a notebook program outlast the default.
  }, Math.max(120_000, runs * 60_000));
});
