import { createHash } from "node:crypto";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session, type RunOptions, type RunOutcome } from "../../api/session.js";
import { LatheBackend } from "../../kernel/lathe-backend.js";
import { encodeModelFile } from "../../runtime/model-file.js";
import { cellContext } from "../kernel/cell-context.js";
import { dataset, tempDir } from "../helpers.js";

// Prepares (a table: `show` reads it), splits stratified, trains a forest, an MLP and gradient boosting, tunes the forest: the cached
// run must give what the computed one gives, bit for bit — metrics, model files, every table.
const features = `"Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island`;
const program = (o: { epochs?: number; fill?: string } = {}) => `param seed = 42
source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with ${o.fill ?? "median"}
  onehot Island
}
show clean limit 2
split clean into train 70%, validation 15%, test 15% stratify by Species seed seed
model forest = random_forest predicting Species from train { features: ${features}; trees: 12 }
model mlp = neural_network predicting Species from train { features: ${features}; layers: [8]; epochs: ${o.epochs ?? 15} }
model boost = gradient_boosting predicting Species from train { features: ${features}; max_iter: 20 }
tune forest over { max_depth: [3, 6] } by accuracy on validation
evaluate forest on test metrics accuracy, f1, roc_auc
evaluate mlp on test metrics accuracy, f1, roc_auc
evaluate boost on test metrics accuracy, f1, roc_auc
`;

const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/** What must not change whether steps were computed or reused: metrics, model files (recorded and re-encoded), every table's rows and types. */
async function fingerprint(s: Session, o: RunOutcome): Promise<Record<string, unknown>> {
  expect(o.error).toBeUndefined();
  const run = await s.store.load(o.runId!);
  const models: Record<string, string> = {};
  for (const name of ["forest", "mlp", "boost"]) models[name] = sha(await encodeModelFile(s.executor.modelState(name)!));
  const tables: Record<string, string> = {};
  for (const t of ["clean", "train", "validation", "test"]) {
    const types = await s.executor.db.describe(`SELECT * FROM "${t}"`);
    tables[t] = sha(JSON.stringify([types, await s.executor.db.rows(`SELECT * FROM "${t}"`)]));
  }
  return {
    metrics: run!.metrics.map((m) => [m.model, m.data, m.metric, m.value]),
    recorded: run!.artifacts.filter((a) => a.kind === "model").map((a) => [a.name, a.sha256]),
    models,
    tables,
    backend: run!.backend,
  };
}

/** Each dataset, split and model → where it came from: `computed`, or the run the cache says computed it. */
const origins = (o: RunOutcome) =>
  Object.fromEntries(o.output!.results.flatMap((r) => (r.kind === "dataset" ? [[r.name, r.reusedFrom ?? "computed"]] : r.kind === "split" ? [[`split ${r.input}`, r.reusedFrom ?? "computed"]] : r.kind === "model" ? [[r.name, r.reusedFrom ?? "computed"]] : r.kind === "tune" ? [[`tune ${r.model}`, r.reusedFrom ?? "computed"]] : [])));

describe("the step cache across runs", () => {
  const root = path.join(tempDir("lathe-step-cache-"), ".lathe");
  const sessions: Session[] = [];
  const run = async (text: string, options: RunOptions = {}) => {
    const s = await Session.open({ root });
    sessions.push(s);
    const o = await s.run(text, options);
    return { s, o, fp: await fingerprint(s, o) };
  };
  let first: Awaited<ReturnType<typeof run>>;
  /** The run that last computed the unchanged program's steps (`refresh` writes its entries afresh). */
  let computedBy: string;
  beforeAll(async () => {
    first = await run(program());
  });
  afterAll(() => {
    for (const s of sessions) s.close();
    rmSync(path.dirname(root), { recursive: true, force: true });
  });

  it("reuses every step that makes data or a model on a second run, and computing them all again gives the same bits", async () => {
    expect(Object.values(origins(first.o))).toEqual(["computed", "computed", "computed", "computed", "computed", "computed", "computed"]);
    const again = await run(program());
    // Sources are read again (their fingerprint is the check); the rest comes from the first run.
    expect(origins(again.o)).toEqual({ penguins: "computed", clean: first.o.runId, "split clean": first.o.runId, forest: first.o.runId, mlp: first.o.runId, boost: first.o.runId, "tune forest": first.o.runId });
    expect(again.fp).toEqual(first.fp);
    // The split's three parts were kept in one Parquet file, each part's rows in order (`again` put them back from it).
    const entries = readdirSync(path.join(root, "cache")).map((f) => JSON.parse(readFileSync(path.join(root, "cache", f), "utf8")));
    const split = entries.find((e) => e.payload?.op === "split");
    expect(split.files).toHaveLength(1);
    expect(split.payload.outputs.map((o: { name: string; output: number }) => [o.name, o.output])).toEqual([["train", 0], ["validation", 1], ["test", 2]]);
    const forced = await run(program(), { cache: "refresh" });
    expect(Object.values(origins(forced.o))).toEqual(["computed", "computed", "computed", "computed", "computed", "computed", "computed"]);
    expect(forced.fp).toEqual(first.fp);
    computedBy = forced.o.runId!;
  });

  it("changing one step computes it and what depends on it, nothing else", async () => {
    const mlp = await run(program({ epochs: 16 }));
    expect(origins(mlp.o)).toEqual({ penguins: "computed", clean: computedBy, "split clean": computedBy, forest: computedBy, mlp: "computed", boost: computedBy, "tune forest": computedBy });
    expect(mlp.fp.models).toMatchObject({ forest: (first.fp.models as Record<string, string>).forest });
    const prepared = await run(program({ fill: "mean" }));
    expect(Object.values(origins(prepared.o))).toEqual(["computed", "computed", "computed", "computed", "computed", "computed", "computed"]);
  });

  it("a source marked `snapshot` keeps its rows with the run and changes no step's key", async () => {
    const marked = await run(program().replace(/(source penguins = read "[^"]*")/, "$1 snapshot"));
    expect(marked.o.output!.results[0]).toMatchObject({ kind: "dataset", name: "penguins", note: "snapshot kept" });
    expect(origins(marked.o)).toEqual({ penguins: "computed", clean: computedBy, "split clean": computedBy, forest: computedBy, mlp: computedBy, boost: computedBy, "tune forest": computedBy });
    const kept = (await marked.s.store.load(marked.o.runId!))!.artifacts.filter((a) => a.kind === "snapshot");
    expect(kept.map((a) => a.name)).toEqual(["snapshot-penguins.parquet"]);
  });

  it("is used by the kernel: a restarted kernel reuses what an earlier run computed and says from which run", async () => {
    const backend = await LatheBackend.create({ store: root });
    try {
      const cell = cellContext(1);
      await backend.execute(program(), cell.ctx);
      expect(cell.stderr()).toBe("");
      expect(cell.stdout()).toContain(`train forest (random_forest): 241 rows, 8 features, 3 classes (reused from run ${computedBy})`);
      expect(cell.stdout()).toContain(`prepare clean: 344 rows, 10 columns (reused from run ${computedBy})`);
      // Run again in the same kernel: held in memory, as before the store had a cache — but for the
      // forest, which the kernel holds tuned: the model `train forest` made comes from the cache.
      const again = cellContext(2);
      await backend.execute(program(), again.ctx);
      expect(again.stdout()).toMatch(/train mlp \(neural_network\): 241 rows, 8 features, 3 classes, .*\(unchanged, reused\)/);
      expect(again.stdout()).toContain(`train forest (random_forest): 241 rows, 8 features, 3 classes (reused from run ${computedBy})`);
    } finally {
      await backend.shutdown();
    }
  });

  it("keeps nothing for a session that does not cache (unrecorded runs: `lathe run --no-record`, `explain`)", async () => {
    const dir = path.join(tempDir("lathe-step-cache-off-"), ".lathe");
    const s = await Session.open({ root: dir, record: false });
    try {
      expect((await s.run(program())).ok).toBe(true);
      expect(readdirSync(path.dirname(dir))).toEqual([]);
    } finally {
      s.close();
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
