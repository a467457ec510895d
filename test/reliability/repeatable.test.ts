import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { parse } from "../../language/index.js";
import { encodeModelFile } from "../../runtime/model-file.js";
import { pendingStatementKinds } from "../../runtime/ops/index.js";
import { repo } from "../helpers.js";

// The same program on the same data gives the same metrics, model files and shown rows, bit for bit,
// run after run, on one DuckDB thread or many. LATHE_REPEAT sets the number of runs (the 20; CI runs 3).
const runs = Math.max(2, Number(process.env.LATHE_REPEAT ?? 3));

function codeCells(file: string): string[] {
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
}

function notebookProgram(file: string): string {
  return codeCells(file).join("\n");
}

/** A TypeScript notebook's Lathe programs: the template literals it passes to `lathe.run`, in order. */
function typescriptNotebookProgram(file: string): string {
  const programs = codeCells(file).flatMap((cell) => [...cell.matchAll(/lathe\.run\(`([^`]*)`/g)].map((m) => m[1]));
  expect(programs.join("")).not.toContain("${");
  return programs.join("\n");
}

/**
 * A notebook that serves and monitors: the cells before its first `serve` (they prepare the data
 * files and train the model that is then served). Their `save`s must run, so the program runs with
 * side effects in a scratch project folder of its own.
 */
function trainingCells(file: string): string[] {
  const cells = codeCells(file);
  const serve = cells.findIndex((c) => /^\s*serve\b/m.test(c));
  expect(serve).toBeGreaterThan(0);
  return cells.slice(0, serve);
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** An empty project folder whose `vega-datasets/...` paths resolve to the repository's packages. */
function scratchProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lathe-repeat-"));
  symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  scratch.push(dir);
  return dir;
}

const pending = new Set(pendingStatementKinds());
const programs = [
  ...readdirSync(path.join(repo, "examples"))
    .filter((f) => f.endsWith(".lathe"))
    .map((f) => ({ name: f, dir: path.join(repo, "examples"), text: readFileSync(path.join(repo, "examples", f), "utf8"), sideEffects: false })),
  ...["lathe-penguins.ipynb", "cars.ipynb"].map((f) => ({ name: f, dir: path.join(repo, "notebooks"), text: notebookProgram(path.join(repo, "notebooks", f)), sideEffects: false })),
  { name: "penguins.ipynb (TypeScript)", dir: path.join(repo, "notebooks"), text: typescriptNotebookProgram(path.join(repo, "notebooks", "penguins.ipynb")), sideEffects: false },
  // The flights notebooks read the 3-million-row file: they join with LATHE_REPEAT_FLIGHTS=1, not on every test run.
  ...(process.env.LATHE_REPEAT_FLIGHTS === "1"
    ? [
        { name: "flights.ipynb", dir: path.join(repo, "notebooks"), text: notebookProgram(path.join(repo, "notebooks", "flights.ipynb")), sideEffects: false },
        { name: "monitoring.ipynb (training cells)", dir: "", text: trainingCells(path.join(repo, "notebooks", "monitoring.ipynb")), sideEffects: true },
      ]
    : []),
].filter((p) => ![p.text].flat().some((t) => parse(t).program.statements.some((s) => pending.has(s.kind))));

/** What must not change between runs: every metric, and the bytes of every model file. */
async function fingerprint(text: string | string[], dir: string, threads: number, sideEffects: boolean): Promise<{ metrics: string; tables: string; models: Record<string, string> }> {
  // A program with side effects writes files: each run gets a folder of its own.
  const s = await Session.open({ record: false, baseDir: dir || scratchProject() });
  try {
    await s.executor.db.exec(`SET threads = ${threads}`);
    // Cells run one after another in one session, as the kernel runs them (a later cell may read a file an earlier one saved).
    const results: NonNullable<Awaited<ReturnType<Session["run"]>>["output"]>["results"] = [];
    const metrics: unknown[] = [];
    for (const cell of Array.isArray(text) ? text : [text]) {
      const r = await s.run(cell, { sideEffects });
      expect(r.error?.kind === "internal" ? r.error.message : r.diagnostics.filter((d) => d.severity === "error")).toEqual(r.error?.kind === "internal" ? "" : []);
      results.push(...(r.output?.results ?? []));
      metrics.push(...(r.output?.metrics ?? []));
    }
    const models: Record<string, string> = {};
    for (const res of results) {
      const name = res.kind === "model" ? res.name : res.kind === "tune" ? res.model : undefined;
      const state = name && s.executor.modelState(name);
      if (state) models[name] = createHash("sha256").update(await encodeModelFile(state)).digest("hex");
    }
    const tables = results.flatMap((x) => (x.kind === "table" ? [x.rows] : x.kind === "dataset" || x.kind === "split" ? [x] : []));
    return { metrics: JSON.stringify(metrics), tables: JSON.stringify(tables), models };
  } finally {
    s.close();
  }
}

describe(`every example and notebook program, ${runs} runs`, () => {
  it.each(programs.map((p) => [p.name, p] as const))("%s: identical metrics and model files on 1 and 4 DuckDB threads", async (_name, p) => {
    const first = await fingerprint(p.text, p.dir, 1, p.sideEffects);
    expect(Object.keys(first.models).length + first.metrics.length + first.tables.length).toBeGreaterThan(2);
    for (let i = 1; i < runs; i++) expect(await fingerprint(p.text, p.dir, i % 2 ? 4 : 1, p.sideEffects)).toEqual(first);
    // The time a run takes, times the runs asked for: 20 runs of a notebook program outlast the default.
  }, Math.max(120_000, runs * 60_000));
});
